"""The dbt data tests fail on bad data: corrupt a copy of the built warehouse, and `dbt test` names the broken rule."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from fixtures_warehouse import BuiltWarehouse

from flows.build import WarehouseBuildError, run_dbt

CASES = [
    # (model to test, corrupting statement, the one test that must fail)
    (
        "dim_products",
        "insert into core.dim_products select * from core.dim_products limit 1",
        "test.omnicanal.unique_dim_products_sku.",
    ),
    (
        "fct_order_line_costs",
        "update core.fct_order_line_costs set fifo_margin = fifo_margin + 0.01 "
        "where order_line_key = (select min(order_line_key) from core.fct_order_line_costs)",
        "test.omnicanal.expression_is_true_fct_order_line_costs_fifo_margin_net_excl_tax_fifo_cost.",
    ),
    (
        "fct_stock_levels",
        "update core.fct_stock_levels set quantity_reserved = quantity_reserved + 1 "
        "where sku = (select min(sku) from core.fct_stock_levels)",
        "test.omnicanal.expression_is_true_fct_stock_levels_quantity_available_quantity_on_hand_quantity_reserved.",
    ),
    (
        "fct_order_lines",
        "update core.fct_order_lines set discount_excl_tax = discount_excl_tax + 1 "
        "where order_line_key = (select max(order_line_key) from core.fct_order_lines)",
        "test.omnicanal.expression_is_true_fct_order_lines_net_excl_tax_gross_excl_tax_discount_excl_tax.",
    ),
    (
        "rpt_channel_kpis_monthly",
        "insert into marts.rpt_channel_kpis_monthly select * from marts.rpt_channel_kpis_monthly "
        "where channel = 'ALL' limit 1",
        "test.omnicanal.unique_combination_rpt_channel_kpis_monthly_month__channel.",
    ),
    (
        "rpt_reconciliation",
        "update marts.rpt_reconciliation set channel_value = printf('%.2f', cast(channel_value as decimal(18, 2)) + 1) "
        "where field = 'net_excl_tax' and channel_connection = 'marketplace' and record_key = "
        "(select min(record_key) from marts.rpt_reconciliation where channel_connection = 'marketplace')",
        "test.omnicanal.rpt_reconciliation_amounts_agree_within_tolerance.",
    ),
]


@pytest.mark.parametrize(("model", "corruption", "failing_test"), CASES, ids=[c[0] for c in CASES])
def test_dbt_test_fails_on_the_intended_test(
    built_warehouse: BuiltWarehouse, tmp_path: Path, model: str, corruption: str, failing_test: str
) -> None:
    # GIVEN a copy of the built warehouse whose tests pass
    settings = built_warehouse.copy_to(tmp_path / "data")
    run_dbt(settings, ["--select", model], command="test")
    # WHEN one row breaks one rule
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(corruption)
    # THEN dbt test fails, on that test only
    with pytest.raises(WarehouseBuildError) as failure:
        run_dbt(settings, ["--select", model], command="test")
    message = str(failure.value)
    assert failing_test in message
    assert message.count("test.omnicanal.") == 1


def test_refused_costing_input_names_the_input_model_and_record(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    # GIVEN a customer return of more units than its line sold
    settings = built_warehouse.copy_to(tmp_path / "data")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        (return_key,) = con.execute(
            "select min(return_key) from core.fct_returns where return_type = 'customer'"
        ).fetchall()[0]
        con.execute("update core.fct_returns set quantity = 999 where return_key = ?", [return_key])
    # WHEN the costing runs, THEN the engine refuses the data set and says which record breaks which rule
    with pytest.raises(WarehouseBuildError, match="int_costing_outputs"):
        run_dbt(settings, ["--select", "int_costing_outputs"], command="run")
    log = (settings.data_dir / "work" / "dbt_logs" / "dbt.log").read_text(encoding="utf-8")
    assert f"int_costing__returns, record {return_key}: customer returns of sale line" in log
    assert "exceed the quantity sold" in log
