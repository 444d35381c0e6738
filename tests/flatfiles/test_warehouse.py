"""Flat files in the warehouse: POS and marketplace files feed fct_order_lines once; the French ERP export
gives the products, prices and stock the Dolibarr API gives."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from flatfile_harness import SEED, SMALL_SCALE, Loader, csv_rows

from flows.build import run_dbt
from flows.config import Connection, Merchant, Settings, load_settings, write_connections_config
from flows.extract import extract_connections
from sandbox.testing import pristine_world, sandbox_on_copy


@dataclass(frozen=True)
class Built:
    settings: Settings
    files: dict[str, Path]  # the world's drop folders as they were before the run (copies)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as con:
            return con.execute(query, list(params)).fetchall()


def _flatfile_connections(files: dict[str, Path]) -> dict[str, dict[str, Any]]:
    return {
        "pos": {
            "kind": "flatfiles",
            "channel": "store",
            "path": str(files["pos"]),
            "layout": "pos_sales",
            "timezone": "Europe/Paris",
            "min_age_seconds": 0,
        },
        "marketplace": {
            "kind": "flatfiles",
            "channel": "marketplace",
            "path": str(files["marketplace"]),
            "layout": "marketplace_orders",
            "min_age_seconds": 0,
        },
    }


def _build(settings: Settings, *selection: str) -> None:
    """dbt build of the selected models and their tests (a test reaching an unselected model waits)."""
    run_dbt(settings, ["--select", *selection, "--indirect-selection", "cautious"], command="build")


@pytest.fixture(scope="module")
def api_and_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """erp (Dolibarr API), webshop (PrestaShop), pos and marketplace (flat files), extracted and built by the flows."""
    root = tmp_path_factory.mktemp("api_and_files")
    world = pristine_world(seed=SEED, scale=SMALL_SCALE, cache=root / "worlds")
    sandbox = sandbox_on_copy(world, root / "sandbox")
    kept = {
        kind: shutil.copytree(folder, root / "dropped" / kind) for kind, folder in sandbox.files().items()
    }
    try:
        connections = {**sandbox.connections(), **_flatfile_connections(sandbox.files())}
        config = write_connections_config(root / "config" / "config.toml", connections)
        settings = load_settings(config, data_dir=root / "data", environ={})
        extract_connections(settings, full=True)
    finally:
        sandbox.stop()
    _build(settings, "+fct_order_lines", "+dim_products")
    yield Built(settings, kept)


@pytest.fixture(scope="module")
def export_only(api_and_files: Built, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The same world's ERP seen through its French export only: `erp_files`, kind flatfiles, role erp."""
    root = tmp_path_factory.mktemp("export_only")
    drop = shutil.copytree(api_and_files.files["erp_export"], root / "erp_export")
    connections = {
        "erp_files": {
            "kind": "flatfiles",
            "role": "erp",
            "path": str(drop),
            "layout": "erp_products",
            "timezone": "UTC",
            "min_age_seconds": 0,
        }
    }
    config = write_connections_config(root / "config" / "config.toml", connections)
    settings = load_settings(config, data_dir=root / "data", environ={})
    extract_connections(settings)
    _build(settings, "+dim_products")
    return Built(settings, {"erp_export": drop})


def test_store_tickets_and_marketplace_orders_are_counted_once(api_and_files: Built) -> None:
    tickets = [r for p in sorted(api_and_files.files["pos"].glob("*/*.csv")) for r in csv_rows(p)]
    sales = [r for r in tickets if not r["original_ticket_id"]]
    items = [r for p in sorted(api_and_files.files["marketplace"].glob("*.csv")) for r in csv_rows(p)]
    assert len(sales) > 50 and len(items) > 50

    # every store line comes from the POS files, every marketplace line from the reports, once each
    by_channel = api_and_files.sql(
        "select channel, connection, connection_role, count(*), count(distinct order_ref), sum(quantity)"
        " from core.fct_order_lines where channel in ('store', 'marketplace') group by all order by channel"
    )
    assert by_channel == [
        (
            "marketplace",
            "marketplace",
            "channel",
            len(items),
            len({r["order_id"] for r in items}),
            sum(int(r["quantity"]) for r in items),
        ),
        (
            "store",
            "pos",
            "channel",
            len(sales),
            len({r["ticket_id"] for r in sales}),
            sum(int(r["quantity"]) for r in sales),
        ),
    ]
    # the ERP kept its copy of each of them (same reference), and the copy is not counted again
    copies = api_and_files.sql(
        "select channel, count(*), count(distinct order_ref) from core.int_order_lines"
        " where connection = 'erp' and channel in ('store', 'marketplace') group by all order by channel"
    )
    assert copies == [
        ("marketplace", len(items), len({r["order_id"] for r in items})),
        ("store", len(sales), len({r["ticket_id"] for r in sales})),
    ]
    unmatched = api_and_files.sql(
        "select count(*) from core.fct_order_lines where connection in ('pos', 'marketplace') and erp_order_key is null"
    )
    assert unmatched == [(0,)]
    # the ticket's own amounts: what the POS line says, excluding tax
    line = sales[0]
    rate = Decimal(line["vat_rate"]) / 100
    expected_net = Decimal(line["quantity"]) * Decimal(line["unit_price_incl_tax"]) - Decimal(
        line["discount_incl_tax"]
    )
    net = api_and_files.sql(
        "select net_excl_tax, fulfillment, is_sale from core.fct_order_lines"
        " where connection = 'pos' and order_ref = ? and line_position = ?",
        line["ticket_id"],
        int(line["line_no"]),
    )
    assert net == [((expected_net / (1 + rate)).quantize(Decimal("0.01")), "in_store", True)]


def test_loyalty_tickets_belong_to_the_erp_customer(api_and_files: Built) -> None:
    # a ticket's loyalty e-mail links it to the ERP third party the ERP's copy of the ticket names
    rows = api_and_files.sql(
        """
        select pos.order_ref, pos.golden_customer_id, erp_links.golden_customer_id
        from core.fct_order_lines as pos
        join core.int_order_lines as erp on erp.order_key = pos.erp_order_key and erp.line_position = 1
        join core.dim_customer_links as erp_links on erp_links.customer_record_key = erp.customer_record_key
        where pos.connection = 'pos' and pos.customer_record_key is not null and pos.line_position = 1
        """
    )
    assert len(rows) > 5
    assert [r for r in rows if r[1] != r[2]] == []


def test_french_export_gives_the_api_products_prices_and_stock(
    api_and_files: Built, export_only: Built
) -> None:
    # staging: same SKUs, barcodes, prices (the export rounds incl. tax to cents, PMP to 4 decimals)
    query = (
        "select sku, ean13, selling_price_excl_tax_eur, round(selling_price_incl_tax_eur, 2), vat_rate_percent,"
        " round(weighted_average_cost_eur, 4), stock_on_hand_all_warehouses from staging.{} order by sku"
    )
    api = api_and_files.sql(query.format("stg_dolibarr__products"))
    files = export_only.sql(query.format("stg_flatfiles__erp_products"))
    assert len(api) > 100
    assert files == api

    # core: the product referential and its stock
    query = (
        "select sku, ean13, product_type, is_variant_parent, price_excl_tax_eur, round(price_incl_tax_eur, 2),"
        " vat_rate_percent, round(weighted_average_cost_eur, 4), is_stocked_item, stock_on_hand, stock_reserved,"
        " stock_available from core.dim_products order by sku"
    )
    assert export_only.sql(query) == api_and_files.sql(query)
    assert api_and_files.sql("select count(*) from core.dim_products where stock_reserved > 0")[0][0] > 0

    # stock per product and warehouse (a warehouse the ERP holds no row for counts as zero)
    query = (
        "select sku, warehouse_ref, quantity_on_hand, quantity_reserved, quantity_available from core.fct_stock_levels"
        " where quantity_on_hand <> 0 or quantity_reserved <> 0 order by sku, warehouse_ref"
    )
    assert export_only.sql(query) == api_and_files.sql(query)


def test_staging_keeps_the_latest_file_and_shows_every_file_and_bad_line(
    loader: Loader, tmp_path: Path
) -> None:
    # GIVEN a day's POS export, then a corrected re-export of the same day with a bad line
    drop = tmp_path / "pos"
    (drop / "PARIS").mkdir(parents=True)
    header = (
        "store_code,ticket_id,ticket_datetime,line_no,sku,ean13,quantity,unit_price_incl_tax,"
        "discount_incl_tax,vat_rate,payment_method,customer_email,customer_phone,original_ticket_id"
    )
    line = "PARIS,T-1,2026-06-01 10:15:00,{n},MX-{n},,1,{price},0.00,20,CB,,,"
    first = drop / "PARIS" / "ventes_PARIS_20260601.csv"
    first.write_text(
        "\n".join([header, line.format(n=1, price="9.60"), line.format(n=2, price="5.00")]) + "\n"
    )
    os.utime(first, (1_780_000_000, 1_780_000_000))
    loader.run("pos", drop, "pos_sales", on_error="skip_line", timezone="Europe/Paris")
    corrected = drop / "PARIS" / "ventes_PARIS_20260601_v2.csv"
    corrected.write_text(
        "\n".join([header, line.format(n=1, price="8.60"), line.format(n=3, price="abc")]) + "\n"
    )
    loader.run("pos", drop, "pos_sales", on_error="skip_line", timezone="Europe/Paris")

    # WHEN staging is built
    connections = {
        "pos": Connection(
            "pos",
            "flatfiles",
            "channel",
            "store",
            timezone="Europe/Paris",
            options={"path": str(drop), "layout": "pos_sales"},
        )
    }
    settings = Settings(data_dir=loader.data_dir, merchant=Merchant(), connections=connections)
    _build(settings, "staging.flatfiles")

    # THEN the corrected line wins, the line only the first file had stays, the bad line is shown
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        lines = con.execute(
            "select line_number, unit_price_incl_tax, line_total_excl_tax, file_id from staging.stg_flatfiles__pos_sales_lines"
            " order by line_number"
        ).fetchall()
        files = con.execute(
            "select file_id, file_name, status, rows_loaded, lines_quarantined from staging.stg_flatfiles__loaded_files"
            " order by file_id"
        ).fetchall()
        bad = con.execute(
            "select file_id, file_line, field, reason from staging.stg_flatfiles__quarantined_lines"
        ).fetchall()
    assert lines == [
        (1, Decimal("8.60"), Decimal("7.166667"), 2),
        (2, Decimal("5.00"), Decimal("4.166667"), 1),
    ]
    assert files == [
        (1, "PARIS/ventes_PARIS_20260601.csv", "loaded", 2, 0),
        (2, "PARIS/ventes_PARIS_20260601_v2.csv", "partial", 1, 1),
    ]
    assert bad == [(2, 3, "unit_price_incl_tax", "'abc' is not a decimal number")]
