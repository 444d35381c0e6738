"""One file to typed tables: read, type, split good rows from bad lines, and hold it all until it is whole.

A file loads all at once or not at all: its tables are buffered (spilling to a temporary Arrow file
past a size) and handed to dlt only once the last line was read and the error policy accepted it.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sources._common.columns import TableSpec
from sources.flatfiles.convert import NumberFormat, Problems, type_column
from sources.flatfiles.csvfile import (
    BadLine,
    FileRejected,
    GroupSlot,
    HeaderPlan,
    Renumber,
    TextBatch,
    plan_header,
    read_csv,
    read_header,
)
from sources.flatfiles.folder import scan
from sources.flatfiles.mapping import ColumnRule, Mapping
from sources.flatfiles.settings import CONVERSION, FILE_ID, LINE, SPILL_PARQUET, TYPING_THREADS
from sources.flatfiles.xmlfile import read_xml

# A batch typed into the layout's tables, and the lines of it that did not type.
_TypedBatch = tuple[list[tuple[str, pa.Table]], list[BadLine]]


@dataclass(frozen=True)
class Spilled:
    """A table of one file written to a temporary Parquet file (dlt imports it as is)."""

    path: Path
    rows: int


class TableBuffer:
    """Arrow tables held per raw table, in memory up to `spill_bytes`, then in temporary Parquet files.

    A spilled table is already in the format dlt loads: it is handed over as a file, never read back.
    """

    def __init__(self, spill_bytes: int) -> None:
        self.spill_bytes = spill_bytes
        self.held: dict[str, list[pa.Table]] = {}
        self.bytes = 0
        self.rows: dict[str, int] = {}
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._writers: dict[str, pq.ParquetWriter] = {}

    def add(self, name: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        if name in self._writers:
            self._writers[name].write_table(table)
            return
        self.held.setdefault(name, []).append(table)
        self.bytes += table.nbytes
        if self.bytes > self.spill_bytes:
            self._spill()

    def _spill(self) -> None:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="omnicanal-flatfile-")
        for name, tables in self.held.items():
            if name not in self._writers:
                path = Path(self._dir.name) / f"{name}.parquet"
                self._writers[name] = pq.ParquetWriter(str(path), tables[0].schema, **SPILL_PARQUET)
            for held in tables:
                self._writers[name].write_table(held)
        self.held.clear()
        self.bytes = 0

    def drain(self) -> Iterator[tuple[str, pa.Table | Spilled]]:
        """Every table: spilled ones as files, then the ones in memory. The files go when the caller resumes."""
        try:
            for name, writer in list(self._writers.items()):
                writer.close()
                assert self._dir is not None
                yield name, Spilled(Path(self._dir.name) / f"{name}.parquet", self.rows[name])
            self._writers.clear()
            for name, tables in self.held.items():
                for table in tables:
                    yield name, table
        finally:
            self.discard()

    def discard(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        self.held.clear()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


@dataclass
class FileResult:
    """A file read to the end: its typed tables (buffered), its bad lines, and headers nobody reads."""

    buffer: TableBuffer
    bad: list[BadLine] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.buffer.rows.values())


def read_file(
    stream: IO[bytes], mapping: Mapping, *, file_id: int, timezone: str, spill_bytes: int
) -> FileResult:
    """Read and type a whole file; bad lines are collected, file-level faults raise `FileRejected`.

    Args:
        stream: the file's bytes, at its start.
        mapping: the format and the canonical columns.
        file_id: the file's number in this connection (stored in `_file_id`).
        timezone: the connection's zone for wall-clock times.
        spill_bytes: arrow bytes held in memory before spilling to disk.
    """
    if mapping.format == "xml":
        plan = HeaderPlan(columns={r.name: 0 for r in mapping.columns if r.source is not None})
        return _typed(read_xml(stream, mapping), plan, mapping, file_id, timezone, spill_bytes)
    try:
        plan = plan_header(read_header(stream, mapping), mapping)
        try:
            # blocks parsed in parallel; a file with a line to skip is read again in order, to number it
            stream.seek(0)
            items = read_csv(stream, mapping, plan, parallel=True)
            result = _typed(items, plan, mapping, file_id, timezone, spill_bytes)
        except Renumber:
            stream.seek(0)
            result = _typed(read_csv(stream, mapping, plan), plan, mapping, file_id, timezone, spill_bytes)
    except (FileRejected, UnicodeDecodeError) as exc:
        # the parser says only that the text does not decode: find the line
        stream.seek(0)
        encoding_error = scan(stream, mapping.encoding).encoding_error
        if encoding_error is not None:
            raise FileRejected(encoding_error) from None
        if isinstance(exc, FileRejected):
            raise
        raise FileRejected(f"not readable as {mapping.encoding}: {exc}") from None
    result.ignored_headers = plan.ignored
    return result


def _typed(
    items: Iterator[TextBatch | BadLine],
    plan: HeaderPlan,
    mapping: Mapping,
    file_id: int,
    timezone: str,
    spill_bytes: int,
) -> FileResult:
    """Type the batches on `TYPING_THREADS` threads and buffer them on another (Arrow's kernels release
    the GIL) while this thread pulls the next batches from the parser; the tables are buffered in file
    order, and a few batches at most are in flight."""
    result = FileResult(TableBuffer(spill_bytes))
    builder = _Builder(mapping, file_id, timezone)

    def typed(batch: TextBatch) -> _TypedBatch:
        bad: list[BadLine] = []
        return list(builder.tables(batch, plan, bad)), bad

    def buffer(tables: list[tuple[str, pa.Table]]) -> None:
        for name, table in tables:
            result.buffer.add(name, table)

    writing: Future[None] | None = None

    def take(done: Future[_TypedBatch]) -> None:
        nonlocal writing
        tables, bad = done.result()
        result.bad.extend(bad)
        if writing is not None:
            writing.result()
        writing = writer.submit(buffer, tables)

    pending: deque[Future[_TypedBatch]] = deque()
    with (
        ThreadPoolExecutor(TYPING_THREADS, thread_name_prefix="omnicanal-typing") as pool,
        ThreadPoolExecutor(1, thread_name_prefix="omnicanal-buffer") as writer,
    ):
        try:
            for item in items:
                if isinstance(item, BadLine):
                    result.bad.append(item)
                    continue
                pending.append(pool.submit(typed, item))
                if len(pending) > TYPING_THREADS:
                    take(pending.popleft())
            while pending:
                take(pending.popleft())
            if writing is not None:
                writing.result()
        except BaseException:
            for waiting in pending:
                waiting.cancel()
            if writing is not None:
                writing.cancel()
                wait([writing])
            result.buffer.discard()
            raise
    result.bad.sort(key=lambda b: b.line)
    return result


class _Builder:
    """Types text batches into the layout's tables (main table and child tables of repeated headers)."""

    def __init__(self, mapping: Mapping, file_id: int, timezone: str) -> None:
        self.mapping = mapping
        self.file_id = file_id
        self.timezone = timezone
        self.numbers = NumberFormat(mapping.decimal, mapping.thousands)
        self.main = mapping.layout.table
        self.required = set(mapping.layout.required) | set(self.main.primary_key)

    def tables(
        self, batch: TextBatch, plan: HeaderPlan, bad: list[BadLine]
    ) -> Iterator[tuple[str, pa.Table]]:
        """The layout's tables of one batch, without the rows that did not type (added to `bad`)."""
        problems = Problems(batch.rows)
        typed = {
            rule.name: self._type(rule, batch, rule.name, problems, rule.name in self.required)
            for rule in self.mapping.columns
        }
        # repeated headers: typed before the rows are judged, a bad cell there refuses the whole line
        groups = [
            (
                group,
                self._type(
                    ColumnRule(group.rule.column, group.rule.kind, group.rule.table, group.header),
                    batch,
                    group.slot,
                    problems,
                ),
            )
            for group in plan.groups
        ]
        keep = problems.good_mask()
        for index, (field_name, reason) in sorted(problems.reasons.items()):
            content = _row_text(batch, index, plan, self.mapping)
            bad.append(BadLine(int(batch.lines[index]), field_name, reason, content))
        lines = pa.array(batch.lines)
        yield self.main.name, _assemble(self.main, typed, lines, self.file_id, keep)
        for name in dict.fromkeys(group.rule.table for group, _ in groups):
            child = self.mapping.layout.child(name)
            mine = [(group, values) for group, values in groups if group.rule.table == name]
            yield name, self._child(child, mine, typed, lines, keep)

    def _type(
        self, rule: ColumnRule, batch: TextBatch, slot: str, problems: Problems, required: bool = False
    ) -> pa.Array:
        return type_column(
            rule,
            batch.cells.get(slot),
            batch.rows,
            timezone=self.timezone,
            numbers=self.numbers,
            problems=problems,
            required=required,
        )

    def _child(
        self,
        spec: TableSpec,
        groups: list[tuple[GroupSlot, pa.Array]],
        typed: dict[str, pa.Array],
        lines: pa.Array,
        keep: pa.Array | None,
    ) -> pa.Table:
        """One child row per parent row and key of its repeated headers (e.g. warehouse), where a cell has a value."""
        by_key: dict[tuple[tuple[str, str], ...], dict[str, pa.Array]] = {}
        for group, values in groups:
            by_key.setdefault(tuple(sorted(group.keys.items())), {})[group.rule.column] = values
        pieces = []
        for keys, values in by_key.items():
            rows = len(lines)
            columns = {k: typed[k] for k in self.main.primary_key}
            columns.update({k: pa.array([v] * rows, pa.string()) for k, v in keys})
            columns.update(values)
            present = pc.is_valid(next(iter(values.values())))
            for other in list(values.values())[1:]:
                present = pc.or_(present, pc.is_valid(other))
            mask = present if keep is None else pc.and_(present, keep)
            pieces.append(_assemble(spec, columns, lines, self.file_id, mask))
        return pa.concat_tables(pieces)


@cache
def _schema(spec: TableSpec) -> pa.Schema:
    return spec.arrow_schema(CONVERSION)


def _assemble(
    spec: TableSpec, typed: dict[str, pa.Array], lines: pa.Array, file_id: int, keep: pa.Array | None
) -> pa.Table:
    schema = _schema(spec)
    rows = len(lines)
    arrays = []
    for column in schema:
        if column.name == FILE_ID:
            arrays.append(pa.array(np.full(rows, file_id, dtype=np.int64)))
        elif column.name == LINE:
            arrays.append(lines.cast(pa.int64()))
        elif column.name in typed:
            arrays.append(typed[column.name].cast(column.type))
        else:
            arrays.append(pa.nulls(rows, column.type))
    table = pa.Table.from_arrays(arrays, schema=schema)
    return table if keep is None else table.filter(keep)


def _row_text(batch: TextBatch, index: int, plan: HeaderPlan, mapping: Mapping) -> str:
    """One row as read: the CSV cells in file order joined by the delimiter, or XML `path=value` pairs."""
    if mapping.format == "csv":
        order = sorted(plan.columns.items(), key=lambda item: item[1])
        cells = [batch.cells[slot][index].as_py() or "" for slot, _ in order]
        return mapping.delimiter.join(cells)
    sources = {rule.name: rule.source for rule in mapping.columns}
    parts = []
    for slot, values in batch.cells.items():
        value = values[index].as_py()
        if value is not None:
            parts.append(f"{sources.get(slot, slot)}={value}")
    return ", ".join(parts)
