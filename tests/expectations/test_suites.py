"""Every suite twice: the good rows pass, and a bad row fails on the intended check with its count and keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from quality_fixtures import FIRST_DAY, failed, gate, good_tables, outcome, sql

from expectations.suite import Bounds
from expectations.suites import (
    SUITES,
    customers,
    erp_order_lines,
    fx_rates,
    order_line_margins,
    order_lines,
    products,
    receipt_lines,
    stock_levels,
    sync_dolibarr__customers,
    sync_dolibarr__orders,
    sync_prestashop__order_status,
    sync_prestashop__prices,
    sync_prestashop__products,
    sync_prestashop__stock,
    web_orders,
)


@pytest.mark.parametrize("builder", SUITES, ids=lambda b: b.__module__.rsplit(".", 1)[-1])
def test_good_rows_pass_every_check(tmp_path: Path, builder: Callable) -> None:
    result = gate(tmp_path, [builder])
    assert result.status == "passed", result.render()
    ran = [o for o in result.outcomes if o.success is not None]
    assert ran and all(o.success for o in ran)
    # GIVEN a first day, no check of the suite was skipped as not applicable
    assert not [o for o in result.outcomes if (o.observed_value or "").startswith("not applicable")]


def with_change(table: str, change: Callable[[pd.DataFrame], None]) -> dict[str, pd.DataFrame]:
    tables = good_tables()
    change(tables[table])
    return tables


def set_cell(column: str, row: int, value: object) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        if value is None or isinstance(value, float):
            frame[column] = frame[column].astype("object")
        frame.loc[row, column] = value

    return change


def both(*changes: Callable[[pd.DataFrame], None]) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        for one in changes:
            one(frame)

    return change


# (suite builder, table, change, failing check, status, failing count, sample keys)
BAD_CASES = [
    (products.suite, "core.dim_products", set_cell("ean13", 1, "5901234123458"),
     "products.ean13_check_digit", "warned", 1, ["SKU-B"]),
    # a product without cost, so that only the price check can fail
    (products.suite, "core.dim_products",
     both(set_cell("price_excl_tax_eur", 0, 0.0), set_cell("weighted_average_cost_eur", 0, None),
          set_cell("cost_price_eur", 0, None)),
     "products.price_positive", "warned", 1, ["SKU-A"]),
    (products.suite, "core.dim_products", set_cell("price_excl_tax_eur", 1, 7.99),
     "products.price_not_below_cost", "warned", 1, ["SKU-B"]),
    (products.suite, "core.dim_products", set_cell("sku", 1, "SKU-A"),
     "products.key_unique", "blocked", 2, ["SKU-A", "SKU-A"]),
    (stock_levels.suite, "core.fct_stock_levels", set_cell("quantity_on_hand", 2, -3.0),
     "stock_levels.stock_not_negative", "blocked", 1, ["SKU-B|erp|1"]),
    (stock_levels.suite, "core.fct_stock_levels", set_cell("quantity_reserved", 0, 0.5),
     "stock_levels.reserved_whole", "blocked", 1, ["SKU-A|erp|1"]),
    (stock_levels.suite, "core.fct_stock_levels", set_cell("warehouse_id", 1, "1"),
     "stock_levels.key_unique", "blocked", 2, ["SKU-A|erp|1", "SKU-A|erp|1"]),
    (customers.suite, "core.dim_customer_links", set_cell("email_raw", 1, "agathe.laurent@exemple"),
     "customers.email_well_formed", "warned", 1, ["webshop:1"]),
    (customers.suite, "core.dim_customer_links", set_cell("golden_customer_id", 0, None),
     "customers.golden_customer_present", "blocked", 1, ["erp:17"]),
    (fx_rates.suite, "core.fct_fx_rates", set_cell("currency_code", 1, "UKP"),
     "fx_rates.currency_code_iso_4217", "blocked", 1, ["UKP|2026-06-01"]),
    (fx_rates.suite, "core.fct_fx_rates", set_cell("units_per_eur", 0, 0.0),
     "fx_rates.rate_positive", "blocked", 1, ["USD|2026-06-01"]),
    (receipt_lines.suite, "core.fct_receipt_lines", set_cell("unit_price_excl_tax", 1, -1.0),
     "receipt_lines.unit_price_not_negative", "blocked", 1, ["erp:2"]),
    (receipt_lines.suite, "core.fct_receipt_lines",
     set_cell("received_at", 0, pd.Timestamp("2026-12-01 08:00", tz="UTC")),
     "receipt_lines.received_at_not_in_future", "warned", 1, ["erp:1"]),
    (receipt_lines.suite, "core.fct_receipt_lines",
     set_cell("received_at_local", 1, pd.Timestamp("2026-04-30 23:59")),
     "receipt_lines.received_at_local_not_before_first_day", "warned", 1, ["erp:2"]),
    (erp_order_lines.suite, "staging.stg_dolibarr__order_lines", set_cell("quantity", 0, 2.5),
     "erp_order_lines.product_quantity_whole", "blocked", 1, ["erp|10"]),
    (web_orders.suite, "staging.stg_prestashop__orders", set_cell("total_paid_excl_tax", 0, 24.52),
     "web_orders.total_matches_lines", "warned", 1, ["webshop|1"]),
    (web_orders.suite, "staging.stg_prestashop__orders", set_cell("currency_code", 1, "eur"),
     "web_orders.currency_code_iso_4217", "blocked", 1, ["webshop|2"]),
    (order_lines.suite, "core.fct_order_lines", set_cell("sku", 2, "SKU-ZZZ"),
     "order_lines.sku_known_to_erp", "blocked", 1, ["erp:7"]),
    (order_lines.suite, "core.fct_order_lines", set_cell("sku", 0, None),
     "order_lines.sku_present", "blocked", 1, ["webshop:1"]),
    (order_lines.suite, "core.fct_order_lines", set_cell("golden_customer_id", 1, None),
     "order_lines.channel_order_linked_to_customer", "warned", 1, ["webshop:2"]),
    (order_lines.suite, "core.fct_order_lines",
     set_cell("ordered_at", 2, pd.Timestamp("2026-11-29 09:00:01", tz="UTC")),
     "order_lines.ordered_at_not_in_future", "warned", 1, ["erp:7"]),
    (order_lines.suite, "core.fct_order_lines", set_cell("order_date", 2, date(2026, 4, 30)),
     "order_lines.order_date_not_before_first_day", "warned", 1, ["erp:7"]),
    (order_line_margins.suite, "marts.rpt_order_line_margins", set_cell("fifo_margin_rate", 1, -0.75),
     "order_line_margins.margin_rate_within_bounds", "warned", 1, ["webshop:2"]),
    (sync_prestashop__stock.suite, "sync.sync_prestashop__stock", set_cell("desired_value", 1, "-1"),
     "sync_prestashop__stock.desired_quantity_not_negative", "blocked", 1, ["webshop:SKU-B"]),
    (sync_prestashop__stock.suite, "sync.sync_prestashop__stock", set_cell("desired_value", 0, "2.5"),
     "sync_prestashop__stock.desired_quantity_whole", "blocked", 1, ["webshop:SKU-A"]),
    (sync_prestashop__stock.suite, "sync.sync_prestashop__stock", set_cell("desired_value", 0, "four"),
     "sync_prestashop__stock.desired_quantity_numeric", "blocked", 1, ["webshop:SKU-A"]),
    (sync_prestashop__stock.suite, "sync.sync_prestashop__stock", set_cell("record_key", 1, "webshop:SKU-A"),
     "sync_prestashop__stock.key_unique", "blocked", 2, ["webshop:SKU-A", "webshop:SKU-A"]),
    (sync_prestashop__prices.suite, "sync.sync_prestashop__prices", set_cell("desired_value", 0, "0.000000"),
     "sync_prestashop__prices.desired_price_positive", "warned", 1, ["webshop:SKU-B"]),
    (sync_prestashop__products.suite, "sync.sync_prestashop__products",
     set_cell("desired_value", 0, "4006381333932"),
     "sync_prestashop__products.desired_ean13_check_digit", "warned", 1, ["webshop:SKU-A"]),
    (sync_prestashop__order_status.suite, "sync.sync_prestashop__order_status",
     set_cell("desired_value", 0, "shipped"),
     "sync_prestashop__order_status.desired_state_id", "blocked", 1, ["webshop:ABCDEFGHI"]),
    (sync_prestashop__order_status.suite, "sync.sync_prestashop__order_status",
     set_cell("desired_value", 1, "6A1234567890é"),
     "sync_prestashop__order_status.desired_tracking_number", "warned", 1, ["webshop:ABCDEFGHI"]),
    (sync_dolibarr__customers.suite, "sync.sync_dolibarr__customers", set_cell("desired_value", 0, "agathe@"),
     "sync_dolibarr__customers.desired_email_well_formed", "warned", 1, ["erp:17"]),
    (sync_dolibarr__orders.suite, "sync.sync_dolibarr__orders", set_cell("net_excl_tax", 1, -5.0),
     "sync_dolibarr__orders.net_not_negative", "warned", 1, ["webshop:JKLMNOPQR"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("builder", "table", "change", "check", "status", "count", "keys"),
    BAD_CASES,
    ids=[case[3] for case in BAD_CASES],
)
def test_bad_row_fails_on_the_intended_check(
    tmp_path: Path, builder, table, change, check, status, count, keys
) -> None:
    result = gate(tmp_path, [builder], with_change(table, change))

    assert failed(result) == [check]
    assert result.status == status
    found = outcome(result, check)
    assert found.failing_count == count
    assert list(found.sample_keys) == keys
    # the results table holds the same verdict
    assert sql(
        tmp_path / "warehouse.duckdb",
        "select success, failing_count, sample_keys from audit.dq_results where run_id = ? "
        "and suite || '.' || expectation = ?",
        "run-1",
        check,
    ) == [(False, count, json.dumps(keys))]


def test_warning_rows_are_quarantined_with_reason_and_record(tmp_path: Path) -> None:
    tables = with_change("core.dim_products", set_cell("ean13", 1, "5901234123458"))

    gate(tmp_path, [products.suite], tables)

    rows = sql(
        tmp_path / "warehouse.duckdb",
        "select suite, expectation, model, record_key, reason, record->>'ean13' from audit.quarantine "
        "where model = 'dim_products'",
    )
    assert rows == [
        (
            "products",
            "ean13_check_digit",
            "dim_products",
            "SKU-B",
            "EAN-13 is not 13 digits with a valid check digit",
            "5901234123458",
        )
    ]


@pytest.mark.parametrize(
    ("builder", "table", "change", "check", "held_model", "held_key"),
    [
        (
            customers.suite,
            "core.dim_customer_links",
            set_cell("email_raw", 1, "agathe.laurent@exemple"),
            "email_well_formed",
            "sync_dolibarr__customers",
            "erp:17",
        ),
        (
            web_orders.suite,
            "staging.stg_prestashop__orders",
            set_cell("total_paid_excl_tax", 0, 24.52),
            "total_matches_lines",
            "sync_dolibarr__orders",
            "webshop:ABCDEFGHI",
        ),
        (
            order_lines.suite,
            "core.fct_order_lines",
            set_cell("golden_customer_id", 1, None),
            "channel_order_linked_to_customer",
            "sync_dolibarr__orders",
            "webshop:ABCDEFGHI",
        ),
        (
            products.suite,
            "core.dim_products",
            set_cell("ean13", 0, "4006381333932"),
            "ean13_check_digit",
            "sync_prestashop__products",
            "webshop:SKU-A",
        ),
    ],  # fmt: skip
)
def test_a_warning_holds_back_the_sync_record_it_concerns(
    tmp_path: Path, builder, table, change, check, held_model, held_key
) -> None:
    result = gate(tmp_path, [builder], with_change(table, change))

    assert result.quarantined[held_model] == [held_key]
    assert sql(
        tmp_path / "warehouse.duckdb",
        "select distinct expectation, record_key from audit.quarantine where model = ?",
        held_model,
    ) == [(check, held_key)]


def test_blocking_failures_quarantine_nothing(tmp_path: Path) -> None:
    gate(
        tmp_path,
        [stock_levels.suite],
        with_change("core.fct_stock_levels", set_cell("quantity_on_hand", 2, -3.0)),
    )

    assert sql(tmp_path / "warehouse.duckdb", "select count(*) from audit.quarantine") == [(0,)]


def test_a_cent_of_difference_in_an_order_total_is_accepted(tmp_path: Path) -> None:
    result = gate(
        tmp_path,
        [web_orders.suite],
        with_change("staging.stg_prestashop__orders", set_cell("total_paid_excl_tax", 0, 24.51)),
    )

    assert outcome(result, "web_orders.total_matches_lines").success is True


def test_service_lines_may_have_fractional_quantities(tmp_path: Path) -> None:
    # GIVEN the good rows, whose service line has 1.5 units: only product lines count pieces
    result = gate(tmp_path, [erp_order_lines.suite])

    found = outcome(result, "erp_order_lines.product_quantity_whole")
    assert found.success is True
    assert found.observed_value == "0 of 1 rows"


def test_erp_orders_need_no_golden_customer(tmp_path: Path) -> None:
    # GIVEN the good rows, whose ERP store order has no customer: only channel orders must be linked
    result = gate(tmp_path, [order_lines.suite])

    assert outcome(result, "order_lines.channel_order_linked_to_customer").observed_value == "0 of 2 rows"


def test_anonymous_store_tickets_need_no_golden_customer(tmp_path: Path) -> None:
    # GIVEN a channel order line with neither e-mail nor phone (an anonymous POS ticket): no customer at all
    tables = with_change("core.fct_order_lines", set_cell("customer_record_key", 1, None))
    set_cell("golden_customer_id", 1, None)(tables["core.fct_order_lines"])
    result = gate(tmp_path, [order_lines.suite], tables)

    found = outcome(result, "order_lines.channel_order_linked_to_customer")
    assert found.success is True and found.observed_value == "0 of 1 rows"


def test_margin_bounds_come_from_the_merchant_settings(tmp_path: Path) -> None:
    tables = with_change("marts.rpt_order_line_margins", set_cell("fifo_margin_rate", 1, -0.75))

    result = gate(tmp_path, [order_line_margins.suite], tables, bounds=Bounds(margin_rate_min=-0.8))

    assert result.status == "passed"


def test_without_a_first_day_the_first_day_checks_are_not_applicable(tmp_path: Path) -> None:
    result = gate(tmp_path, [order_lines.suite], first_day=None)

    found = outcome(result, "order_lines.order_date_not_before_first_day")
    assert found.success is None
    assert found.observed_value.startswith("not applicable")
    assert result.status == "passed"


def test_first_day_is_inclusive(tmp_path: Path) -> None:
    # GIVEN the good rows, one order is on the first day itself
    assert FIRST_DAY in list(good_tables()["core.fct_order_lines"]["order_date"])

    assert outcome(gate(tmp_path, [order_lines.suite]), "order_lines.order_date_not_before_first_day").success
