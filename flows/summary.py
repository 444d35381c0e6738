"""The run summary: what was extracted, built, checked and pushed, as text for the CLI and markdown for Prefect."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

# The KPI columns shown per channel in the summary (from marts.rpt_channel_kpis_monthly).
_KPI_COLUMNS = ("orders", "net_revenue_ht", "gross_margin_wac", "margin_rate_wac", "gross_margin_fifo")


@dataclass
class RunSummary:
    """Everything a person wants to see at the end of a run."""

    run_id: str
    status: str = "completed"
    extracted: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    pushes: list[str] = field(default_factory=list)
    writes: int = 0
    table_rows: dict[str, int] = field(default_factory=dict)
    kpis: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warehouse: Path | None = None

    def render(self) -> str:
        lines = [f"omnicanal run {self.run_id}: {self.status}"]
        if self.warehouse:
            lines.append(f"warehouse: {self.warehouse}")
        for title, items in (
            ("extracted", self.extracted),
            ("built", self.built),
            ("checks", self.checks),
            ("pushes", self.pushes),
        ):
            if items:
                lines.append(f"{title}:")
                lines += [f"  {item}" for item in items]
        lines.append(f"writes: {self.writes} write{'s' if self.writes != 1 else ''}")
        if self.table_rows:
            lines.append("rows per table:")
            width = max(len(name) for name in self.table_rows)
            lines += [f"  {name:<{width}} {count:>10,}" for name, count in self.table_rows.items()]
        if self.kpis:
            lines.append("KPIs per channel (last complete month):")
            lines += [_kpi_line(row) for row in self.kpis]
        lines += self.notes
        return "\n".join(lines)

    def markdown(self) -> str:
        parts = [f"# omnicanal run `{self.run_id}`: {self.status}", ""]
        for title, items in (
            ("Extracted", self.extracted),
            ("Built", self.built),
            ("Checks", self.checks),
            ("Pushes", self.pushes),
        ):
            if items:
                parts += [f"## {title}", *[f"- {item}" for item in items], ""]
        parts.append(f"**{self.writes} writes**")
        if self.kpis:
            header = ["month", "channel", *_KPI_COLUMNS]
            parts += ["", "## KPIs per channel", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            parts += ["| " + " | ".join(_fmt(row.get(col)) for col in header) + " |" for row in self.kpis]
        return "\n".join(parts)


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def _kpi_line(row: dict[str, Any]) -> str:
    return "  " + "  ".join(f"{key}={_fmt(row.get(key))}" for key in ("month", "channel", *_KPI_COLUMNS))


def table_row_counts(
    path: Path, schemas: tuple[str, ...] = ("core", "marts", "sync", "audit")
) -> dict[str, int]:
    """Rows per table of the modelled schemas, and per raw_<connection> schema in total (read-only).

    dlt's own bookkeeping tables and its `<dataset>_staging` merge schemas are left out.
    """
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            """
            select schema_name, table_name from duckdb_tables()
            where database_name = current_database()
              and (schema_name in (select unnest(?::varchar[]))
                   or (schema_name like 'raw\\_%' escape '\\' and schema_name not like '%\\_staging' escape '\\'))
              and table_name not like '\\_dlt%' escape '\\'
            order by schema_name like 'raw\\_%' escape '\\' desc, schema_name, table_name
            """,
            [list(schemas)],
        ).fetchall()
        counts: dict[str, int] = {}
        for schema, table in tables:
            ident = f'"{schema}"."{table}"'  # identifiers come from the catalog, not from input
            rows = con.execute(f"select count(*) from {ident}").fetchall()[0][0]  # noqa: S608
            key = f"{schema} (all tables)" if schema.startswith("raw_") else f"{schema}.{table}"
            counts[key] = counts.get(key, 0) + rows
        return counts
    finally:
        con.close()


def latest_channel_kpis(path: Path) -> list[dict[str, Any]]:
    """The last complete month's KPI row per channel (and ALL), when the mart exists."""
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' "
            "and table_name = 'rpt_channel_kpis_monthly'"
        ).fetchall()[0][0]
        if not exists:
            return []
        frame = con.execute(
            """
            with months as (select distinct month from marts.rpt_channel_kpis_monthly)
            select * from marts.rpt_channel_kpis_monthly
            where month = (select max(month) from months where month < strftime(current_date, '%Y-%m'))
               or (select count(*) from months) = 1
            order by channel = 'ALL', channel
            """
        ).df()
        return [
            {k: (None if v != v else v) for k, v in row.items()}  # NaN -> None
            for row in frame.to_dict(orient="records")
        ]
    finally:
        con.close()
