"""Buffered SQLite writing for the generator: rows go out in batches so memory stays bounded at any scale."""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

_BATCH = 5000


class BufferedDB:
    """A SQLite file written through per-table insert buffers; an update first flushes its table."""

    def __init__(self, path: Path, ddl: Iterable[str]) -> None:
        path.unlink(missing_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None)
        # Generation is a one-shot bulk load: durability is pointless until the final commit.
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.execute("BEGIN")
        for statement in ddl:
            self.conn.execute(statement)
        self.columns: dict[str, tuple[str, ...]] = {}
        self.buffers: dict[str, list[Sequence[Any]]] = {}
        self.sql: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.defaults: dict[str, dict[str, Any]] = {}

    def declare(self, table: str, columns: Sequence[str], defaults: dict[str, Any] | None = None) -> None:
        """Fix the column order used by `insert(table, ...)` and the values `insert_dict` leaves out."""
        self.columns[table] = tuple(columns)
        self.defaults[table] = defaults or {}
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.sql[table] = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
        self.buffers.setdefault(table, [])
        self.counts.setdefault(table, 0)

    def insert(self, table: str, row: Sequence[Any]) -> None:
        buf = self.buffers[table]
        buf.append(row)
        self.counts[table] += 1
        if len(buf) >= _BATCH:
            self.flush(table)

    def insert_dict(self, table: str, values: dict[str, Any]) -> None:
        defaults = self.defaults[table]
        self.insert(table, [values[c] if c in values else defaults.get(c) for c in self.columns[table]])

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            buf = self.buffers[name]
            if buf:
                self.conn.executemany(self.sql[name], buf)
                buf.clear()

    def execute(self, sql: str, params: Sequence[Any] = (), flush: str | None = None) -> sqlite3.Cursor:
        """Run one statement, flushing the buffer of `flush` (the table it touches) first."""
        if flush:
            self.flush(flush)
        return self.conn.execute(sql, params)

    def finish(self, indexes: Iterable[str]) -> None:
        self.flush()
        for statement in indexes:
            self.conn.execute(statement)
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA journal_mode=DELETE")
        self.conn.close()
