"""The flat-file destination: reconciled referentials and channel orders written as CSV or XML files.

For systems that import files (an ERP reading orders from a folder, a POS or a marketplace reading a
product, price or stock file). Each file is written atomically and described by a manifest written after
it: `<file>.manifest.json` (file name, rows, sha256, generated_at, source run id); an importer waits for
the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from destinations.flatfiles.layouts import ExportLayout, LayoutError, load_layout
from destinations.flatfiles.writers import AtomicFile, CsvRows, ExportError, Formatter, XmlRows

__all__ = ["ExportError", "ExportResult", "LayoutError", "export_files", "export_layout", "load_layout"]

MANIFEST_SUFFIX = ".manifest.json"
_FETCH_ROWS = 10_000


@dataclass(frozen=True)
class ExportResult:
    """One written file and its manifest."""

    layout: str
    path: Path
    manifest: Path
    rows: int
    sha256: str

    def render(self) -> str:
        return f"{self.layout}: {self.rows:,} rows -> {self.path} (sha256 {self.sha256[:12]}...)"


def export_files(
    warehouse: Path | str,
    target_dir: Path | str,
    layouts: list[str | Path],
    *,
    run_id: str,
    connection: str = "files",
    parameters: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> list[ExportResult]:
    """Write one file per layout from the warehouse into `target_dir`, each with its manifest.

    Args:
        warehouse: the DuckDB file (opened read-only).
        target_dir: the folder the importing system reads (created if needed; local filesystem).
        layouts: ready layout names (`products_fr`, `prices`, `channel_stock`, `channel_orders_xml`) or
            TOML files.
        run_id: the run that built the warehouse (written in each manifest).
        connection: the connection the files are for (`{connection}` in file names and filters).
        parameters: values layouts refer to (`{connection}` is always there; e.g. `safety_buffer`).
        now: the generation time (default: now, UTC).

    Returns:
        One result per layout, in order.

    Raises:
        LayoutError: a layout cannot be used (unknown relation or column included).
        ExportError: a value cannot be written (e.g. a character the file's encoding lacks); nothing of
            that file appears.
    """
    params = {"connection": connection, **(parameters or {})}
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            export_layout(
                con, load_layout(layout), Path(target_dir), run_id=run_id, parameters=params, now=moment
            )
            for layout in layouts
        ]


def export_layout(
    con: duckdb.DuckDBPyConnection,
    layout: ExportLayout,
    target_dir: Path,
    *,
    run_id: str,
    parameters: dict[str, Any],
    now: datetime,
) -> ExportResult:
    """Write one layout's file and then its manifest (see `export_files`)."""
    query, values = _query(con, layout, parameters)
    name = layout.file_name.format(
        date=now.strftime("%Y%m%d"),
        time=now.strftime("%H%M%S"),
        connection=parameters.get("connection", ""),
        layout=layout.name,
    )
    cursor = con.execute(query, values)
    rows = 0
    formatter = Formatter(layout, parameters)
    with AtomicFile(target_dir / name) as atomic:
        out = (CsvRows if layout.format == "csv" else XmlRows)(atomic.file, layout, formatter)
        while batch := cursor.fetchmany(_FETCH_ROWS):
            out.add(batch, rows + 1)
            rows += len(batch)
        out.close()
    manifest = {
        "file": name,
        "layout": layout.name,
        "format": layout.format,
        "rows": rows,
        "bytes": atomic.file.size,
        "sha256": atomic.sha256,
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source_run_id": run_id,
        "source_relation": layout.relation,
    }
    manifest_path = target_dir / f"{name}{MANIFEST_SUFFIX}"
    with AtomicFile(manifest_path) as atomic_manifest:
        atomic_manifest.file.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return ExportResult(layout.name, target_dir / name, manifest_path, rows, atomic.sha256)


def _query(
    con: duckdb.DuckDBPyConnection, layout: ExportLayout, parameters: dict[str, Any]
) -> tuple[str, list[Any]]:
    """The SELECT of a layout: identifiers checked against the relation, every value a parameter."""
    schema, table = layout.relation.split(".")
    existing = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    if not existing:
        raise LayoutError(
            f"export layout {layout.name}: relation {layout.relation} does not exist in the warehouse"
        )
    unknown = [c for c in layout.referenced_columns if c not in existing]
    if unknown:
        raise LayoutError(
            f"export layout {layout.name}: {layout.relation} has no column {', '.join(unknown)}"
        )
    conditions: list[str] = []
    values: list[Any] = []
    for column, wanted in layout.where.items():
        choices = wanted if isinstance(wanted, list) else [wanted]
        resolved = [_resolve(layout, choice, parameters) for choice in choices]
        conditions.append(f'"{column}" in ({", ".join("?" for _ in resolved)})')
        values.extend(resolved)
    for column, is_null in layout.where_null.items():
        conditions.append(f'"{column}" is {"" if is_null else "not "}null')
    selected = ", ".join(f'"{c.column}"' for c in layout.columns)
    query = f'select {selected} from "{schema}"."{table}"'  # noqa: S608 - identifiers checked above, values are parameters
    if conditions:
        query += " where " + " and ".join(conditions)
    if layout.order_by:
        query += " order by " + ", ".join(f'"{c}"' for c in layout.order_by)
    return query, values


def _resolve(layout: ExportLayout, value: Any, parameters: dict[str, Any]) -> Any:
    """A filter value, or the export parameter it names (`{connection}`)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        name = value[1:-1]
        if name not in parameters:
            raise ExportError(f"export layout {layout.name}: parameter {name!r} is needed (where)")
        return parameters[name]
    return value
