"""Publishing the analysts' snapshot: atomic, readers undisturbed, previous kept for rollback."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.publish import previous_snapshot, publish_snapshot, rollback_snapshot


def _build(path: Path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create or replace table t as select ? as v", [value])
    con.close()


def test_reader_keeps_old_snapshot_while_new_one_is_published(tmp_path: Path) -> None:
    working, published = tmp_path / "work" / "w.duckdb", tmp_path / "omnicanal.duckdb"
    working.parent.mkdir()
    _build(working, 1)
    publish_snapshot(working, published)

    # GIVEN an analyst holding the published file open read-only
    reader = duckdb.connect(str(published), read_only=True)
    assert reader.execute("select v from t").fetchall() == [(1,)]

    # WHEN a run rebuilds the working file and publishes again
    _build(working, 2)
    publish_snapshot(working, published)

    # THEN the open reader still sees the old, consistent data, a new reader sees the new data
    assert reader.execute("select v from t").fetchall() == [(1,)]
    reader.close()
    fresh = duckdb.connect(str(published), read_only=True)
    assert fresh.execute("select v from t").fetchall() == [(2,)]
    fresh.close()
    # AND the previous snapshot is kept, and a rollback swaps them back
    prev = duckdb.connect(str(previous_snapshot(published)), read_only=True)
    assert prev.execute("select v from t").fetchall() == [(1,)]
    prev.close()
    rollback_snapshot(published)
    back = duckdb.connect(str(published), read_only=True)
    assert back.execute("select v from t").fetchall() == [(1,)]
    back.close()
    assert not list(tmp_path.glob("*.tmp"))
