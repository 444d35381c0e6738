"""Small warehouses for the suite tests: one good row set per guarded model, and a gate runner on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations.result import CheckOutcome, GateResult
from expectations.runner import run_gate
from expectations.suite import Bounds

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 5, 1)


def good_tables() -> dict[str, pd.DataFrame]:
    """Rows every suite accepts: two products, their stock, customers, FX, receipts, orders, margins."""
    utc = lambda text: pd.Timestamp(text, tz="UTC")  # noqa: E731 - a local shorthand
    return {
        "core.dim_products": pd.DataFrame(
            {
                "sku": ["SKU-A", "SKU-B"],
                "erp_product_id": ["1", "2"],
                "ean13": ["4006381333931", "5901234123457"],
                "product_name": ["Mug", "Tote bag"],
                "is_variant_parent": [False, False],
                "is_for_sale": [True, True],
                "price_excl_tax_eur": [10.0, 20.0],
                "weighted_average_cost_eur": [5.0, 0.0],
                "cost_price_eur": [6.0, 8.0],
            }
        ),
        "core.fct_stock_levels": pd.DataFrame(
            {
                "sku": ["SKU-A", "SKU-A", "SKU-B"],
                "erp_connection": ["erp", "erp", "erp"],
                "warehouse_id": ["1", "2", "1"],
                "quantity_on_hand": [5.0, 0.0, 12.0],
                "quantity_reserved": [1.0, 0.0, 0.0],
            }
        ),
        "core.dim_customer_links": pd.DataFrame(
            {
                "customer_record_key": ["erp:17", "webshop:1"],
                "connection": ["erp", "webshop"],
                "connection_role": ["erp", "channel"],
                "source_customer_id": ["17", "1"],
                "golden_customer_id": ["erp:17", "erp:17"],
                "email_raw": ["agathe.laurent@exemple.fr", "agathe.laurent@exemple.fr"],
            }
        ),
        "core.fct_fx_rates": pd.DataFrame(
            {
                "currency_code": ["USD", "GBP"],
                "rate_date": [date(2026, 6, 1), date(2026, 6, 1)],
                "units_per_eur": [1.08, 0.85],
            }
        ),
        "core.fct_receipt_lines": pd.DataFrame(
            {
                "receipt_line_key": ["erp:1", "erp:2"],
                "sku": ["SKU-A", "SKU-B"],
                "currency_code": ["EUR", "USD"],
                "unit_price_excl_tax": [4.5, 0.0],
                "received_at": [utc("2026-05-03 08:00"), utc("2026-06-03 08:00")],
                "received_at_local": [pd.Timestamp("2026-05-03 10:00"), pd.Timestamp("2026-06-03 10:00")],
            }
        ),
        "staging.stg_dolibarr__order_lines": pd.DataFrame(
            {
                "connection": ["erp", "erp"],
                "order_line_id": ["10", "11"],
                "order_id": ["3", "3"],
                "sku": ["SKU-B", None],
                "product_name": ["Tote bag", "Shipping"],
                "product_type": ["product", "service"],
                "quantity": [2.0, 1.5],
            }
        ),
        "staging.stg_prestashop__orders": pd.DataFrame(
            {
                "connection": ["webshop", "webshop"],
                "order_id": ["1", "2"],
                "order_reference": ["ABCDEFGHI", "JKLMNOPQR"],
                "currency_code": ["EUR", "EUR"],
                "total_paid_excl_tax": [24.5, 20.0],
                "total_shipping_excl_tax": [4.5, 0.0],
                "total_wrapping_excl_tax": [0.0, 0.0],
                "total_discounts_excl_tax": [0.0, 0.0],
            }
        ),
        "staging.stg_prestashop__order_rows": pd.DataFrame(
            {
                "connection": ["webshop", "webshop", "webshop"],
                "order_id": ["1", "1", "2"],
                "line_total_excl_tax": [10.0, 10.0, 20.0],
            }
        ),
        "core.fct_order_lines": pd.DataFrame(
            {
                "order_line_key": ["webshop:1", "webshop:2", "erp:7"],
                "order_key": ["webshop:1", "webshop:1", "erp:3"],
                "connection": ["webshop", "webshop", "erp"],
                "connection_role": ["channel", "channel", "erp"],
                "channel_key": ["webshop", "webshop", "erp:store"],
                "order_ref": ["ABCDEFGHI", "ABCDEFGHI", "CO2605-0001"],
                "ordered_at": [utc("2026-05-02 09:00"), utc("2026-05-02 09:00"), utc("2026-05-01 07:00")],
                "order_date": [date(2026, 5, 2), date(2026, 5, 2), date(2026, 5, 1)],
                "customer_record_key": ["webshop:1", "webshop:1", None],
                "golden_customer_id": ["erp:17", "erp:17", None],
                "sku": ["SKU-A", "SKU-A", "SKU-B"],
                "quantity": [1, 1, 1],
                "unit_price_excl_tax": [10.0, 10.0, 20.0],
                "net_excl_tax": [10.0, 10.0, 20.0],
                "currency_code": ["EUR", "EUR", "EUR"],
            }
        ),
        "marts.rpt_order_line_margins": pd.DataFrame(
            {
                "order_line_key": ["webshop:1", "webshop:2", "erp:7"],
                "order_ref": ["ABCDEFGHI", "ABCDEFGHI", "CO2605-0001"],
                "channel_key": ["webshop", "webshop", "erp:store"],
                "order_date": [date(2026, 5, 2), date(2026, 5, 2), date(2026, 5, 1)],
                "sku": ["SKU-A", "SKU-A", "SKU-B"],
                "quantity": [1, 1, 1],
                "net_excl_tax": [10.0, 10.0, 20.0],
                "fifo_cost": [5.0, 5.0, 8.0],
                "fifo_margin": [5.0, 5.0, 12.0],
                "fifo_margin_rate": [0.5, 0.5, 0.6],
            }
        ),
        **good_sync_tables(),
    }


def good_sync_tables() -> dict[str, pd.DataFrame]:
    """One or two rows per sync model, with the contract columns the suites read."""

    def sync(
        record_keys: list[str], fields: list[str], desired: list[str], **extra: list[Any]
    ) -> pd.DataFrame:
        return pd.DataFrame({"record_key": record_keys, "field": fields, "desired_value": desired, **extra})

    return {
        "sync.sync_prestashop__stock": sync(
            ["webshop:SKU-A", "webshop:SKU-B"], ["quantity", "quantity"], ["4", "0"], sku=["SKU-A", "SKU-B"]
        ),
        "sync.sync_prestashop__prices": sync(["webshop:SKU-B"], ["price"], ["20.000000"], sku=["SKU-B"]),
        "sync.sync_prestashop__products": sync(
            ["webshop:SKU-A", "webshop:SKU-B"],
            ["ean13", "record"],
            ["4006381333931", "SKU-B"],
            sku=["SKU-A", "SKU-B"],
        ),
        "sync.sync_prestashop__order_status": sync(
            ["webshop:ABCDEFGHI", "webshop:ABCDEFGHI"],
            ["current_state", "tracking_number"],
            ["4", "6A12345678901"],
            target_id=["1", "1"],
        ),
        "sync.sync_dolibarr__customers": sync(["erp:17"], ["record"], ["agathe.laurent@exemple.fr"]),
        "sync.sync_dolibarr__orders": sync(
            ["webshop:ABCDEFGHI", "webshop:JKLMNOPQR"],
            ["record", "record"],
            ["ABCDEFGHI: 2 lines, 20.00", "JKLMNOPQR: 1 line, 20.00"],
            order_ref=["ABCDEFGHI", "JKLMNOPQR"],
            net_excl_tax=[20.0, 20.0],
        ),
    }


def write_warehouse(path: Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """A DuckDB file with one table per `schema.table` entry."""
    con = duckdb.connect(str(path))
    try:
        for name, frame in tables.items():
            schema = name.split(".")[0]
            con.execute(f"create schema if not exists {schema}")
            con.register("frame", frame)
            con.execute(f"create or replace table {name} as select * from frame")
            con.unregister("frame")
    finally:
        con.close()
    return path


def gate(
    tmp_path: Path,
    suites: Sequence[Any],
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    run_id: str = "run-1",
    **options: Any,
) -> GateResult:
    """Write the tables (default: the good ones) and run the gate with these suites only."""
    path = tmp_path / "warehouse.duckdb"
    if tables is not None or not path.exists():
        write_warehouse(path, good_tables() if tables is None else tables)
    options.setdefault("bounds", Bounds())
    options.setdefault("first_day", FIRST_DAY)
    return run_gate(path, run_id=run_id, data_docs_dir=tmp_path / "docs", now=NOW, suites=suites, **options)


def outcome(result: GateResult, label: str) -> CheckOutcome:
    """The outcome of `suite.check`."""
    found = [o for o in result.outcomes if o.label == label]
    assert found, f"no outcome {label}; have {[o.label for o in result.outcomes]}"
    return found[0]


def failed(result: GateResult) -> list[str]:
    """The checks that ran and failed, as `suite.check`."""
    return [o.label for o in result.outcomes if o.success is False]


def sql(path: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(query, list(params)).fetchall()
