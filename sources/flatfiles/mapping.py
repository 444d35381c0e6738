"""Mapping files: how one file format (CSV or XML) fills a canonical layout, read from TOML and checked."""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sources._common.columns import DATE, DEC, INT, LOCAL_TS, MONEY, TEXT
from sources.flatfiles.settings import FILE_ID, LAYOUTS, LINE, Layout

# Formats tried in order when a mapping gives none.
DEFAULT_FORMATS = {
    LOCAL_TS: ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"),
    DATE: ("%Y-%m-%d",),
}
_KINDS = {TEXT, INT, DEC, MONEY, LOCAL_TS, DATE}
_CONNECTION_ZONE = "connection"
# A mapping given by name (no folder, no suffix) is one of the ready mappings in `mappings/`.
_READY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ColumnRule:
    """How one canonical column is read.

    Attributes:
        name: the canonical column.
        kind: its kind in the layout (text, int, dec, money, local_ts, date).
        table: the raw table it belongs to.
        source: the CSV header or the XML path (relative to the record) it comes from; None when the
            column is a constant (`default`) only.
        formats: strptime formats for times and dates, tried in order.
        timezone: zone of wall-clock times: None for the connection's zone, else a zone name ("UTC").
        values: file value -> canonical value; any other value is a bad line.
        default: the value when the file has no such column or the cell is empty.
    """

    name: str
    kind: str
    table: str
    source: str | None
    formats: tuple[str, ...] = ()
    timezone: str | None = None
    values: dict[str, str] | None = None
    default: str | None = None


@dataclass(frozen=True)
class GroupRule:
    """Repeated CSV headers that become rows of a child table (e.g. `Stock WH-PARIS` -> warehouse WH-PARIS).

    Attributes:
        table: the child table.
        pattern: matches a header; its named groups give the child key columns beyond the parent key.
        column: the child column the cell fills.
        kind: that column's kind.
    """

    table: str
    pattern: re.Pattern[str]
    column: str
    kind: str


@dataclass(frozen=True)
class Mapping:
    """One file format mapped onto a layout.

    Attributes:
        name: the mapping's name (file stem).
        path: where it was read from.
        layout: the canonical layout it fills.
        format: `csv` or `xml`.
        files: glob patterns of the files to pick up, relative to the drop folder.
        delimiter, quote, encoding, decimal, thousands: CSV reading (the encoding is a Python codec name;
            UTF-8 accepts a byte-order mark).
        record: XML only: the element path of one record from the root (`Report/Order/Line`).
        columns: the canonical columns read, in layout order.
        groups: repeated header groups (CSV only).
    """

    name: str
    path: Path
    layout: Layout
    format: str
    files: tuple[str, ...]
    columns: tuple[ColumnRule, ...]
    delimiter: str = ","
    quote: str = '"'
    encoding: str = "utf-8"
    decimal: str = "."
    thousands: str = ""
    record: str = ""
    groups: tuple[GroupRule, ...] = field(default_factory=tuple)

    def columns_of(self, table: str) -> list[ColumnRule]:
        return [c for c in self.columns if c.table == table]

    @property
    def tables(self) -> list[str]:
        return list(dict.fromkeys([self.layout.table.name, *(g.table for g in self.groups)]))


def load_mapping(layout: str, mapping: str | Path | None = None) -> Mapping:
    """Read and check a mapping: the ready one of `layout`, or the file `mapping` (which must fill `layout`).

    Args:
        layout: the canonical layout name (`pos_sales`, `marketplace_orders`, `erp_products`).
        mapping: a TOML mapping file, or the name of a ready mapping (`marketplace_orders_xml`); None
            for the layout's ready mapping (the sandbox's format).

    Returns:
        The checked mapping.

    Raises:
        MappingError: unknown layout, unreadable file, or a key that does not fit the layout.
    """
    if layout not in LAYOUTS:
        raise MappingError(f"unknown layout {layout!r}; expected one of {', '.join(sorted(LAYOUTS))}")
    spec = LAYOUTS[layout]
    if not mapping:
        path = spec.mapping_path
    elif _READY_NAME.match(str(mapping)):
        path = spec.mapping_path.with_name(f"{mapping}.toml")
    else:
        path = Path(mapping)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"mapping {path}: cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping {path}: not valid TOML ({exc})") from exc
    return parse_mapping(raw, spec, path)


def parse_mapping(raw: dict[str, Any], layout: Layout, path: Path) -> Mapping:
    """Check a parsed mapping against its layout (see `load_mapping`)."""
    where = f"mapping {path}"
    declared = raw.get("layout", layout.name)
    if declared != layout.name:
        raise MappingError(f"{where}: fills layout {declared!r}, the connection expects {layout.name!r}")
    fmt = raw.get("format", "csv")
    if fmt not in ("csv", "xml"):
        raise MappingError(f"{where}: format must be 'csv' or 'xml', got {fmt!r}")
    files = raw.get("files", ["*.xml"] if fmt == "xml" else ["*.csv"])
    files = (files,) if isinstance(files, str) else tuple(files)
    csv_opts = raw.get("csv", {})
    xml_opts = raw.get("xml", {})
    defaults = {k: str(v) for k, v in raw.get("defaults", {}).items()}
    kinds = {c.name: c.kind for c in layout.table.columns if c.name not in (FILE_ID, LINE)}
    main = layout.table.name

    columns: dict[str, ColumnRule] = {}
    for name, value in raw.get("columns", {}).items():
        if name not in kinds:
            raise MappingError(
                f"{where}: columns.{name} is not a column of layout {layout.name} "
                f"(columns: {', '.join(kinds)})"
            )
        columns[name] = _column(
            name, kinds[name], main, value, defaults.get(name), f"{where}: columns.{name}"
        )
    for name, value in defaults.items():
        if name not in kinds:
            raise MappingError(f"{where}: defaults.{name} is not a column of layout {layout.name}")
        columns.setdefault(name, ColumnRule(name, kinds[name], main, None, default=value))
    missing = [name for name in layout.required if name not in columns]
    if missing:
        raise MappingError(f"{where}: layout {layout.name} needs columns {', '.join(missing)}")

    groups = tuple(_group(g, layout, where) for g in raw.get("groups", []))
    if groups and fmt != "csv":
        raise MappingError(f"{where}: groups (repeated headers) exist for CSV files only")

    mapping = Mapping(
        name=path.stem,
        path=path,
        layout=layout,
        format=fmt,
        files=files,
        columns=tuple(columns[name] for name in kinds if name in columns),
        delimiter=_one_char(csv_opts.get("delimiter", ","), f"{where}: csv.delimiter"),
        quote=_one_char(csv_opts.get("quote", '"'), f"{where}: csv.quote"),
        encoding=_encoding(csv_opts.get("encoding", "utf-8"), f"{where}: csv.encoding"),
        decimal=_one_char(csv_opts.get("decimal", "."), f"{where}: csv.decimal"),
        thousands=str(csv_opts.get("thousands", "")),
        record=str(xml_opts.get("record", "")).strip("/"),
        groups=groups,
    )
    if fmt == "xml" and not mapping.record:
        raise MappingError(f"{where}: xml.record (the element path of one record) is required")
    if mapping.decimal == mapping.delimiter:
        raise MappingError(f"{where}: csv.decimal and csv.delimiter cannot be the same character")
    return mapping


def _column(name: str, kind: str, table: str, value: Any, default: str | None, where: str) -> ColumnRule:
    if kind not in _KINDS:
        raise MappingError(f"{where}: kind {kind} cannot be read from a file")
    if isinstance(value, str):
        value = {"source": value}
    if not isinstance(value, dict) or not isinstance(value.get("source"), str):
        raise MappingError(f"{where}: expected a header name or a table with `source`")
    formats = value.get("format", DEFAULT_FORMATS.get(kind, ()))
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    if formats and kind not in (LOCAL_TS, DATE):
        raise MappingError(f"{where}: format applies to times and dates only")
    zone = value.get("timezone", _CONNECTION_ZONE)
    if zone != _CONNECTION_ZONE:
        try:
            ZoneInfo(zone)
        except Exception as exc:  # noqa: BLE001 - ZoneInfo raises several types
            raise MappingError(f"{where}: unknown time zone {zone!r}") from exc
    values = value.get("values")
    if values is not None and (kind != TEXT or not isinstance(values, dict)):
        raise MappingError(f"{where}: values (a table of file value = canonical value) apply to text")
    return ColumnRule(
        name=name,
        kind=kind,
        table=table,
        source=value["source"],
        formats=formats,
        timezone=None if zone == _CONNECTION_ZONE else zone,
        values={str(k): str(v) for k, v in values.items()} if values is not None else None,
        default=default,
    )


def _group(raw: Any, layout: Layout, where: str) -> GroupRule:
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: each [[groups]] entry is a table")
    name = raw.get("table")
    try:
        child = layout.child(str(name))
    except KeyError:
        raise MappingError(
            f"{where}: groups.table {name!r} is not a child table of layout {layout.name}"
        ) from None
    try:
        pattern = re.compile(str(raw.get("headers", "")))
    except re.error as exc:
        raise MappingError(f"{where}: groups.headers is not a regular expression ({exc})") from exc
    kinds = {c.name: c.kind for c in child.columns}
    parent_key = set(layout.table.primary_key)
    captured = set(pattern.groupindex)
    expected = set(child.primary_key) - parent_key
    if captured != expected:
        raise MappingError(
            f"{where}: groups.headers must capture {', '.join(sorted(expected))} as named groups"
        )
    column = str(raw.get("column", ""))
    if column not in kinds or column in child.primary_key:
        raise MappingError(f"{where}: groups.column {column!r} is not a value column of {child.name}")
    return GroupRule(table=child.name, pattern=pattern, column=column, kind=kinds[column])


def _one_char(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) != 1:
        raise MappingError(f"{where}: expected one character, got {value!r}")
    return value


def _encoding(value: Any, where: str) -> str:
    try:
        name = codecs.lookup(str(value)).name
    except LookupError:
        raise MappingError(f"{where}: unknown encoding {value!r}") from None
    # a UTF-8 file may start with a byte-order mark: it is read either way
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name
