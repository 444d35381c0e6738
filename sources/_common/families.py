"""Documents with lines: one hidden resource reads the changed documents, one table per part is built from it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from sources._common.batches import BATCH_ROWS
from sources._common.columns import Conversion, TableSpec
from sources._common.cursors import Window

Row = dict[str, Any]


class Deleted:
    """Documents a sweep no longer found: passed from the hidden reader to the documents table only."""

    def __init__(self, rows: pa.Table) -> None:
        self.rows = rows


def table_resource(spec: TableSpec, generator: Any, hints: Conversion) -> DltResource:
    """A dlt resource loading one declared table (keys, merge key, typed columns)."""
    return dlt.resource(generator, **_table_hints(spec, hints))


def _table_hints(spec: TableSpec, hints: Conversion) -> dict[str, Any]:
    return {
        "name": spec.name,
        "primary_key": list(spec.primary_key),
        "merge_key": list(spec.merge_key) or None,
        "write_disposition": spec.write_disposition,
        "columns": spec.dlt_columns(hints),
    }


def document_family(
    name: str,
    read: Callable[[Window], Iterator[list[Row]]],
    open_window: Callable[[dlt.sources.incremental[datetime]], Window],
    cursor: dlt.sources.incremental[datetime],
    parts: Sequence[tuple[TableSpec, Callable[[list[Row]], Iterator[pa.Table]]]],
    *,
    hints: Conversion,
    deletions: Callable[[str], Iterator[pa.Table]] | None = None,
    lines_of: Callable[[Row], int] = lambda document: 0,
) -> list[DltResource]:
    """A hidden resource reading changed documents and one transformer per table built from them.

    Args:
        name: the hidden resource's name (it holds the cursor state; it makes no table).
        read: yields pages of changed documents in a window.
        open_window: this run's window for the cursor (pins the cursor before anything is yielded).
        cursor: the incremental cursor (its stored state is injected by dlt).
        parts: `(table, build)` pairs; `build(documents)` yields arrow tables. The first part is the
            documents table itself, which alone receives the deletion tombstones.
        hints: typing settings for the column hints.
        deletions: when given, `deletions(name)` yields tombstones of deleted documents after the read
            (not in backfills); `name` is the hidden resource's, whose state remembers the last sweep.
        lines_of: how many embedded lines a document carries, so that a batch is bounded in rows
            (a purchase order can hold 150 lines).

    Returns:
        The hidden resource followed by the part tables.
    """

    def documents(updated: dlt.sources.incremental[datetime] = cursor) -> Iterator[list[Row] | Deleted]:
        window = open_window(updated)
        batch: list[Row] = []
        rows = 0
        produced = False
        for page in read(window):
            batch.extend(page)
            rows += sum(1 + lines_of(document) for document in page)
            if rows >= BATCH_ROWS:  # documents and their embedded lines handed to the part tables at once
                yield batch
                produced, batch, rows = True, [], 0
        if batch or not produced:
            yield batch  # an empty batch still creates every part table on a first load
        if deletions is not None and not window.backfill:
            yield from (Deleted(gone) for gone in deletions(name))

    reader = dlt.resource(documents, name=name, selected=False)
    main = parts[0][0]

    def part(spec: TableSpec, build: Callable[[list[Row]], Iterator[pa.Table]]) -> DltResource:
        def transform(batch: list[Row] | Deleted) -> Iterator[pa.Table]:
            if isinstance(batch, Deleted):
                if spec is main:
                    yield batch.rows
            elif not batch:
                yield spec.empty(hints)
            else:
                yield from build(batch)

        return dlt.transformer(transform, data_from=reader, **_table_hints(spec, hints))

    return [reader, *(part(spec, build) for spec, build in parts)]
