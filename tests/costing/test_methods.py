"""FIFO, perpetual CMUP and periodic CMUP on hand-worked cases, one per edge case of the spec (§8, §11)."""

from __future__ import annotations

from costing_builders import D, Dataset


def test_sale_before_any_receipt_is_settled_by_the_next_receipt_across_a_month_end(dataset: Dataset) -> None:
    ds = dataset.product("P1", fallback="10.00", active_from="2024-01-01")
    ds.sale("S1", "2024-01-20 10:00:00", 4, "24.00")  # no stock yet
    ds.receipt("R1", 1, "2024-02-05 09:00:00", 10, "12.00")  # 120.00
    ds.sale("S2", "2024-02-10 10:00:00", 3, "24.00")
    c = ds.cost()

    # S1: provisional 4 × fallback 10.00 = 40.00; R1 settles it: take(4 of 10 @ 120.00) = 48.00,
    # so the line reports 40.00 + 48.00 − 40.00 = 48.00 under FIFO and WAC alike.
    # Periodic: January has no entry, CMUP = fallback 10.00 → 4 × 10 = 40.00.
    assert c.line("S1-1", "fifo_cost", "wac_cost", "wacp_cost", "negative_stock_qty") == (
        *D("48.00", "48.00", "40.00"),
        4,
    )
    # S2: lot R1 has 6 units worth 72.00 → 3 × 72 / 6 = 36.00; WAC the same (the average is the receipt cost).
    # Periodic February: (V0 −40.00 + 120.00) / (Q0 −4 + 10) = 80 / 6 → 3 × 13.3333 = 40.00.
    assert c.line("S2-1", "fifo_cost", "wac_cost", "wacp_cost", "negative_stock_qty") == (
        *D("36.00", "36.00", "40.00"),
        0,
    )
    # January closes with the backlog at its provisional value (§11.9) while its COGS shows the settled cost.
    jan = c.product(
        "2024-01", "P1", "closing_qty", "closing_value_fifo", "closing_value_wac", "closing_value_wacp"
    )
    assert jan == (-4, *D("-40.00", "-40.00", "-40.00"))
    assert c.product("2024-01", "P1", "cogs_fifo", "cogs_wacp") == D("48.00", "40.00")
    # February: 6 − 3 = 3 units; FIFO/WAC 72 − 36 = 36.00; periodic V1 = r2(3 × 80 / 6) = 40.00.
    feb = c.product("2024-02", "P1", "opening_qty", "closing_qty", "closing_value_fifo", "closing_value_wacp")
    assert feb == (-4, 3, *D("36.00", "40.00"))
    assert c.product("2024-02", "P1", "cmup_periodic") == D("13.3333")
    # Out of stock: every day of January ends at ≤ 0; February 1-4 end at −4, then stock is positive.
    assert c.product("2024-01", "P1", "oos_days", "active_days", "oos_rate") == (31, 31, *D("1.0000"))
    assert c.product("2024-02", "P1", "oos_days", "active_days", "oos_rate") == (4, 29, *D("0.1379"))


def test_partial_line_across_lots_and_provisional_cost_at_the_last_lot_and_average(dataset: Dataset) -> None:
    ds = dataset.product("P1", fallback="1.00")
    ds.receipt("R1", 1, "2024-03-01 09:00:00", 5, "10.00")  # 50.00
    ds.receipt("R2", 1, "2024-03-02 09:00:00", 3, "11.00")  # 33.00
    ds.sale("S1", "2024-03-03 09:00:00", 10, "30.00")
    ds.receipt("R3", 1, "2024-03-04 09:00:00", 4, "12.50")  # 50.00
    ds.sale("S2", "2024-03-05 09:00:00", 1, "30.00")
    c = ds.cost()

    # FIFO S1: 50.00 (R1) + 33.00 (R2) + 2 short at last_unit 11.00 = 22.00 provisional → 105.00;
    # R3 settles the 2 units: take(2 of 4 @ 50.00) = 25.00 → 105.00 + 25.00 − 22.00 = 108.00.
    # WAC S1: all 8 units 83.00, 2 short at last_avg 83/8 = 10.375 → 20.75 → 103.75; settled: + 25.00 − 20.75.
    # Periodic March: (50 + 33 + 50) / 12 = 11.083333 → r2(10 × 11.083333) = 110.83.
    assert c.line("S1-1", "fifo_cost", "wac_cost", "wacp_cost") == D("108.00", "108.00", "110.83")
    assert c.line("S1-1", "fifo_unit_cost", "negative_stock_qty") == (*D("10.8000"), 2)
    # After settlement the average is R3's cost (12.50): S2 costs 12.50 under FIFO and WAC.
    assert c.line("S2-1", "fifo_cost", "wac_cost", "wacp_cost") == D("12.50", "12.50", "11.08")
    # Closing: 1 unit; FIFO and WAC 12.50; periodic r2(1 × 133 / 12) = 11.08.
    assert c.product(
        "2024-03", "P1", "closing_qty", "closing_value_fifo", "closing_value_wac", "closing_value_wacp"
    ) == (
        1,
        *D("12.50", "12.50", "11.08"),
    )


def test_out_of_order_receipt_and_tie_breaks(dataset: Dataset) -> None:
    ds = dataset.product("P1").product("P2")
    # R2 is listed first and booked late, but it arrived on 04-03, before the sale of 04-05.
    ds.receipt("R2", 1, "2024-04-03 09:00:00", 5, "6.00", booked="2024-04-20 09:00:00")  # 30.00
    ds.sale("S1", "2024-04-05 09:00:00", 9, "30.00")
    ds.receipt("R1", 1, "2024-04-01 09:00:00", 5, "10.00")  # 50.00
    # Same receipt and time: line_no 10 (7.00) and 2 (5.00) compare as numbers, so line 2 is the older lot.
    ds.receipt("RX", 10, "2024-04-10 09:00:00", 1, "7.00")
    ds.receipt("RX", 2, "2024-04-10 09:00:00", 1, "5.00")
    # Two sales at one time: "L10" < "L2" as strings.
    ds.sale("O2", "2024-04-12 09:00:00", 1, "30.00", line_id="L2")
    ds.sale("O10", "2024-04-12 09:00:00", 1, "30.00", line_id="L10")
    ds.sale("O3", "2024-04-13 09:00:00", 1, "30.00")
    # A receipt and a sale at one time: the receipt goes first (type rank), although "A" < "RZ".
    ds.receipt("RZ", 1, "2024-04-12 09:00:00", 1, "3.00", product="P2")
    ds.sale("OA", "2024-04-12 09:00:00", 1, "30.00", product="P2", line_id="A")
    c = ds.cost()

    # FIFO S1: 5 × 10.00 (R1) + take(4 of 5 @ 30.00) = 24.00 → 74.00; WAC: (50 + 30) / 10 × 9 = 72.00.
    assert c.line("S1-1", "fifo_cost", "wac_cost", "negative_stock_qty") == (*D("74.00", "72.00"), 0)
    # Left: R2 1 unit (6.00), RX-2 (5.00), RX-10 (7.00). L10 takes R2's unit, L2 then RX line 2, O3 RX line 10.
    assert c.line("L10", "fifo_cost") == D("6.00")
    assert c.line("L2", "fifo_cost") == D("5.00")
    assert c.line("O3-1", "fifo_cost") == D("7.00")
    assert c.line("A", "fifo_cost", "negative_stock_qty") == (*D("3.00"), 0)


def test_landed_costs_split_methods_remainders_currency_and_restatement(dataset: Dataset) -> None:
    ds = dataset.product("P1", weight="1.0").product("P2", weight="2.5").product("P3", weight="0.5")
    ds.fx("2024-05-08", "USD", "1.1000").fx("2024-05-10", "USD", "1.2000")
    ds.receipt("R0", 1, "2024-05-01 09:00:00", 1, "20.00", product="P3")
    ds.receipt("R1", 1, "2024-05-02 09:00:00", 3, "10.00", product="P1")  # 30.00
    ds.receipt("R1", 2, "2024-05-02 09:00:00", 2, "20.00", product="P2")  # 40.00
    ds.receipt("R1", 3, "2024-05-02 09:00:00", 1, "0.00", product="P3")  # free goods
    # A USD receipt on 05-09 uses the 05-08 rate (latest on or before): r2(4 × 5.50 / 1.1) = 20.00.
    ds.receipt("R2", 1, "2024-05-09 10:00:00", 4, "5.50", product="P1", currency="USD")
    # All landed costs are dated after the sales below: they are restated onto the lots anyway.
    ds.landed("LV", "2024-05-20", "R1", "10.00", "by_value")
    ds.landed("LQ", "2024-05-20", "R1", "10.00", "by_quantity")
    ds.landed("LW", "2024-05-20", "R1", "10.00", "by_weight")
    ds.landed("LE", "2024-05-20", "R1", "10.00", "equal")
    ds.landed("LU", "2024-05-10", "R1", "12.50", "equal", currency="USD")  # 12.50 / 1.2 = 10.416667 → 10.42
    ds.sale("S1", "2024-05-03 09:00:00", 1, "60.00", product="P1")
    ds.sale("S3", "2024-05-04 09:00:00", 1, "60.00", product="P3")
    c = ds.cost()

    share = {key: value for key, value in ((k, v["share_eur"]) for k, v in c.shares.items())}
    # by_value, basis 30.00 / 40.00 / 0.00: r2(10 × 30/70) = 4.29, r2(10 × 40/70) = 5.71, last 10 − 10.00 = 0.00
    assert (share[("LV", "R1-1")], share[("LV", "R1-2")], share[("LV", "R1-3")]) == D("4.29", "5.71", "0.00")
    # by_quantity, basis 3 / 2 / 1: 5.00, r2(3.3333) = 3.33, last 10 − 8.33 = 1.67
    assert (share[("LQ", "R1-1")], share[("LQ", "R1-2")], share[("LQ", "R1-3")]) == D("5.00", "3.33", "1.67")
    # by_weight, basis 3 × 1.0 / 2 × 2.5 / 1 × 0.5 = 3 / 5 / 0.5: r2(3.5294) = 3.53, r2(5.8824) = 5.88, last 0.59
    assert (share[("LW", "R1-1")], share[("LW", "R1-2")], share[("LW", "R1-3")]) == D("3.53", "5.88", "0.59")
    # equal: 3.33, 3.33, last 3.34
    assert (share[("LE", "R1-1")], share[("LE", "R1-2")], share[("LE", "R1-3")]) == D("3.33", "3.33", "3.34")
    # USD at the cost's own date (05-10 → 1.2000): 10.42 equal → r2(3.4733) = 3.47, 3.47, last 3.48
    assert (share[("LU", "R1-1")], share[("LU", "R1-2")], share[("LU", "R1-3")]) == D("3.47", "3.47", "3.48")
    # Lots: R1-1 = 30 + 4.29 + 5.00 + 3.53 + 3.33 + 3.47 = 49.62; R1-2 = 61.72; R1-3 (free) = 9.08.
    lot = {line: c.lots[line] for line in ("R1-1", "R1-2", "R1-3", "R2-1")}
    assert [lot[x]["lot_value_eur"] for x in ("R1-1", "R1-2", "R1-3")] == list(D("49.62", "61.72", "9.08"))
    assert lot["R1-1"]["landed_cost_eur"] == D("19.62")[0]
    assert (lot["R2-1"]["fx_units_per_eur"], lot["R2-1"]["purchase_value_eur"]) == D("1.1", "20.00")
    # Restatement: S1 (05-03) already carries the costs booked on 05-20: r2(1 × 49.62 / 3) = 16.54.
    assert c.line("S1-1", "fifo_cost", "wac_cost") == D("16.54", "16.54")
    # Free goods: P3 holds R0 (20.00) and the free line (9.08 of landed costs only).
    # FIFO takes R0 = 20.00; WAC (20 + 9.08) / 2 = 14.54; periodic the same average → 14.54.
    assert c.line("S3-1", "fifo_cost", "wac_cost", "wacp_cost") == D("20.00", "14.54", "14.54")


def test_negative_landed_cost_rounds_half_away_from_zero(dataset: Dataset) -> None:
    ds = dataset.product("P1")
    ds.receipt("R1", 1, "2024-05-02 09:00:00", 1, "10.00").receipt("R1", 2, "2024-05-02 09:00:00", 1, "10.00")
    ds.landed("CN", "2024-05-03", "R1", "-0.05", "equal")  # a credit note
    c = ds.cost()
    # r2(−0.05 / 2) = r2(−0.025) = −0.03 (away from zero, §11.11); the last line gets −0.05 + 0.03 = −0.02.
    assert (c.shares[("CN", "R1-1")]["share_eur"], c.shares[("CN", "R1-2")]["share_eur"]) == D(
        "-0.03", "-0.02"
    )
    assert (c.lots["R1-1"]["lot_value_eur"], c.lots["R1-2"]["lot_value_eur"]) == D("9.97", "9.98")


def test_returns_and_adjustments_under_each_method(dataset: Dataset) -> None:
    ds = dataset.product("P1", fallback="9.00", active_from="2024-06-01")
    ds.receipt("R1", 1, "2024-06-01 09:00:00", 10, "10.00")  # 100.00
    ds.receipt("R2", 1, "2024-06-02 09:00:00", 10, "13.00")  # 130.00
    ds.sale("S1", "2024-06-03 09:00:00", 12, "18.00", channel="store", fulfillment="in_store")
    ds.supplier_return("SR1", "2024-06-04 09:00:00", "R2-1", 2)
    ds.customer_return("CR1", "2024-07-05 09:00:00", "S1-1", 3)
    ds.adjustment("L1", "2024-07-06 09:00:00", -7)
    ds.adjustment("G1", "2024-07-07 09:00:00", 4)
    c = ds.cost()

    # S1, FIFO: 100.00 + take(2 of 10 @ 130.00) = 26.00 → 126.00; WAC: 12 × 230 / 20 = 138.00.
    # Periodic June: entries 230.00 − supplier return 2 × 13.00 = 204.00 over 18 units → 12 × 11.3333 = 136.00.
    assert c.line("S1-1", "fifo_cost", "wac_cost", "wacp_cost", "returned_qty") == (
        *D("126.00", "138.00", "136.00"),
        3,
    )
    # SR1 leaves lot R2 (8 left worth 104.00): take(2) = 26.00; WAC a negative entry at R2's unit 13.00 = 26.00.
    assert c.move("SR1", "type", "ref_line_id", "channel", "refund_ht") == (
        "supplier_return",
        "R2-1",
        None,
        None,
    )
    assert c.move("SR1", "fifo_value", "wac_value", "wacp_value") == D("26.00", "26.00", "26.00")
    # CR1: refund r2(180.00 × 3 / 12) = 45.00 under the original channel; FIFO 3 × 126 / 12 = 31.50 (a new lot),
    # WAC 3 × 138 / 12 = 34.50, periodic at July's CMUP 68.00 / 6 → 3 × 11.3333 = 34.00.
    assert c.move("CR1", "type", "channel", "month") == ("customer_return", "store", "2024-07")
    assert c.move("CR1", "refund_ht", "fifo_value", "wac_value", "wacp_value") == D(
        "45.00", "31.50", "34.50", "34.00"
    )
    # L1 (7 units): FIFO R2's last 6 units 78.00 + 1 of the return lot 10.50 = 88.50;
    # WAC (Q 9, V 66.00 + 34.50 = 100.50): r2(7 × 100.50 / 9) = 78.17; periodic r2(7 × 11.3333) = 79.33.
    assert c.move("L1", "type", "qty", "ref_line_id") == ("adjustment_loss", 7, None)
    assert c.move("L1", "fifo_value", "wac_value", "wacp_value") == D("88.50", "78.17", "79.33")
    # G1 (4 units): FIFO at the oldest lot with stock, the return lot's 10.50 → 42.00;
    # WAC at the average 22.33 / 2 → r2(44.66) = 44.66; periodic r2(4 × 11.3333) = 45.33.
    assert c.move("G1", "type", "fifo_value", "wac_value", "wacp_value") == (
        "adjustment_gain",
        *D("42.00", "44.66", "45.33"),
    )
    # July: no sale; COGS is the return reversed; adjustments stay outside COGS (gains − losses).
    july = c.product("2024-07", "P1", "cogs_fifo", "cogs_wac", "cogs_wacp")
    assert july == D("-31.50", "-34.50", "-34.00")
    adjustments = c.product(
        "2024-07", "P1", "adjustment_value_fifo", "adjustment_value_wac", "adjustment_value_wacp"
    )
    assert adjustments == D("-46.50", "-33.51", "-34.00")
    # Closing July: 6 units. FIFO: return lot 2 × 10.50 + gain lot 42.00 = 63.00; WAC 22.33 + 44.66 = 66.99;
    # periodic r2(6 × 68 / 6) = 68.00.
    closing = c.product(
        "2024-07", "P1", "closing_qty", "closing_value_fifo", "closing_value_wac", "closing_value_wacp"
    )
    assert closing == (6, *D("63.00", "66.99", "68.00"))
    # The returns appear in the channel KPIs of July under the original channel (store).
    assert c.kpi("2024-07", "store", "refunds_ht", "units_returned", "cogs_fifo") == (
        *D("45.00"),
        3,
        *D("-31.50"),
    )


def test_customer_return_settles_a_backlog_like_any_inflow(dataset: Dataset) -> None:
    ds = dataset.product("P1", fallback="4.00")
    ds.receipt("R1", 1, "2024-01-02 09:00:00", 2, "10.00")  # 20.00
    ds.sale("S1", "2024-01-03 09:00:00", 2, "30.00")
    ds.sale("S2", "2024-01-04 09:00:00", 3, "30.00")  # 3 short, provisional at last_unit 10.00 = 30.00
    ds.customer_return("CR1", "2024-01-05 09:00:00", "S1-1", 1)
    c = ds.cost()
    # CR1 comes back at S1's unit cost 10.00 and settles 1 of S2's 3 units: take(1 of 1 @ 10.00) = 10.00,
    # replacing r2(1 × 30.00 / 3) = 10.00 of provisional: S2 stays 30.00, with 2 units still in backlog.
    assert c.move("CR1", "fifo_value", "wac_value") == D("10.00", "10.00")
    assert c.line("S2-1", "fifo_cost", "wac_cost", "negative_stock_qty") == (*D("30.00", "30.00"), 3)
    assert c.product("2024-01", "P1", "closing_qty", "closing_value_fifo") == (-2, *D("-20.00"))


def test_months_without_movement_and_active_from_before_the_first_movement(dataset: Dataset) -> None:
    ds = dataset.product("P1", active_from="2023-12-15")
    ds.receipt("R1", 1, "2024-01-10 09:00:00", 10, "10.00")
    ds.sale("S1", "2024-03-05 09:00:00", 2, "24.00", channel="web")
    ds.sale("S2", "2024-03-06 09:00:00", 1, "24.00", channel="store", fulfillment="in_store")
    c = ds.cost()
    # Months run from December (active_from) to March (the last movement), February included.
    assert sorted({m for m, _ in c.products}) == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert sorted(c.kpis) == sorted(
        (m, ch) for m in ("2023-12", "2024-01", "2024-02", "2024-03") for ch in ("web", "store", "ALL")
    )
    # December: active from the 15th (17 days), nothing in stock; January: out of stock the 1st to the 9th.
    assert c.product("2023-12", "P1", "oos_days", "active_days") == (17, 17)
    assert c.product("2024-01", "P1", "oos_days", "active_days") == (9, 31)
    # February: no movement, stock carried over, ratios over zero are empty.
    feb = c.product("2024-02", "P1", "opening_qty", "closing_qty", "closing_value_fifo", "cmup_periodic")
    assert feb == (10, 10, *D("100.00", "10.0000"))
    assert c.product("2024-02", "P1", "margin_rate_fifo", "days_of_cover_fifo", "turnover_fifo") == (
        None,
        None,
        *D("0.0000"),
    )
    assert c.kpi("2024-02", "ALL", "orders", "aov_ht", "margin_rate_fifo", "channel_mix_net_revenue") == (
        0,
        None,
        None,
        None,
    )
    # March channel mix: web 2 × 20.00 = 40.00, store 20.00 → 0.6667 and 0.3333 of 60.00.
    assert c.kpi("2024-03", "web", "channel_mix_net_revenue") == D("0.6667")
    assert c.kpi("2024-03", "store", "channel_mix_net_revenue") == D("0.3333")
    # Days of cover in March: closing 70.00 × 31 / COGS 30.00 = 72.3333; turnover 30 / ((100 + 70) / 2) = 0.3529.
    assert c.product("2024-03", "P1", "days_of_cover_fifo", "turnover_fifo") == D("72.3333", "0.3529")


def test_a_fallback_cost_with_many_decimals_is_used_at_its_scale() -> None:
    # GIVEN a product whose fallback unit cost carries 8 decimals (as ERP cost prices do) and large volumes
    # (the exact-cents range check once read the fallback without its scale and refused such a product)
    ds = Dataset().product(fallback="12.34567891")
    ds.receipt("E1", 1, "2024-01-10 09:00:00", 500_000, "12.00")
    # WHEN it sells before any receipt, then the receipt settles the backlog
    ds.sale("W1", "2024-01-05 10:00:00", 2, "30.00")
    costed = ds.cost()
    # THEN the provisional cost was r2(2 × 12.34567891) = 24.69, settled at the receipt's 12.00 a unit
    assert costed.line("W1-1", "fifo_cost", "negative_stock_qty") == (*D("24.00"), 2)
