"""The static HTML report: margins and KPIs by channel and month, products, stock cover, reconciliation, quality."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from flows.report import svg

_TEMPLATES = Path(__file__).parent
METHODS = ("fifo", "wac", "wacp")
METHOD_LABELS = {"fifo": "real cost (FIFO)", "wac": "perpetual CMUP", "wacp": "periodic CMUP"}


@dataclass
class Section:
    """A report section: a title, charts (inline SVG) and tables (header + rows)."""

    title: str
    intro: str = ""
    charts: list[str] | None = None
    tables: list[tuple[str, list[str], list[list[Any]]]] | None = None


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
    rows += con.execute("select schema_name || '.' || view_name from duckdb_views()").fetchall()
    return {name for (name,) in rows}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _money(value: Any) -> str:
    return "" if value is None else f"{float(value):,.2f}"


def _rate(value: Any) -> str:
    return "" if value is None else f"{float(value) * 100:.1f} %"


def _ratio(value: Any) -> str:
    return "" if value is None else f"{float(value):.3f}"


def _days(value: Any) -> str:
    return "" if value is None else f"{float(value):,.1f}"


def _kpi_sections(con: duckdb.DuckDBPyConnection) -> list[Section]:
    rows = _rows(con, "select * from marts.rpt_channel_kpis_monthly order by month, channel")
    months = sorted({r["month"] for r in rows})
    channels = sorted({r["channel"] for r in rows if r["channel"] != "ALL"})
    by_key = {(r["month"], r["channel"]): r for r in rows}

    def series(column: str, channel_list: list[str]) -> dict[str, list[float | None]]:
        return {ch: [_num((by_key.get((m, ch)) or {}).get(column)) for m in months] for ch in channel_list}

    revenue = svg.grouped_bars(
        "Net revenue excl. VAT (EUR) per channel", months, series("net_revenue_ht", channels)
    )
    margins = svg.grouped_bars(
        "Gross margin (EUR), all channels, by costing method",
        months,
        {
            METHOD_LABELS[m]: [
                _num((by_key.get((mo, "ALL")) or {}).get(f"gross_margin_{m}")) for mo in months
            ]
            for m in METHODS
        },
    )
    rate = svg.lines(
        "Margin rate (taux de marque) at real cost (FIFO) per channel",
        months,
        series("margin_rate_fifo", [*channels, "ALL"]),
        percent=True,
    )
    last = months[-1] if months else None
    header = [
        "channel",
        "orders",
        "net revenue",
        "refunds",
        "margin FIFO",
        "rate FIFO",
        "margin CMUP",
        "rate CMUP",
        "margin periodic",
        "AOV",
        "new customers",
        "click & collect",
    ]
    table_rows = [
        [
            r["channel"],
            r["orders"],
            _money(r["net_revenue_ht"]),
            _money(r["refunds_ht"]),
            _money(r["gross_margin_fifo"]),
            _rate(r["margin_rate_fifo"]),
            _money(r["gross_margin_wac"]),
            _rate(r["margin_rate_wac"]),
            _money(r["gross_margin_wacp"]),
            _money(r["aov_ht"]),
            r["new_customers"],
            _rate(r["click_collect_share"]),
        ]
        for r in rows
        if r["month"] == last
    ]
    return [
        Section(
            "Revenue and margin by channel and month",
            "Net revenue excludes VAT; margins are gross margins before channel fees, at real cost (FIFO lots with "
            "landed costs), perpetual weighted average (CMUP) and periodic (monthly) CMUP.",
            charts=[revenue, margins, rate],
            tables=[(f"KPIs of {last}" if last else "KPIs", header, table_rows)],
        )
    ]


def _product_section(con: duckdb.DuckDBPyConnection) -> Section:
    rows = _rows(
        con,
        """
        select sku, any_value(product_name) as product_name, sum(quantity) as units,
               sum(net_excl_tax) as net, sum(fifo_margin) as margin
        from marts.rpt_order_line_margins
        where is_costed
        group by sku
        order by margin desc, sku
        """,
    )
    top, bottom = rows[:10], list(reversed(rows[-10:])) if len(rows) > 10 else []
    label = lambda r: f"{r['sku']} {r['product_name'] or ''}".strip()  # noqa: E731
    header = ["SKU", "product", "units", "net revenue", "margin FIFO", "rate"]

    def table(items: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [
                r["sku"],
                r["product_name"],
                r["units"],
                _money(r["net"]),
                _money(r["margin"]),
                _rate(r["margin"] / r["net"] if r["net"] else None),
            ]
            for r in items
        ]

    return Section(
        "Products by margin",
        "Real-cost (FIFO) gross margin over the whole history loaded, per SKU.",
        charts=[
            svg.horizontal_bars(
                "Top 10 products by margin (EUR)", [(label(r), float(r["margin"])) for r in top]
            ),
            svg.horizontal_bars(
                "Bottom 10 products by margin (EUR)", [(label(r), float(r["margin"])) for r in bottom]
            ),
        ],
        tables=[("Top 10", header, table(top)), ("Bottom 10", header, table(bottom))],
    )


def _stock_section(con: duckdb.DuckDBPyConnection) -> Section:
    last = con.execute("select max(month) from marts.rpt_product_kpis_monthly").fetchall()[0][0]
    totals = _rows(
        con, "select * from marts.rpt_product_kpis_monthly where month = ? and sku = 'ALL'", [last]
    )
    low_cover = _rows(
        con,
        """
        select sku, product_name, closing_qty, closing_value_fifo, days_of_cover_fifo, oos_rate
        from marts.rpt_product_kpis_monthly
        where month = ? and sku <> 'ALL' and days_of_cover_fifo is not null
        order by days_of_cover_fifo, sku
        limit 15
        """,
        [last],
    )
    values = []
    if totals:
        total = totals[0]
        values = [
            [
                METHOD_LABELS[m],
                _money(total[f"closing_value_{m}"]),
                _ratio(total[f"turnover_{m}"]),
                _days(total[f"days_of_cover_{m}"]),
            ]
            for m in METHODS
        ]
        oos = _rate(total["oos_rate"])
    else:
        oos = ""
    return Section(
        "Stock cover",
        f"Stock at the end of {last}: value per costing method, turnover and days of cover at the current pace of "
        f"cost of goods sold; out-of-stock rate over product-days: {oos}.",
        tables=[
            (
                "Stock value per method",
                ["method", "closing value", "turnover (month)", "days of cover"],
                values,
            ),
            (
                "Lowest cover (FIFO)",
                ["SKU", "product", "closing qty", "closing value", "days of cover", "out-of-stock rate"],
                [
                    [
                        r["sku"],
                        r["product_name"],
                        r["closing_qty"],
                        _money(r["closing_value_fifo"]),
                        _days(r["days_of_cover_fifo"]),
                        _rate(r["oos_rate"]),
                    ]
                    for r in low_cover
                ],
            ),
        ],
    )


def _reconciliation_section(con: duckdb.DuckDBPyConnection) -> Section:
    rows = _rows(
        con,
        """
        select entity, field, status, count(*) as records
        from marts.rpt_reconciliation
        group by all
        order by entity, field, status
        """,
    )
    differing = _rows(
        con,
        """
        select entity, record_key, field, erp_value, channel_connection, channel_value, status
        from marts.rpt_reconciliation
        where status <> 'agrees'
        order by entity, status, record_key, field
        limit 50
        """,
    )
    return Section(
        "Reconciliation: ERP versus channels",
        "Per record and field, the ERP value against each channel's value; the first 50 disagreements are listed.",
        tables=[
            ("Summary", ["entity", "field", "status", "records"], [list(r.values()) for r in rows]),
            (
                "Disagreements",
                ["entity", "key", "field", "ERP", "channel", "channel value", "status"],
                [list(r.values()) for r in differing],
            ),
        ],
    )


def _quality_section(con: duckdb.DuckDBPyConnection) -> Section:
    rows = _rows(
        con,
        """
        with last_run as (select run_id from audit.dq_results order by checked_at desc limit 1)
        select suite, expectation, severity,
               case when error is not null then 'error' when success then 'passed' else 'failed' end as outcome,
               failing_count
        from audit.dq_results
        where run_id = (select run_id from last_run)
        order by outcome <> 'passed' desc, severity, suite, expectation
        """,
    )
    quarantined = con.execute(
        "select count(*) from audit.quarantine where run_id = (select run_id from audit.dq_results "
        "order by checked_at desc limit 1)"
    ).fetchall()[0][0]
    return Section(
        "Data quality",
        f"Checks of the last run ({len(rows)} expectations, {quarantined} rows quarantined). Blocking failures stop "
        "the push; warnings hold back the offending rows only.",
        tables=[
            (
                "Checks",
                ["suite", "expectation", "severity", "outcome", "failing rows"],
                [list(r.values()) for r in rows],
            )
        ],
    )


def _push_section(con: duckdb.DuckDBPyConnection) -> Section:
    rows = _rows(
        con,
        """
        with last_run as (select run_id from audit.push_log order by pushed_at desc limit 1)
        select target, entity, status, count(distinct record_key) as records
        from audit.push_log where run_id = (select run_id from last_run)
        group by all order by target, entity, status
        """,
    )
    return Section(
        "Last push",
        "Records per target, entity and outcome.",
        tables=[("Push", ["target", "entity", "status", "records"], [list(r.values()) for r in rows])],
    )


def build_report(database: Path, output: Path, *, merchant: str = "", lineage: Path | None = None) -> Path:
    """Render the report from a warehouse file (opened read-only) into one self-contained HTML file.

    Args:
        database: the analysts' DuckDB file (or the working file).
        output: the HTML file to write (written to a temporary name, then renamed).
        merchant: the merchant's name for the title.
        lineage: the dbt docs page (lineage), linked from the report when given.

    Returns:
        The written path.
    """
    if not database.exists():
        raise FileNotFoundError(f"no warehouse at {database}: run `omnicanal demo` or `omnicanal run` first")
    con = duckdb.connect(str(database), read_only=True)
    try:
        present = _tables(con)
        sections: list[Section] = []
        missing: list[str] = []
        builders = [
            ("marts.rpt_channel_kpis_monthly", _kpi_sections),
            ("marts.rpt_order_line_margins", lambda c: [_product_section(c)]),
            ("marts.rpt_product_kpis_monthly", lambda c: [_stock_section(c)]),
            ("marts.rpt_reconciliation", lambda c: [_reconciliation_section(c)]),
            ("audit.dq_results", lambda c: [_quality_section(c)]),
            ("audit.push_log", lambda c: [_push_section(c)]),
        ]
        for table, build in builders:
            if table in present:
                sections += build(con)
            else:
                missing.append(table)
        last_run = (
            _rows(
                con,
                "select run_id, flow, status, finished_at from audit.runs order by started_at desc limit 1",
            )
            if "audit.runs" in present
            else []
        )
    finally:
        con.close()
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(
        merchant=merchant,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        database=str(database),
        sections=sections,
        missing=missing,
        last_run=last_run[0] if last_run else None,
        lineage=os.path.relpath(lineage, output.parent) if lineage else None,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, output)
    return output
