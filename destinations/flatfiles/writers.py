"""Writing export files: atomic files (temporary name, fsync, rename) hashed while written, CSV and XML rows."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from types import TracebackType
from typing import Any
from xml.sax.saxutils import XMLGenerator

from destinations.flatfiles.layouts import ExportColumn, ExportLayout


class ExportError(Exception):
    """An export that could not be written; names the layout, the row and the column."""


class _HashingFile(io.RawIOBase):
    """A binary file that hashes and counts what goes through it."""

    def __init__(self, target: io.BufferedWriter) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.target.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)
        return len(chunk)


class AtomicFile:
    """A file that appears under its name whole or not at all.

    It is written under a hidden temporary name in the same folder, flushed to disk (fsync), then renamed
    over the final name (atomic on one filesystem) and the folder entry synced; on any error the temporary
    file is removed and nothing appears.
    """

    def __init__(self, final: Path) -> None:
        self.final = final
        self.tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        self._fh: io.BufferedWriter | None = None
        self.file: _HashingFile

    def __enter__(self) -> AtomicFile:
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.tmp, "wb")  # noqa: SIM115 - closed in __exit__
        self.file = _HashingFile(self._fh)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._fh is not None
        if exc_type is not None:
            self._fh.close()
            self.tmp.unlink(missing_ok=True)
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self.tmp, self.final)
        _sync_folder(self.final.parent)

    @property
    def sha256(self) -> str:
        return self.file.digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (the folder entry), where the platform allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Formatter:
    """Turns one warehouse value into the text a layout writes for it."""

    def __init__(self, layout: ExportLayout, parameters: dict[str, Any]) -> None:
        from zoneinfo import ZoneInfo

        self.layout = layout
        self.zone = ZoneInfo(layout.timezone)
        self.parameters = parameters

    def text(self, column: ExportColumn, value: Any) -> str | None:
        """The written text, or None for an empty value."""
        if value is None:
            return None
        if column.subtract is not None:
            value = value - self._parameter(column.subtract)
        if column.at_least is not None:
            value = max(value, column.at_least)
        kind = column.kind
        if kind == "integer":
            return str(int(value))
        if kind == "decimal":
            quantum = Decimal(1).scaleb(-column.places)
            number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_EVEN)
            return f"{number:f}".replace(".", self.layout.decimal)
        if kind == "boolean":
            return column.true if value else column.false
        if kind in ("date", "datetime") and isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            return moment.astimezone(self.zone).strftime(column.format)
        if kind == "date" and isinstance(value, date):
            return value.strftime(column.format)
        return str(value)

    def _parameter(self, name: str) -> Any:
        if name not in self.parameters:
            raise ExportError(f"export layout {self.layout.name}: parameter {name!r} is needed (subtract)")
        return self.parameters[name]


class CsvRows:
    """CSV output: the header, then one line per row, encoded strictly (an unencodable character fails)."""

    def __init__(self, out: _HashingFile, layout: ExportLayout, formatter: Formatter) -> None:
        self.layout = layout
        self.formatter = formatter
        self.text = io.TextIOWrapper(
            io.BufferedWriter(out), encoding=layout.encoding, errors="strict", newline="", write_through=True
        )
        if layout.bom and layout.encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
            self.text.write("\ufeff")
        self.writer = csv.writer(
            self.text,
            delimiter=layout.delimiter,
            quotechar=layout.quote,
            lineterminator=layout.line_terminator,
        )
        self._write([c.header for c in layout.columns], 0)

    def add(self, rows: Sequence[tuple[Any, ...]], first: int) -> None:
        columns = self.layout.columns
        for offset, row in enumerate(rows):
            cells = [self.formatter.text(c, v) or "" for c, v in zip(columns, row, strict=True)]
            self._write(cells, first + offset)

    def _write(self, cells: list[str], number: int) -> None:
        try:
            self.writer.writerow(cells)
        except UnicodeEncodeError as exc:
            column = next(
                c.header
                for c, cell in zip(self.layout.columns, cells, strict=True)
                if exc.object[exc.start] in cell
            )
            raise ExportError(
                f"export layout {self.layout.name}, row {number}, column {column!r}: "
                f"{exc.object[exc.start]!r} cannot be written in {self.layout.encoding}"
            ) from None

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


class XmlRows:
    """XML output: a root element, an optional group element per key (e.g. an order) holding one record per row."""

    def __init__(self, out: _HashingFile, layout: ExportLayout, formatter: Formatter) -> None:
        self.layout = layout
        self.formatter = formatter
        self.xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self.xml.startDocument()
        self.xml.startElement(layout.root, {})  # type: ignore[arg-type]
        self.record_columns = [c for c in layout.columns if not c.group]
        self.group_columns = [c for c in layout.columns if c.group]
        self.key_positions = (
            [next(i for i, c in enumerate(layout.columns) if c.column == key) for key in layout.group_by]
            if layout.group_by
            else []
        )
        self.current: tuple[Any, ...] | None = None

    def add(self, rows: Sequence[tuple[Any, ...]], first: int) -> None:
        columns = self.layout.columns
        for row in rows:
            values = dict(zip([c.header for c in columns], row, strict=True))
            if self.layout.group:
                key = tuple(row[i] for i in self.key_positions)
                if key != self.current:
                    self._end_group()
                    self._start_group(values)
                    self.current = key
            self._element(self.layout.record, self.record_columns, values)

    def _start_group(self, values: dict[str, Any]) -> None:
        attributes, children = self._split(self.group_columns, values)
        self.xml.startElement(self.layout.group, attributes)  # type: ignore[arg-type]
        for name, text in children:
            self._leaf(name, text)
        if self.layout.lines:
            self.xml.startElement(self.layout.lines, {})  # type: ignore[arg-type]

    def _end_group(self) -> None:
        if self.current is None:
            return
        if self.layout.lines:
            self.xml.endElement(self.layout.lines)
        self.xml.endElement(self.layout.group)

    def _element(self, name: str, columns: list[ExportColumn], values: dict[str, Any]) -> None:
        attributes, children = self._split(columns, values)
        self.xml.startElement(name, attributes)  # type: ignore[arg-type]
        for child, text in children:
            self._leaf(child, text)
        self.xml.endElement(name)

    def _split(
        self, columns: list[ExportColumn], values: dict[str, Any]
    ) -> tuple[dict[str, str], list[tuple[str, str]]]:
        attributes: dict[str, str] = {}
        children: list[tuple[str, str]] = []
        for column in columns:
            text = self.formatter.text(column, values[column.header])
            if text is None:
                continue  # an empty value is an absent element or attribute
            if column.header.startswith("@"):
                attributes[column.header[1:]] = text
            else:
                children.append((column.header, text))
        return attributes, children

    def _leaf(self, name: str, text: str) -> None:
        self.xml.startElement(name, {})  # type: ignore[arg-type]
        self.xml.characters(text)
        self.xml.endElement(name)

    def close(self) -> None:
        self._end_group()
        self.xml.endElement(self.layout.root)
        self.xml.ignorableWhitespace("\n")
        self.xml.endDocument()  # flushes the generator's text writer
