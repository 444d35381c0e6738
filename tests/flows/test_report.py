"""The HTML report: built from the marts and audit tables, readable offline, rendered by headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from flows.report import build_report
from flows.report.svg import PALETTE
from warehouse.audit import ensure_audit_tables

CHROMIUM = shutil.which("chromium")
METHODS = ("fifo", "wac", "wacp")


def _warehouse(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    margin_cols = ", ".join(
        f"{v} as gross_margin_{m}, {r} as margin_rate_{m}"
        for m, v, r in (
            ("fifo", "net * 0.5", "0.5"),
            ("wac", "net * 0.48", "0.48"),
            ("wacp", "net * 0.47", "0.47"),
        )
    )
    con.execute(
        f"""
        create table marts.rpt_channel_kpis_monthly as
        select month, channel, orders, net as net_revenue_ht, 0.0 as refunds_ht, {margin_cols},
               net / orders as aov_ht, 1 as new_customers, 0.1 as click_collect_share
        from (values ('2026-09', 'web', 10, 1000.0), ('2026-09', 'store', 5, 400.0), ('2026-09', 'ALL', 15, 1400.0),
                     ('2026-10', 'web', 12, 1300.0), ('2026-10', 'store', 6, 500.0), ('2026-10', 'ALL', 18, 1800.0))
             as t(month, channel, orders, net)
        """  # noqa: S608 - test data
    )
    con.execute(
        """
        create table marts.rpt_order_line_margins as
        select 'SKU-' || i as sku, 'Product ' || i as product_name, i as quantity,
               100.0 * i as net_excl_tax, (i - 3) * 10.0 as fifo_margin, true as is_costed
        from range(1, 25) as r(i)
        """
    )
    cols = ", ".join(
        f"10.0 as closing_value_{m}, 0.5 as turnover_{m}, 12.5 as days_of_cover_{m}" for m in METHODS
    )
    con.execute(
        f"""
        create table marts.rpt_product_kpis_monthly as
        select '2026-10' as month, sku, 'P' as product_name, 3 as closing_qty, {cols}, 0.0 as oos_rate
        from (values ('SKU-1'), ('ALL')) as t(sku)
        """  # noqa: S608 - test data
    )
    con.execute(
        """
        create table marts.rpt_reconciliation as
        select * from (values
            ('product', 'SKU-1', 'price_excl_tax', '10.00', 'webshop', '12.00', 'differs'),
            ('product', 'SKU-2', 'price_excl_tax', '5.00', 'webshop', '5.00', 'agrees'))
        as t(entity, record_key, field, erp_value, channel_connection, channel_value, status)
        """
    )
    ensure_audit_tables(con)
    con.execute(
        "insert into audit.dq_results (run_id, suite, expectation, severity, success, failing_count) "
        "values ('r1', 'order_lines', 'sku_known_to_erp', 'blocking', true, 0)"
    )
    con.close()
    return path


def test_report_has_every_section_and_chart(tmp_path: Path) -> None:
    out = build_report(
        _warehouse(tmp_path / "w.duckdb"), tmp_path / "r" / "report.html", merchant="Maison Test"
    )
    html = out.read_text(encoding="utf-8")
    assert html.count('<svg class="chart"') == 5  # revenue, margin by method, margin rate, top and bottom
    for title in (
        "Revenue and margin by channel and month",
        "Products by margin",
        "Stock cover",
        "Reconciliation: ERP versus channels",
        "Data quality",
    ):
        assert title in html
    # offline: nothing is fetched from the network
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    # every table is there (the push has not run: its section says so)
    assert "Not available yet" not in html and "Last push" in html and "Nothing to show." in html


def test_report_on_a_warehouse_without_marts_says_what_is_missing(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_audit_tables(con)
    con.close()
    html = build_report(tmp_path / "w.duckdb", tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Not available yet" in html and "marts.rpt_channel_kpis_monthly" in html
    assert '<svg class="chart"' not in html


def test_report_without_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `omnicanal demo`"):
        build_report(tmp_path / "absent.duckdb", tmp_path / "report.html")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_report_renders_in_headless_chromium_with_its_charts(tmp_path: Path) -> None:
    out = build_report(_warehouse(tmp_path / "w.duckdb"), tmp_path / "report.html", merchant="Maison Test")
    png = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1200,2400",
            f"--screenshot={png}",
            out.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from PIL import Image

    image = Image.open(png).convert("RGB")
    assert image.size == (1200, 2400)
    counts = Counter(image.getdata())
    # the bars of the first three series are drawn: thousands of pixels in each palette colour
    for color in PALETTE[:3]:
        rgb = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        assert counts[rgb] > 2000, f"{color} barely drawn ({counts[rgb]} px)"
    # and the negative margins of the bottom products are drawn in the warning colour
    red = tuple(int(PALETTE[3][i : i + 2], 16) for i in (1, 3, 5))
    assert counts[red] > 200
