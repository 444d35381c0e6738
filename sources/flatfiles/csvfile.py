"""Reading one CSV file into batches of text cells per canonical column, with its bad lines.

Lines are CSV records numbered from 1 (the header): the text line number unless a quoted value spans
several lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from sources.flatfiles.mapping import GroupRule, Mapping
from sources.flatfiles.settings import BLOCK_BYTES


class FileRejected(Exception):
    """The whole file cannot be loaded (encoding, header, structure): nothing of it loads."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass
class BadLine:
    """A line that does not load: where, which field (None for the whole line), why, and its text."""

    line: int
    field: str | None
    reason: str
    content: str


@dataclass
class TextBatch:
    """Rows of text cells keyed by slot (a canonical column, or a repeated header of a group)."""

    cells: dict[str, pa.Array]
    lines: np.ndarray
    rows: int


@dataclass
class GroupSlot:
    """One repeated header: the group it belongs to, the key values its header names, its slot."""

    rule: GroupRule
    keys: dict[str, str]
    slot: str
    header: str


@dataclass
class HeaderPlan:
    """Which file column feeds which slot; headers used by nothing are listed (and ignored)."""

    columns: dict[str, int]
    groups: list[GroupSlot] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    width: int = 0


def plan_header(header: list[str], mapping: Mapping) -> HeaderPlan:
    """Match a file's header to the mapping: canonical columns by header name, then repeated groups.

    Raises:
        FileRejected: a required column is missing, or a header the mapping uses appears twice.
    """
    names = [h.strip() for h in header]
    folded: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        folded.setdefault(name.casefold(), []).append(index)
    plan = HeaderPlan(columns={}, width=len(names))
    used: set[int] = set()
    required = set(mapping.layout.required)
    for rule in mapping.columns:
        if rule.source is None:
            continue
        indices = folded.get(rule.source.casefold(), [])
        if len(indices) > 1:
            raise FileRejected(f"header {rule.source!r} appears {len(indices)} times (columns {indices})")
        if not indices:
            if rule.name in required and rule.default is None:
                raise FileRejected(
                    f"missing column {rule.source!r} (canonical {rule.name}); the header has: "
                    + ", ".join(repr(n) for n in names)
                )
            continue
        plan.columns[rule.name] = indices[0]
        used.add(indices[0])
    for group in mapping.groups:
        for index, name in enumerate(names):
            match = group.pattern.match(name)
            if index in used or match is None:
                continue
            slot = f"{group.table}|{group.column}|{index}"
            plan.groups.append(GroupSlot(group, match.groupdict(), slot, name))
            plan.columns[slot] = index
            used.add(index)
    plan.ignored = [name for index, name in enumerate(names) if index not in used]
    return plan


def read_header(stream: IO[bytes], mapping: Mapping) -> list[str]:
    """The header record of a CSV stream (the stream is left after it)."""
    first = stream.readline()
    if not first.strip():
        raise FileRejected("empty file: no header line")
    text = first.decode("utf-8-sig" if mapping.encoding == "utf-8" else mapping.encoding)
    return next(csv.reader([text.rstrip("\r\n")], delimiter=mapping.delimiter, quotechar=mapping.quote))


class Renumber(Exception):
    """A parallel read met a line it had to skip: only a sequential read can number the lines after it."""


def read_csv(
    stream: IO[bytes], mapping: Mapping, plan: HeaderPlan, *, parallel: bool = False
) -> Iterator[TextBatch | BadLine]:
    """Text batches of the data lines after the header, and the lines whose field count is wrong.

    Args:
        stream: the file, positioned at its start.
        mapping: delimiter, quote and encoding.
        plan: the header plan (which columns to read).
        parallel: parse blocks on several threads; then the parser does not tell where a bad line is,
            and `Renumber` is raised at the first one (read the file again sequentially).

    Yields:
        `TextBatch` of cells per slot with each row's line, and `BadLine` for lines with too many or too
        few fields, in file order. Blank lines are skipped.

    Raises:
        FileRejected: the file cannot be parsed as CSV.
        Renumber: `parallel` and a line had to be skipped.
    """
    width = plan.width
    bad: list[BadLine] = []
    skipped: list[int] = []

    def invalid(row: pa_csv.InvalidRow) -> str:
        skipped.append(row.number)
        if row.text.strip():
            bad.append(
                BadLine(
                    row.number,
                    None,
                    f"{row.actual_columns} fields where the header has {row.expected_columns}"
                    + (" (truncated line?)" if row.actual_columns < row.expected_columns else ""),
                    row.text,
                )
            )
        return "skip"

    names = [f"c{i}" for i in range(width)]
    wanted = sorted(set(plan.columns.values()))
    numbering = _Numbering()
    try:
        reader = pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(
                # a sequential parser gives the invalid-row handler each line's number
                use_threads=parallel,
                block_size=BLOCK_BYTES,
                skip_rows=1,
                column_names=names,
                encoding="utf8" if mapping.encoding == "utf-8" else mapping.encoding,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=mapping.delimiter,
                quote_char=mapping.quote,
                ignore_empty_lines=False,
                invalid_row_handler=invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={names[i]: pa.string() for i in wanted},
                include_columns=[names[i] for i in wanted],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            if skipped and parallel:
                raise Renumber()
            # the handler has seen every skipped line up to the end of this batch
            numbering.skip(skipped)
            skipped.clear()
            reported, bad[:] = list(bad), []
            lines = numbering.take(batch.num_rows)
            yield from reported
            cells = {slot: batch.column(names[i]) for slot, i in plan.columns.items()}
            blank = _blank_rows(list(cells.values()))
            if blank is not None:
                cells = {slot: values.filter(blank) for slot, values in cells.items()}
                lines = lines[blank.to_numpy(zero_copy_only=False)]
            if len(lines):
                yield TextBatch(cells, lines, len(lines))
    except pa.ArrowInvalid as exc:
        raise FileRejected(f"not readable as CSV after line {numbering.next_line - 1}: {exc}") from None
    if skipped and parallel:
        raise Renumber()
    yield from bad


class _Numbering:
    """Line numbers of the rows the parser keeps, given the lines it skipped."""

    def __init__(self) -> None:
        self.next_line = 2  # line 1 is the header
        self.skipped: set[int] = set()

    def skip(self, lines: list[int]) -> None:
        self.skipped.update(lines)

    def take(self, rows: int) -> np.ndarray:
        start = self.next_line
        end = start + rows
        while True:
            holes = sum(1 for line in self.skipped if start <= line < end)
            if end - start - holes >= rows:
                break
            end = start + rows + holes
        numbers = np.arange(start, end, dtype=np.int64)
        if holes:
            numbers = numbers[~np.isin(numbers, np.fromiter(self.skipped, dtype=np.int64))]
        numbers = numbers[:rows]
        self.next_line = int(numbers[-1]) + 1 if rows else start
        self.skipped = {line for line in self.skipped if line >= self.next_line}
        return numbers


def _blank_rows(columns: list[pa.Array]) -> pa.Array | None:
    """A keep-mask dropping rows whose every read cell is empty (blank lines); None when there are none."""
    if not columns:
        return None
    empty = pc.equal(pc.utf8_length(columns[0]), 0)
    if not pc.any(empty).as_py():  # the common case costs one column
        return None
    for values in columns[1:]:
        empty = pc.and_(empty, pc.equal(pc.utf8_length(values), 0))
    return pc.invert(empty) if pc.any(empty).as_py() else None
