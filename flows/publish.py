"""Publish the working warehouse as the analysts' snapshot, atomically, keeping the previous one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


def publish_snapshot(working: Path, published: Path) -> Path:
    """Copy the working DuckDB file over the analysts' file in one atomic rename.

    An analyst who has the published file open keeps reading the old snapshot (the open handle keeps the
    old inode), and the next connection sees the new one; nobody ever sees a half-built state and the run
    never waits for a reader. The snapshot it replaces stays beside it as `<name>.prev.duckdb` for rollback.

    Args:
        working: the file the run built (checkpointed here so the copy needs no WAL).
        published: the analysts' file.

    Returns:
        The published path.
    """
    con = duckdb.connect(str(working))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(published.name + ".tmp")
    shutil.copyfile(working, tmp)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    previous = previous_snapshot(published)
    if published.exists():
        prev_tmp = previous.with_name(previous.name + ".tmp")
        prev_tmp.unlink(missing_ok=True)
        os.link(published, prev_tmp)  # a second name for the current snapshot, then swap it in atomically
        os.replace(prev_tmp, previous)
    os.replace(tmp, published)
    _fsync_dir(published.parent)
    return published


def rollback_snapshot(published: Path) -> Path:
    """Put the previous snapshot back (atomically); the current one becomes the previous."""
    previous = previous_snapshot(published)
    if not previous.exists():
        raise FileNotFoundError(f"no previous snapshot beside {published}")
    swap = published.with_name(published.name + ".swap")
    os.link(published, swap)
    os.replace(previous, published)
    os.replace(swap, previous)
    _fsync_dir(published.parent)
    return published


def previous_snapshot(published: Path) -> Path:
    return published.with_name(published.stem + ".prev" + published.suffix)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
