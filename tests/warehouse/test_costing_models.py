"""The costing models are the engine's own results on the warehouse's inputs, and the KPI marts add up."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from fixtures_warehouse import BuiltWarehouse

from warehouse.costing import compute_costs

INPUT_MODELS = {
    "products": "int_costing__products",
    "fx_rates": "int_costing__fx_rates",
    "receipts": "int_costing__receipts",
    "landed_costs": "int_costing__landed_costs",
    "sales": "int_costing__sales",
    "returns": "int_costing__returns",
    "adjustments": "int_costing__adjustments",
}
# (engine output, model, {engine column: model column} where the model renames)
MODELS = [
    (
        "line_costs",
        "core.fct_order_line_costs",
        {
            "line_id": "order_line_key",
            "order_id": "order_key",
            "datetime": "ordered_at_local",
            "product_id": "sku",
            "qty": "quantity",
            "gross_ht": "gross_excl_tax",
            "discount_ht": "discount_excl_tax",
            "net_ht": "net_excl_tax",
        },
    ),
    (
        "receipt_costs",
        "core.fct_cost_layers",
        {"line_id": "receipt_line_key", "product_id": "sku", "qty": "quantity", "currency": "currency_code"},
    ),
    (
        "movement_costs",
        "core.fct_movement_costs",
        {
            "movement_id": "movement_key",
            "type": "movement_type",
            "datetime": "moved_at_local",
            "product_id": "sku",
            "qty": "quantity",
            "refund_ht": "refund_excl_tax",
        },
    ),
    ("kpis", "marts.rpt_channel_kpis_monthly", {}),
    ("product_kpis", "marts.rpt_product_kpis_monthly", {"product_id": "sku"}),
]
ADDITIVE = [
    "orders",
    "units_sold",
    "gross_revenue_ht",
    "discounts_ht",
    "net_revenue_ht",
    "refunds_ht",
    "units_returned",
    "net_revenue_after_refunds_ht",
    "cogs_fifo",
    "gross_margin_fifo",
    "cogs_wac",
    "gross_margin_wac",
    "cogs_wacp",
    "gross_margin_wacp",
]


@pytest.fixture(scope="module")
def engine_run(built_warehouse: BuiltWarehouse):
    """The engine run directly on the seven input models of the built warehouse."""
    with duckdb.connect(str(built_warehouse.path), read_only=True) as con:
        tables = {
            name: con.sql(f"select * from core.{model}").to_arrow_table()  # noqa: S608 - fixed names
            for name, model in INPUT_MODELS.items()
        }
    return compute_costs(tables)


@pytest.mark.parametrize(("output", "model", "renames"), MODELS, ids=[m[1] for m in MODELS])
def test_costing_models_equal_the_engine_run(
    built_warehouse: BuiltWarehouse, engine_run, output: str, model: str, renames: dict[str, str]
) -> None:
    expected = getattr(engine_run, output).to_pylist()
    assert expected, f"the engine produced no {output}"
    columns = [renames.get(name, name) for name in getattr(engine_run, output).column_names]
    rows = built_warehouse.sql(f"select {', '.join(columns)} from {model}")  # noqa: S608 - fixed names
    key = lambda row: tuple(str(v) for v in row)  # noqa: E731
    assert sorted(rows, key=key) == sorted((tuple(r.values()) for r in expected), key=key)


def test_below_cost_line_shows_a_negative_margin(built_warehouse: BuiltWarehouse) -> None:
    (below,) = built_warehouse.ground_truth["below_cost_lines"]
    (line,) = built_warehouse.records(
        "select * from marts.rpt_order_line_margins where order_ref = ? and sku = ?",
        below["order_ref"],
        below["sku"],
    )
    assert line["channel"] == below["channel"] and line["is_below_cost_fifo"]
    assert line["net_excl_tax"] == Decimal(str(below["unit_price_excl_tax"])) * line["quantity"]
    for method in ("fifo", "wac", "wacp"):
        assert line[f"{method}_margin"] == line["net_excl_tax"] - line[f"{method}_cost"] < 0
    # the real cost is at least the ERP's unit cost of the goods (landed costs come on top)
    assert line["fifo_cost"] >= Decimal(str(below["unit_cost"])) * line["quantity"]


def test_sold_before_received_is_settled_at_the_later_receipt(built_warehouse: BuiltWarehouse) -> None:
    case = built_warehouse.ground_truth["costing_edge_cases"]["negative_stock"]
    (line,) = built_warehouse.records(
        "select * from marts.rpt_order_line_margins where order_ref = ? and sku = ?",
        case["shop_order_reference"],
        case["sku"],
    )
    assert line["negative_stock_qty"] > 0 and line["fifo_cost"] > 0


def test_channels_add_up_to_all(built_warehouse: BuiltWarehouse) -> None:
    sums = ", ".join(
        f"sum({c}) filter (where channel <> 'ALL') - sum({c}) filter (where channel = 'ALL')"
        for c in ADDITIVE
    )
    rows = built_warehouse.sql(f"select month, {sums} from marts.rpt_channel_kpis_monthly group by month")  # noqa: S608
    assert len(rows) >= 6
    for month, *differences in rows:
        assert all(d == 0 for d in differences), (month, dict(zip(ADDITIVE, differences, strict=True)))
    # each customer is new once, in the channel of their first order, so new customers add up too
    assert built_warehouse.sql(
        "select count(*) from (select month from marts.rpt_channel_kpis_monthly group by month "
        "having sum(new_customers) filter (where channel <> 'ALL') <> sum(new_customers) filter (where channel = 'ALL'))"
    ) == [(0,)]


def test_days_add_up_to_months(built_warehouse: BuiltWarehouse) -> None:
    columns = [c for c in ADDITIVE if c != "orders"] + ["orders"]
    daily = built_warehouse.sql(
        f"select month, channel, {', '.join(f'sum({c})' for c in columns)} from marts.rpt_channel_kpis_daily "  # noqa: S608
        "group by all order by all"
    )
    monthly = built_warehouse.sql(
        f"select month, channel, {', '.join(columns)} from marts.rpt_channel_kpis_monthly "  # noqa: S608
        "where orders > 0 or refunds_ht <> 0 order by all"
    )
    assert daily == monthly


def test_products_add_up_to_all(built_warehouse: BuiltWarehouse) -> None:
    columns = [
        "units_sold",
        "closing_qty",
        "cogs_fifo",
        "closing_value_fifo",
        "closing_value_wac",
        "oos_days",
    ]
    sums = ", ".join(
        f"sum({c}) filter (where sku <> 'ALL') = sum({c}) filter (where sku = 'ALL')" for c in columns
    )
    rows = built_warehouse.sql(f"select month, {sums} from marts.rpt_product_kpis_monthly group by month")  # noqa: S608
    assert rows and all(all(row[1:]) for row in rows)


def test_margins_reuse_the_engine_margin(built_warehouse: BuiltWarehouse) -> None:
    assert built_warehouse.sql(
        "select count(*), count(*) filter (where m.fifo_margin = c.fifo_margin and m.wac_margin = c.wac_margin "
        "and m.wacp_margin = c.wacp_margin) from marts.rpt_order_line_margins m "
        "join core.fct_order_line_costs c using (order_line_key)"
    )[0] == tuple([built_warehouse.sql("select count(*) from core.fct_order_line_costs")[0][0]] * 2)
