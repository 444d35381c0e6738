"""Export layouts: which warehouse relation becomes which file (columns, formats, grouping), read from TOML."""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LAYOUTS_DIR = Path(__file__).resolve().parent / "layouts"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_RELATION = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
_XML_NAME = re.compile(r"^@?[A-Za-z_][A-Za-z0-9_.-]*$")
_READY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = ("text", "integer", "decimal", "date", "datetime", "boolean")


class LayoutError(ValueError):
    """An export layout that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ExportColumn:
    """One output field.

    Attributes:
        header: the CSV header, or the XML element name (`@name` for an attribute).
        column: the relation's column it comes from.
        kind: how the value is written: text, integer, decimal (`places` decimals), date or datetime
            (`format`, in the layout's zone), boolean (`true`/`false` words).
        places: decimals of a decimal (rounded half-even).
        format: strftime format of a date or datetime.
        subtract: an export parameter subtracted from the value (e.g. a channel's safety buffer).
        at_least: the lowest value written (e.g. 0: never a negative stock).
        group: XML only: the field belongs to the group element (the order), not the record (the line).
        true, false: the words of a boolean.
    """

    header: str
    column: str
    kind: str = "text"
    places: int = 2
    format: str = ""
    subtract: str | None = None
    at_least: int | None = None
    group: bool = False
    true: str = "1"
    false: str = "0"


@dataclass(frozen=True)
class ExportLayout:
    """A file layout for a system that imports files.

    Attributes:
        name: the layout's name (file stem).
        relation: `schema.table` of the warehouse to read.
        format: `csv` or `xml`.
        file_name: the file's name; `{date}` (UTC, YYYYMMDD), `{time}` (HHMMSS), `{connection}` and
            `{layout}` are filled in.
        columns: the output fields, in order.
        order_by: columns the rows are sorted by (XML groups need their keys first).
        where: column = value (or list of values) filters; a value `{parameter}` takes an export parameter.
        where_null: column = true (must be null) or false (must not be null).
        timezone: the zone dates and times are written in.
        delimiter, quote, encoding, decimal, line_terminator, bom: CSV writing.
        root, record, group, group_by, lines: XML: the root element, one record element per row, and
            optionally a group element per `group_by` key (with a `lines` container for its records).
    """

    name: str
    relation: str
    format: str
    file_name: str
    columns: tuple[ExportColumn, ...]
    order_by: tuple[str, ...] = ()
    where: dict[str, Any] = field(default_factory=dict)
    where_null: dict[str, bool] = field(default_factory=dict)
    timezone: str = "UTC"
    delimiter: str = ","
    quote: str = '"'
    encoding: str = "utf-8"
    decimal: str = "."
    line_terminator: str = "\r\n"
    bom: bool = False
    root: str = "Export"
    record: str = "Row"
    group: str = ""
    group_by: tuple[str, ...] = ()
    lines: str = ""

    @property
    def referenced_columns(self) -> list[str]:
        names = [c.column for c in self.columns] + list(self.order_by) + list(self.group_by)
        return list(dict.fromkeys([*names, *self.where, *self.where_null]))


def load_layout(layout: str | Path) -> ExportLayout:
    """Read and check a layout: the name of a ready layout (`products_fr`) or a TOML file.

    Raises:
        LayoutError: unreadable file or a key that cannot be used.
    """
    path = LAYOUTS_DIR / f"{layout}.toml" if _READY_NAME.match(str(layout)) else Path(layout)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LayoutError(f"export layout {path}: cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"export layout {path}: not valid TOML ({exc})") from exc
    return parse_layout(raw, path)


def parse_layout(raw: dict[str, Any], path: Path) -> ExportLayout:
    """Check a parsed layout (see `load_layout`)."""
    where = f"export layout {path}"
    fmt = raw.get("format", "csv")
    if fmt not in ("csv", "xml"):
        raise LayoutError(f"{where}: format must be 'csv' or 'xml', got {fmt!r}")
    relation = str(raw.get("relation", ""))
    if not _RELATION.match(relation):
        raise LayoutError(f"{where}: relation must be schema.table in lower case, got {relation!r}")
    columns = tuple(_column(c, fmt, f"{where}: columns[{i}]") for i, c in enumerate(raw.get("columns", [])))
    if not columns:
        raise LayoutError(f"{where}: at least one column is needed")
    csv_opts, xml_opts = raw.get("csv", {}), raw.get("xml", {})
    zone = str(raw.get("timezone", "UTC"))
    try:
        ZoneInfo(zone)
    except Exception as exc:  # noqa: BLE001 - ZoneInfo raises several types
        raise LayoutError(f"{where}: unknown time zone {zone!r}") from exc
    encoding = str(csv_opts.get("encoding", "utf-8"))
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise LayoutError(f"{where}: unknown encoding {encoding!r}") from None
    layout = ExportLayout(
        name=path.stem,
        relation=relation,
        format=fmt,
        file_name=str(raw.get("file_name", f"{{layout}}_{{date}}_{{time}}.{fmt}")),
        columns=columns,
        order_by=tuple(raw.get("order_by", ())),
        where=dict(raw.get("where", {})),
        where_null={str(k): bool(v) for k, v in raw.get("where_null", {}).items()},
        timezone=zone,
        delimiter=str(csv_opts.get("delimiter", ",")),
        quote=str(csv_opts.get("quote", '"')),
        encoding=encoding,
        decimal=str(csv_opts.get("decimal", ".")),
        line_terminator=str(csv_opts.get("line_terminator", "\r\n")),
        bom=bool(csv_opts.get("bom", False)),
        root=str(xml_opts.get("root", "Export")),
        record=str(xml_opts.get("record", "Row")),
        group=str(xml_opts.get("group", "")),
        group_by=tuple(xml_opts.get("group_by", ())),
        lines=str(xml_opts.get("lines", "")),
    )
    for name in layout.referenced_columns:
        if not _IDENTIFIER.match(name):
            raise LayoutError(f"{where}: {name!r} is not a column name (lower case, digits, _)")
    if fmt == "xml":
        for name in (
            layout.root,
            layout.record,
            *([layout.group] if layout.group else []),
            *([layout.lines] if layout.lines else []),
        ):
            if not _XML_NAME.match(name) or name.startswith("@"):
                raise LayoutError(f"{where}: {name!r} is not an XML element name")
        if bool(layout.group) != bool(layout.group_by):
            raise LayoutError(f"{where}: xml.group and xml.group_by go together")
        if layout.group_by and tuple(layout.order_by[: len(layout.group_by)]) != layout.group_by:
            raise LayoutError(f"{where}: order_by must start with xml.group_by so each group is written once")
    elif len(layout.delimiter) != 1 or len(layout.decimal) != 1 or layout.delimiter == layout.decimal:
        raise LayoutError(f"{where}: csv.delimiter and csv.decimal are one different character each")
    if "/" in layout.file_name or "\\" in layout.file_name or layout.file_name.startswith("."):
        raise LayoutError(f"{where}: file_name is a plain file name, got {layout.file_name!r}")
    return layout


def _column(raw: Any, fmt: str, where: str) -> ExportColumn:
    if not isinstance(raw, dict) or "header" not in raw or "column" not in raw:
        raise LayoutError(f"{where}: a column is a table with `header` and `column`")
    kind = str(raw.get("kind", "text"))
    if kind not in KINDS:
        raise LayoutError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    header = str(raw["header"])
    if fmt == "xml" and not _XML_NAME.match(header):
        raise LayoutError(f"{where}: {header!r} is not an XML element or @attribute name")
    default_format = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%SZ"}.get(kind, "")
    return ExportColumn(
        header=header,
        column=str(raw["column"]),
        kind=kind,
        places=int(raw.get("places", 2)),
        format=str(raw.get("format", default_format)),
        subtract=raw.get("subtract"),
        at_least=raw.get("at_least"),
        group=bool(raw.get("group", False)),
        true=str(raw.get("true", "1")),
        false=str(raw.get("false", "0")),
    )
