"""Channel KPIs: customer identity across channels, click-and-collect, ALL rows (§7.1, §7.2, §11.5)."""

from __future__ import annotations

import pyarrow as pa
from costing_builders import D, Dataset

from warehouse.costing.kpis import customers, normalize_emails, normalize_phones


def test_phone_and_email_normalisation() -> None:
    phones = normalize_phones(
        [
            "06 12 34 56 78",
            "+33 6 12 34 56 78",
            "0033612345678",
            "33612345678",
            " +44 20 7946 0958",
            "n/a",
            "",
            "612",
        ]
    )
    assert phones.to_pylist() == [
        "+33612345678",  # 10 digits starting with 0: +33 and the last 9 digits
        "+33612345678",  # a leading + is kept
        "+33612345678",  # 00 becomes +
        "+33612345678",  # 11 digits starting with 33
        "+442079460958",
        None,  # no digit: no phone
        None,
        "+612",  # anything else: + and the digits
    ]
    assert normalize_emails([" Ana.B@Example.COM ", "", "x@y.fr"]).to_pylist() == [
        "ana.b@example.com",
        None,
        "x@y.fr",
    ]


def test_customers_are_linked_transitively_by_email_or_phone() -> None:
    emails = pa.array(["a@x.fr", None, "a@x.fr", None, "b@x.fr", None])
    phones = pa.array([None, "+33611111111", "+33611111111", None, None, "+33622222222"])
    # Order 0 and 2 share the e-mail, 2 and 1 the phone: one customer; order 3 is anonymous.
    number = customers(emails, phones)
    assert number[0] == number[1] == number[2]
    assert number[3] == -1
    assert len({number[0], number[4], number[5]}) == 3


def _orders(ds: Dataset) -> Dataset:
    ds.product("P1", active_from="2024-01-01")
    ds.receipt("R1", 1, "2024-01-01 08:00:00", 100, "5.00")
    # Ana: web by e-mail, click-and-collect by phone, then in store with both (which links the three).
    ds.sale("W1", "2024-01-03 10:00:00", 1, "12.00", email="Ana@Example.com ")
    ds.sale("C1", "2024-01-04 10:00:00", 1, "12.00", fulfillment="click_collect", phone="+33 6 12 34 56 78")
    ds.sale("S1", "2024-01-05 10:00:00", 1, "12.00", channel="store", fulfillment="in_store",
            email="ana@example.com", phone="06 12 34 56 78")  # fmt: skip
    ds.sale(
        "S2", "2024-01-06 10:00:00", 1, "12.00", channel="store", fulfillment="in_store"
    )  # anonymous ticket
    # Bob: marketplace first, then web with only a phone written differently.
    ds.sale("M1", "2024-02-01 10:00:00", 1, "12.00", channel="marketplace", email="bob@x.fr",
            phone="0033 7 00 00 00 01")  # fmt: skip
    ds.sale("W2", "2024-02-02 10:00:00", 2, "12.00", phone="+33700000001")
    return ds


def test_customer_kpis_click_and_collect_and_all_rows(dataset: Dataset) -> None:
    c = _orders(dataset).cost()
    cols = ("orders", "identified_customers", "new_customers", "returning_customers", "repeat_customer_rate")
    # January web: W1 and C1 are Ana's (1 customer), new here (W1 is her first order ever);
    # she has 3 orders by the end of January, so she repeats.
    assert c.kpi("2024-01", "web", *cols) == (2, 1, 1, 0, *D("1.0000"))
    # January store: Ana again (already known: returning) and an anonymous ticket (an order, no customer).
    assert c.kpi("2024-01", "store", *cols) == (2, 1, 0, 1, *D("1.0000"))
    assert c.kpi("2024-01", "store", "returning_customer_share") == D("1.0000")
    # ALL counts distinct customers, not the sum of the channels: Ana once.
    assert c.kpi("2024-01", "ALL", *cols) == (4, 1, 1, 0, *D("1.0000"))
    # The channel seen only later still has a January row, empty.
    assert c.kpi("2024-01", "marketplace", "orders", "identified_customers", "returning_customer_share") == (
        0,
        0,
        None,
    )
    # Click-and-collect is a web order with its own share: 1 of 2 web orders, 1 of 4 overall.
    assert c.kpi("2024-01", "web", "click_collect_orders", "click_collect_share") == (1, *D("0.5000"))
    assert c.kpi("2024-01", "ALL", "click_collect_orders", "click_collect_share") == (1, *D("0.2500"))
    # February: Bob is new on the marketplace (first order) and returning on the web; 2 orders by month end.
    assert c.kpi("2024-02", "marketplace", *cols) == (1, 1, 1, 0, *D("1.0000"))
    assert c.kpi("2024-02", "web", *cols) == (1, 1, 0, 1, *D("1.0000"))
    assert c.kpi("2024-02", "ALL", *cols) == (2, 1, 1, 0, *D("1.0000"))
    # Money: each unit nets 12.00 / 1.2 = 10.00. Web January 20.00 of 40.00 → mix 0.5000; AOV 10.00; UPT 1.
    assert c.kpi("2024-01", "web", "net_revenue_ht", "channel_mix_net_revenue", "aov_ht") == D(
        "20.00", "0.5000", "10.00"
    )
    assert c.kpi("2024-02", "web", "units_per_order", "aov_ht") == D("2.0000", "20.00")
    # ALL money is the sum of the channels: COGS February 3 units × 5.00.
    assert c.kpi(
        "2024-02", "ALL", "net_revenue_ht", "cogs_fifo", "gross_margin_fifo", "margin_rate_fifo"
    ) == D("30.00", "15.00", "15.00", "0.5000")
    assert c.kpi("2024-02", "ALL", "markup_rate_fifo") == D("1.0000")


def test_repeat_rate_counts_lifetime_orders_up_to_the_month_end(dataset: Dataset) -> None:
    ds = dataset.product("P1")
    ds.receipt("R1", 1, "2024-01-01 08:00:00", 10, "5.00")
    ds.sale("A1", "2024-01-10 10:00:00", 1, "12.00", email="a@x.fr")
    ds.sale("B1", "2024-01-11 10:00:00", 1, "12.00", email="b@x.fr")
    ds.sale("A2", "2024-02-10 10:00:00", 1, "12.00", email="a@x.fr")
    c = ds.cost()
    # January: A and B each have 1 order by 31 January → repeat 0 of 2; February: A has 2 → 1 of 1.
    assert c.kpi("2024-01", "ALL", "identified_customers", "repeat_customer_rate") == (2, *D("0.0000"))
    assert c.kpi("2024-02", "ALL", "identified_customers", "new_customers", "repeat_customer_rate") == (
        1,
        0,
        *D("1.0000"),
    )


def test_product_all_rows_recompute_ratios_from_sums(dataset: Dataset) -> None:
    ds = dataset.product("P1", active_from="2024-01-01").product("P2", active_from="2024-01-16")
    ds.receipt("R1", 1, "2024-01-01 08:00:00", 10, "10.00")  # P1: 100.00
    ds.receipt("R2", 1, "2024-01-20 08:00:00", 4, "5.00", product="P2")  # P2: 20.00
    ds.sale("S1", "2024-01-25 10:00:00", 5, "24.00")  # P1: net 100.00, COGS 50.00
    ds.sale("S2", "2024-01-26 10:00:00", 4, "12.00", product="P2")  # P2: net 40.00, COGS 20.00, sold out
    c = ds.cost()
    # P2 is active from the 16th (16 days); out of stock the 16th-19th, then from the 26th to the 31st.
    assert c.product("2024-01", "P2", "oos_days", "active_days", "oos_rate") == (10, 16, *D("0.6250"))
    # ALL: sums, and ratios from the summed parts: margin (140 − 70) / 140; OOS 10 / (31 + 16) product-days.
    all_row = c.product("2024-01", "ALL", "units_sold", "closing_qty", "cogs_fifo", "closing_value_fifo")
    assert all_row == (9, 5, *D("70.00", "50.00"))
    assert c.product("2024-01", "ALL", "margin_rate_fifo", "oos_days", "active_days", "oos_rate") == (
        *D("0.5000"),
        10,
        47,
        *D("0.2128"),
    )
    # Turnover 70 / ((0 + 50) / 2) = 2.8; cover 50 × 31 / 70 = 22.1429; the periodic CMUP is empty on ALL.
    assert c.product("2024-01", "ALL", "turnover_fifo", "days_of_cover_fifo", "cmup_periodic") == (
        *D("2.8000", "22.1429"),
        None,
    )
    # P2 sold out: its cover is 0 days, and with opening and closing both 0 its turnover is null.
    assert c.product("2024-01", "P2", "days_of_cover_fifo", "turnover_fifo") == (*D("0.0000"), None)
