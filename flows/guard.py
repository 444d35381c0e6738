"""One sync per merchant at a time: a Prefect global concurrency limit plus a lock on the data folder."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.errors import OmnicanalError


class RunAlreadyInProgress(OmnicanalError):
    """Another run of the same merchant holds the lock."""


def limit_name(merchant: str) -> str:
    """The Prefect global concurrency limit shared by every deployment of one merchant."""
    slug = re.sub(r"[^a-z0-9]+", "-", merchant.lower()).strip("-") or "merchant"
    return f"omnicanal-sync-{slug}"


def ensure_concurrency_limit(name: str, limit: int = 1) -> None:
    """Create the global concurrency limit if the Prefect API does not have it yet."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=limit))


@contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<data_dir>/work/.lock`, failing at once (with the holder) if taken.

    This covers runs that do not share a Prefect API (two CLI runs on one machine); DuckDB allows one
    writer per file, so a second run would fail anyway, later and less clearly.
    """
    lock_path = data_dir / "work" / ".lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise RunAlreadyInProgress(
                f"another omnicanal run is using {data_dir} (process {holder}); wait for it to finish"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def exclusive_run(merchant: str, data_dir: Path, *, timeout_seconds: float = 3600) -> Iterator[None]:
    """The data-folder lock, then one slot of the merchant's Prefect concurrency limit."""
    from prefect.concurrency.sync import concurrency

    with data_dir_lock(data_dir):
        name = limit_name(merchant)
        ensure_concurrency_limit(name)
        with concurrency(name, occupy=1, timeout_seconds=timeout_seconds, strict=True):
            yield
