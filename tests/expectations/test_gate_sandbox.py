"""End to end on the sandbox warehouse (extracted by the real sources, built by dbt): what the gate lets through."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.errors import QualityGateBlocked, one_line_reason
from flows.quality import check_quality

pytestmark = pytest.mark.slow


def copy_with(built_warehouse, tmp_path: Path, *statements: tuple[str, list]):
    """A copy of the built warehouse with defects written into it (parameters only)."""
    settings = built_warehouse.copy_to(tmp_path / "data")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        for statement, params in statements:
            con.execute(statement, params)
    return settings


def test_the_sandbox_passes_with_its_below_cost_sales_as_warnings(built_warehouse, tmp_path: Path) -> None:
    settings = copy_with(built_warehouse, tmp_path)

    result = check_quality.fn(settings, "sandbox-clean")

    assert result.passed, result.render()
    assert not result.blocking_failures
    assert not result.errors
    # the only rows held back are the sale lines whose margin rate is outside the default bounds
    outside = built_warehouse.sql(
        "select order_line_key from marts.rpt_order_line_margins "
        "where fifo_margin_rate < -0.5 or fifo_margin_rate > 0.95 order by 1"
    )
    assert outside, "the sandbox sells some lines far below cost"
    assert result.quarantined == {"rpt_order_line_margins": [key for (key,) in outside]}
    # every sync model the push reads was checked
    checked = {o.suite for o in result.outcomes if o.success is not None}
    assert {"sync_prestashop__stock", "sync_prestashop__prices", "sync_dolibarr__orders"} <= checked


@pytest.mark.parametrize(
    ("defect", "check"),
    [
        (
            "update core.fct_stock_levels set quantity_on_hand = -2 "
            "where rowid = (select min(rowid) from core.fct_stock_levels)",
            "stock_levels.stock_not_negative",
        ),
        (
            "update core.fct_order_lines set sku = 'NOT-IN-ERP' "
            "where order_line_key = (select min(order_line_key) from core.fct_order_lines)",
            "order_lines.sku_known_to_erp",
        ),
    ],
    ids=["negative stock", "unknown SKU"],
)
def test_a_blocking_defect_stops_the_run_before_the_push(
    built_warehouse, tmp_path: Path, defect: str, check: str
) -> None:
    settings = copy_with(built_warehouse, tmp_path, (defect, []))

    with pytest.raises(QualityGateBlocked) as raised:
        check_quality.fn(settings, "sandbox-blocked")

    line = one_line_reason(raised.value)
    assert line.startswith("quality gate blocked")
    assert f"{check} (1 row, e.g. " in line
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        failed = con.execute(
            "select suite || '.' || expectation from audit.dq_results where run_id = ? and not success "
            "and severity = 'blocking'",
            ["sandbox-blocked"],
        ).fetchall()
    assert failed == [(check,)]


def test_a_warning_defect_quarantines_its_rows_and_lets_the_rest_through(
    built_warehouse, tmp_path: Path
) -> None:
    # GIVEN one SKU whose shop price differs from the ERP's (a price push is planned), priced below its cost
    sku = built_warehouse.ground_truth["price_mismatches"][0]["sku"]
    assert built_warehouse.sql("select count(*) from sync.sync_prestashop__prices where sku = ?", sku) == [
        (1,)
    ]
    pushes = built_warehouse.sql("select count(*) from sync.sync_prestashop__prices")[0][0]
    settings = copy_with(
        built_warehouse,
        tmp_path,
        ("update core.dim_products set price_excl_tax_eur = 0.01, cost_price_eur = 5 where sku = ?", [sku]),
    )

    result = check_quality.fn(settings, "sandbox-warned")

    assert result.status == "warned"
    assert result.quarantined["dim_products"] == [sku]
    assert result.quarantined["sync_prestashop__prices"] == [f"webshop:{sku}"]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        # what the push will send: every planned price but the quarantined one
        remaining = con.execute(
            """
            select count(*) from sync.sync_prestashop__prices as prices
            where not exists (
                select 1 from audit.quarantine
                where run_id = ? and model = 'sync_prestashop__prices' and record_key = prices.record_key
            )
            """,
            ["sandbox-warned"],
        ).fetchall()
    assert remaining == [(pushes - 1,)]


def test_orders_before_the_first_day_are_quarantined(built_warehouse, tmp_path: Path) -> None:
    from dataclasses import replace

    settings = copy_with(built_warehouse, tmp_path)
    first = built_warehouse.sql("select min(order_date) + 1 from core.fct_order_lines")[0][0]
    settings = replace(settings, merchant=replace(settings.merchant, first_day=first))
    early = built_warehouse.sql(
        "select order_line_key from core.fct_order_lines where order_date < ? order by 1", first
    )

    result = check_quality.fn(settings, "sandbox-first-day")

    assert isinstance(first, date) and early
    assert result.quarantined["fct_order_lines"] == sorted(key for (key,) in early)
