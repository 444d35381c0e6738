"""Progress of long work: one line per step on stderr, and the same line in the Prefect run log."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

_QUIET = False


def set_quiet(quiet: bool) -> None:
    """Silence the stderr lines (tests); the Prefect log still gets them."""
    global _QUIET
    _QUIET = quiet


def _log(message: str) -> None:
    try:
        from prefect import get_run_logger

        get_run_logger().info(message)
    except Exception:  # noqa: BLE001 - outside a flow or task run there is no run logger
        pass


def say(message: str) -> None:
    """Report one line of progress."""
    if not _QUIET:
        # not print(): inside a flow with log_prints Prefect turns prints into log records
        sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
        sys.stderr.flush()
    _log(message)


@contextmanager
def step(message: str) -> Iterator[None]:
    """Announce a step, then report how long it took (or that it failed)."""
    say(f"{message}...")
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        say(f"{message}: failed after {time.perf_counter() - started:.1f} s")
        raise
    say(f"{message}: done in {time.perf_counter() - started:.1f} s")
