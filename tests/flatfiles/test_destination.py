"""The flat-file destination: layouts written atomically with a manifest; the French product file reads back."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from defusedxml import ElementTree
from flatfile_harness import Loader

from destinations.flatfiles import ExportError, LayoutError, export_files
from destinations.flatfiles.layouts import parse_layout

NOW = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
PRODUCTS = [
    # sku, name, ean13, price excl, price incl, vat, pmp, on hand, reserved, for sale, variant parent
    (
        "MX-BOU-00009",
        "Bougie parfumée Terracotta",
        "3760420000123",
        "23.99",
        "28.788",
        "20",
        "11.123456",
        10,
        2,
        True,
        False,
    ),
    ("MX-BOU-00023", "Diffuseur Nordique", None, "28.7", "34.44", "20", "0", 0, 0, True, True),
    (
        "MX-EPI-00055",
        "Épices « maison »",
        "3760420000857",
        "1234.5",
        "1302.3975",
        "5.5",
        "700.00005",
        3,
        0,
        True,
        False,
    ),
]


def _warehouse(path: Path, products: list[tuple] = PRODUCTS) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema core")
        con.execute(
            "create table core.dim_products (sku varchar, product_name varchar, ean13 varchar,"
            " price_excl_tax_eur decimal(18, 8), price_incl_tax_eur decimal(18, 8), vat_rate_percent decimal(18, 6),"
            " weighted_average_cost_eur decimal(18, 8), stock_on_hand decimal(18, 6), stock_reserved decimal(18, 6),"
            " is_for_sale boolean, is_variant_parent boolean, stock_available decimal(18, 6))"
        )
        for row in products:
            con.execute(
                "insert into core.dim_products values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*row, row[7] - row[8]],
            )
        con.execute(
            "create table core.int_channel_erp_stock as select * from (values"
            " ('shop_a', 'A-1', 10.0, 0.0, 10.0), ('shop_b', 'A-1', 10.0, 1.0, 9.0),"
            " ('shop_b', 'B-2', 1.0, 0.0, 1.0), ('shop_b', 'C-3', 0.0, 2.0, -2.0))"
            " as t(connection, sku, quantity_on_hand, quantity_reserved, quantity_available)"
        )
    return path


def test_products_fr_reads_back_through_the_erp_export_mapping(tmp_path: Path, loader: Loader) -> None:
    # GIVEN the reconciled products WHEN they are exported in the French ERP layout
    warehouse = _warehouse(tmp_path / "w.duckdb")
    drop = tmp_path / "erp_inbox"
    [result] = export_files(warehouse, drop, ["products_fr"], run_id="run-7", now=NOW)
    assert result.path == drop / "export_produits_20261102.csv"
    raw = result.path.read_bytes()
    assert b"\r\n" in raw and "Épices « maison »".encode("cp1252") in raw

    # THEN the flat-file source reads them back as the ERP export they imitate
    loader.run("erp_files", drop, "erp_products", files=["export_produits_*.csv"])
    rows = loader.sql(
        "select sku, product_name, ean13, selling_price_excl_tax, vat_rate_percent, selling_price_incl_tax,"
        " weighted_average_cost, quantity_on_hand, quantity_reserved from raw_erp_files.erp_products order by sku"
    )
    assert rows == [
        (
            "MX-BOU-00009",
            "Bougie parfumée Terracotta",
            "3760420000123",
            Decimal("23.99"),
            Decimal("20"),
            Decimal("28.79"),
            Decimal("11.1235"),
            Decimal(10),
            Decimal(2),
        ),
        (
            "MX-BOU-00023",
            "Diffuseur Nordique",
            None,
            Decimal("28.70"),
            Decimal("20"),
            Decimal("34.44"),
            Decimal(0),
            Decimal(0),
            Decimal(0),
        ),
        (
            "MX-EPI-00055",
            "Épices « maison »",
            "3760420000857",
            Decimal("1234.50"),
            Decimal("5.5"),
            Decimal("1302.40"),
            Decimal("700.0000"),
            Decimal(3),
            Decimal(0),
        ),
    ]
    assert loader.files("erp_files")["export_produits_20261102.csv"][3] == (
        "headers not in the mapping (ignored): Disponible"
    )


def test_manifest_describes_the_file_it_follows(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "out"
    [result] = export_files(warehouse, out, ["prices"], run_id="run-7", connection="pos", now=NOW)
    manifest = json.loads(result.manifest.read_text())
    data = result.path.read_bytes()
    assert manifest == {
        "file": "prices_pos_20261102_063000.csv",
        "layout": "prices",
        "format": "csv",
        "rows": 2,  # the variant parent is not a sold item
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "generated_at": "2026-11-02T06:30:00Z",
        "source_run_id": "run-7",
        "source_relation": "core.dim_products",
    }
    assert data.decode().splitlines() == [
        "sku,ean13,price_excl_tax,vat_rate,price_incl_tax",
        "MX-BOU-00009,3760420000123,23.99,20.00,28.79",
        "MX-EPI-00055,3760420000857,1234.50,5.50,1302.40",
    ]
    assert sorted(p.name for p in out.iterdir()) == [result.path.name, result.manifest.name]


def test_a_value_the_encoding_cannot_hold_leaves_no_file(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb", [(*PRODUCTS[0][:1], "Świeca Łódź", *PRODUCTS[0][2:])])
    out = tmp_path / "out"
    out.mkdir()
    (out / "export_produits_20261102.csv").write_text("the previous export\n", encoding="cp1252")
    with pytest.raises(ExportError) as caught:
        export_files(warehouse, out, ["products_fr"], run_id="run-7", now=NOW)
    assert (
        str(caught.value)
        == "export layout products_fr, row 1, column 'Libellé': 'Ś' cannot be written in cp1252"
    )
    # the previous file is untouched, no manifest, no temporary file left behind
    assert sorted(p.name for p in out.iterdir()) == ["export_produits_20261102.csv"]
    assert (out / "export_produits_20261102.csv").read_text(encoding="cp1252") == "the previous export\n"


def test_channel_stock_keeps_the_safety_buffer_and_never_goes_below_zero(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb")
    [result] = export_files(
        warehouse,
        tmp_path / "out",
        ["channel_stock"],
        run_id="r",
        connection="shop_b",
        parameters={"safety_buffer": 2},
        now=NOW,
    )
    assert result.path.read_text().splitlines() == ["sku,quantity", "A-1,7", "B-2,0", "C-3,0"]
    with pytest.raises(ExportError, match="parameter 'safety_buffer' is needed"):
        export_files(
            warehouse, tmp_path / "out2", ["channel_stock"], run_id="r", connection="shop_b", now=NOW
        )


def test_channel_orders_the_erp_lacks_as_xml(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema core")
        con.execute(
            "create table core.fct_order_lines as select * from (values"
            " ('pos:P:T-1', 'T-1', 'pos', 'channel', 'store', 1, 'A-1', 2, 10.0, 0.0, 0.2, 'EUR', 20.00, null, true,"
            "  timestamptz '2026-11-01 09:00:00+00', 'pos:ann@x.fr'),"
            " ('pos:P:T-1', 'T-1', 'pos', 'channel', 'store', 2, 'B-2', 1, 5.5, 0.5, 0.055, 'EUR', 5.00, null, true,"
            "  timestamptz '2026-11-01 09:00:00+00', 'pos:ann@x.fr'),"
            " ('shop:9', 'REF9', 'shop', 'channel', 'web', 1, 'A-1', 1, 10.0, 0.0, 0.2, 'EUR', 10.00, 'erp:4', true,"
            "  timestamptz '2026-11-01 10:00:00+00', null),"
            " ('shop:10', 'REF10', 'shop', 'channel', 'web', 1, 'C-3', 3, 1.0, 0.0, 0.2, 'EUR', 3.00, null, false,"
            "  timestamptz '2026-11-01 11:00:00+00', null),"
            " ('mkp:M-1', 'M-1', 'mkp', 'channel', 'marketplace', 1, 'C-3', 1, 1.0, 0.0, 0.2, 'EUR', 1.00, null, true,"
            "  timestamptz '2026-11-01 12:00:00+00', null))"
            " as t(order_key, order_ref, connection, connection_role, channel, line_position, sku, quantity,"
            " unit_list_price_excl_tax, unit_discount_excl_tax, tax_rate, currency_code, net_excl_tax,"
            " erp_order_key, is_sale, ordered_at, customer_record_key)"
        )
    [result] = export_files(path, tmp_path / "out", ["channel_orders_xml"], run_id="r", now=NOW)
    root = ElementTree.parse(result.path).getroot()
    orders = [
        (
            o.get("ref"),
            o.get("channel"),
            o.findtext("OrderedAt"),
            [
                (
                    line.get("position"),
                    line.findtext("Sku"),
                    line.findtext("Quantity"),
                    line.findtext("NetExclTax"),
                )
                for line in o.iter("Line")
            ],
        )
        for o in root.iter("Order")
    ]
    # the web order the ERP already has and the unpaid one are left out
    assert orders == [
        ("M-1", "marketplace", "2026-11-01T12:00:00Z", [("1", "C-3", "1", "1.00")]),
        ("T-1", "store", "2026-11-01T09:00:00Z", [("1", "A-1", "2", "20.00"), ("2", "B-2", "1", "5.00")]),
    ]
    assert root.find("Order[@ref='T-1']/CustomerKey").text == "pos:ann@x.fr"
    assert result.rows == 3


def test_layouts_name_only_real_columns(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb")
    layout = tmp_path / "bad.toml"
    layout.write_text('relation = "core.dim_products"\n[[columns]]\nheader = "x"\ncolumn = "colour"\n')
    with pytest.raises(LayoutError, match="core.dim_products has no column colour"):
        export_files(warehouse, tmp_path / "out", [layout], run_id="r", now=NOW)
    with pytest.raises(LayoutError, match="is not a column name"):
        parse_layout(
            {
                "relation": "core.dim_products",
                "columns": [{"header": "x", "column": 'sku"; drop table x; --'}],
            },
            Path("evil.toml"),
        )
    with pytest.raises(LayoutError, match="relation must be schema.table"):
        parse_layout(
            {"relation": "core.dim_products; drop", "columns": [{"header": "x", "column": "sku"}]},
            Path("e.toml"),
        )
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
