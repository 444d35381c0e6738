"""The costing engine's entry point for tables: inputs in, costs per line, movement, lot and month out."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse.costing import kpis as kpi
from warehouse.costing.errors import CostingInputError
from warehouse.costing.fixed import half_up_div, ratio_half_up, to_decimal
from warehouse.costing.inputs import Inputs, concat_text, read_inputs, sort_rows, take
from warehouse.costing.valuation import Lots, value_lots
from warehouse.costing.walk import (
    CUSTOMER_RETURN,
    GAIN,
    LOSS,
    LOSS_BEYOND_ON_HAND,
    RECEIPT,
    SALE,
    SUPPLIER_RETURN,
    SUPPLIER_RETURN_BEYOND_LOT,
    SUPPLIER_RETURN_NEGATIVE_VALUE,
    walk_perpetual,
)

_US_PER_DAY = 86_400_000_000
METHODS = ("fifo", "wac", "wacp")


@dataclass
class CostingResult:
    """Every output of one costing run as Arrow tables (money DECIMAL(18, 2), unit costs and ratios scale 4).

    Attributes:
        receipt_costs: one row per receipt line (FIFO lot): FX rate, EUR purchase value, landed costs, lot
            value and unit cost.
        landed_cost_shares: one row per (landed cost, receipt line): the share in EUR (§3.2).
        line_costs: one row per sale line: revenue HT and cost, unit cost and margin under each method.
        movement_costs: one row per customer return, supplier return and adjustment, values per method.
        kpis: one row per month and channel, plus `ALL` (§7.2).
        product_kpis: one row per month and product, plus `ALL` (§7.3): stock, COGS, turnover, cover, OOS.
        timings: seconds spent per stage (`check`, `lots`, `walk`, `lines`, `kpis`), for monitoring.
    """

    receipt_costs: pa.Table
    landed_cost_shares: pa.Table
    line_costs: pa.Table
    movement_costs: pa.Table
    kpis: pa.Table
    product_kpis: pa.Table
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Events:
    """All stock movements, sorted per product in the order of §2.3."""

    product: np.ndarray
    kind: np.ndarray
    qty: np.ndarray
    value: np.ndarray
    src: np.ndarray
    ref: np.ndarray
    time: np.ndarray
    bounds: np.ndarray


def _events(inputs: Inputs, lots: Lots) -> Events:
    """Build and sort the events: (product, datetime, type rank, tie-break id, line_no) (§2.3, §11.2)."""
    rec, sal, ret, adj = inputs.receipts, inputs.sales, inputs.returns, inputs.adjustments
    n_ret = len(ret.ids)
    kind = np.concatenate(
        [
            np.full(rec.qty.size, RECEIPT, np.int8),
            np.full(sal.qty.size, SALE, np.int8),
            np.where(ret.supplier, SUPPLIER_RETURN, CUSTOMER_RETURN).astype(np.int8),
            np.where(adj.qty_delta > 0, GAIN, LOSS).astype(np.int8),
        ]
    )
    product = np.concatenate([rec.product, sal.product, ret.product, adj.product])
    when = np.concatenate([rec.time, sal.time, ret.time, adj.time])

    def ties(rows: np.ndarray) -> pa.Table:
        """Same product, time and type: by id (as text), then line_no (receipts)."""
        line_no = np.concatenate([rec.line_no, np.zeros(product.size - rec.qty.size, np.int64)])
        ids = concat_text([rec.receipt_id, sal.line_id, ret.ids, adj.ids])
        return pa.table({"tie": ids.take(rows), "line_no": line_no[rows]})

    order = sort_rows([product, when, kind], ties)
    src = np.concatenate(
        [np.arange(rec.qty.size), np.arange(sal.qty.size), np.arange(n_ret), n_ret + np.arange(len(adj.ids))]
    )[order]
    kind = kind[order]
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    receipt_pos = position[: rec.qty.size]
    # A customer return points at its sale line, a supplier return at its lot's event.
    ret_ref = np.where(ret.supplier, take(receipt_pos, np.where(ret.supplier, ret.ref, -1), -1), ret.ref)
    ref = np.concatenate([np.full(rec.qty.size + sal.qty.size, -1), ret_ref, np.full(len(adj.ids), -1)])[
        order
    ]
    product = product[order]
    bounds = np.searchsorted(product, np.arange(len(inputs.products.ids) + 1)).astype(np.int64)
    return Events(
        product=product,
        kind=kind,
        qty=np.concatenate([rec.qty, sal.qty, ret.qty, np.abs(adj.qty_delta)])[order],
        value=np.concatenate([lots.value, np.zeros(order.size - rec.qty.size, np.int64)])[order],
        src=src.astype(np.int64),
        ref=ref.astype(np.int64),
        time=when[order],
        bounds=bounds,
    )


@dataclass
class Calendar:
    """The reported months (§11.4) as month numbers since 1970-01, and day offsets from the first one."""

    first: int
    count: int
    day0: int
    month_of_day: np.ndarray
    days_in_month: np.ndarray

    def month(self, time_us: np.ndarray) -> np.ndarray:
        """Month index (0-based in the report) of microsecond timestamps within the reported months."""
        return self.month_of_day[time_us // _US_PER_DAY - self.day0]  # a lookup: no calendar arithmetic

    def labels(self) -> np.ndarray:
        """'YYYY-MM' of every reported month."""
        return np.datetime_as_string(np.arange(self.first, self.first + self.count).astype("datetime64[M]"))


def _calendar(inputs: Inputs, times: np.ndarray) -> Calendar:
    active = inputs.products.active_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    moves = times.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    if moves.size == 0:
        return Calendar(0, 0, 0, np.zeros(0, np.int64), np.zeros(0, np.int64))
    first = int(min(moves.min(), active.min(initial=moves.min())))
    last = int(moves.max())
    starts = np.arange(first, last + 2).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    days_in_month = np.diff(starts)
    month_of_day = np.repeat(np.arange(days_in_month.size), days_in_month)
    return Calendar(first, last - first + 1, int(starts[0]), month_of_day.astype(np.int64), days_in_month)


def _walk_error(
    inputs: Inputs, events: Events, err_pos: np.ndarray, err_code: np.ndarray
) -> CostingInputError:
    """The refusal for the first broken stock rule, naming the movement's file and row."""
    failing = np.flatnonzero(err_pos >= 0)
    e = int(err_pos[failing[0]])
    code = int(err_code[failing[0]])
    src = int(events.src[e])
    qty = int(events.qty[e])
    n_ret = len(inputs.returns.ids)
    table = inputs.sources["returns"] if src < n_ret else inputs.sources["adjustments"]
    row = src if src < n_ret else src - n_ret
    lot = inputs.receipts.line_id[int(inputs.returns.ref[row])].as_py() if src < n_ret else ""
    reason = {
        LOSS_BEYOND_ON_HAND: f"loss of {qty} units is more than the stock on hand (a loss cannot create negative stock)",
        SUPPLIER_RETURN_BEYOND_LOT: f"supplier return of {qty} units is more than what is left of lot {lot} at that time",
        SUPPLIER_RETURN_NEGATIVE_VALUE: f"supplier return of {qty} units would drive the WAC stock value below 0",
    }[code]
    return CostingInputError(table.where(row), reason)


def _check_range(inputs: Inputs, lots: Lots, events: Events) -> None:
    """Refuse amounts the int64 walk cannot hold exactly (t × value must stay below 2**63)."""
    qty_in = np.zeros(len(inputs.products.ids), dtype=np.float64)
    val_in = np.zeros(len(inputs.products.ids), dtype=np.float64)
    np.add.at(qty_in, events.product, events.qty.astype(np.float64))
    np.add.at(val_in, events.product, np.abs(events.value.astype(np.float64)))
    # fallback unit cost in cents (its fixed-point scale applied)
    fallback = inputs.products.fallback.unscaled.astype(np.float64) * 100 / 10**inputs.products.fallback.scale
    bound = qty_in * (val_in + qty_in * fallback + 1)
    if bound.size and bound.max() >= 4e18:
        p = int(np.argmax(bound))
        inputs.sources["products"].fail(p, "quantities × values of this product exceed exact 64-bit cents")


def compute_costs(tables: Mapping[str, pa.Table | pd.DataFrame], *, csv: bool = False) -> CostingResult:
    """Cost a data set: FIFO real cost, perpetual and periodic CMUP, and the KPIs of the spec (§3-§7).

    Args:
        tables: `products`, `fx_rates`, `receipts`, `landed_costs`, `sales`, `returns`, `adjustments`, as
            Arrow tables or pandas DataFrames with the columns of the CSV files (other columns are ignored).
        csv: name refused rows as CSV lines (`sales.csv, line 5`) rather than table rows.

    Returns:
        The six result tables.

    Raises:
        CostingInputError: the data set breaks a rule of §2.2/§11.1; nothing is returned.
    """
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = now - clock[0]
        clock[0] = now

    inputs = read_inputs(tables, csv=csv)
    lap("check")
    lots = value_lots(inputs)
    lap("lots")
    cal, walked = _walk(inputs, lots)
    sal, ret = inputs.sales, inputs.returns
    cost, mov, close, periodic = walked.cost, walked.mov, walked.close, walked.periodic
    lap("walk")

    revenue = kpi.revenue(inputs)
    months = kpi.Months(cal.labels(), cal.days_in_month)
    movements = kpi.movement_frame(
        inputs, revenue, mov, cal.month(np.concatenate([ret.time, inputs.adjustments.time]))
    )
    sale_month = cal.month(sal.time)
    stock = kpi.Stock(
        close_qty=close["qty"],
        close_value={"fifo": close["fifo"], "wac": close["wac"], "wacp": periodic.close_value},
        cmup=(periodic.cmup_num, periodic.cmup_den),
        oos_days=close["oos"],
        active_days=_active_days(inputs, cal),
    )
    # The KPI tables first: their working arrays are gone before the largest output (a row per sale line)
    # is built, so the two never add up in memory.
    kpis = kpi.channel_table(inputs, revenue, cost, movements, sale_month, months)
    product_kpis = kpi.product_table(inputs, revenue, cost, movements, sale_month, months, stock)
    lap("kpis")
    result = CostingResult(
        receipt_costs=_receipt_table(inputs, lots),
        landed_cost_shares=pa.table(
            {
                "landed_cost_id": inputs.landed.ids.take(lots.share_cost),
                "receipt_id": inputs.landed.receipt_id.take(lots.share_cost),
                "line_id": inputs.receipts.line_id.take(lots.share_line),
                "share_eur": to_decimal(lots.share_value, 2),
            }
        ),
        line_costs=kpi.line_table(inputs, revenue, cost, walked.neg, sale_month, months),
        movement_costs=movements.table(months),
        kpis=kpis,
        product_kpis=product_kpis,
        timings=timings,
    )
    lap("lines")
    return result


@dataclass
class Periodic:
    """Monthly CMUP per [product, month] (§5.2): the CMUP as a ratio in cents, and V1."""

    cmup_num: np.ndarray
    cmup_den: np.ndarray
    close_qty: np.ndarray
    close_value: np.ndarray


@dataclass
class Walked:
    """What the walks give: costs per sale line and movement per method, month-end stock, periodic CMUP."""

    cost: dict[str, np.ndarray]
    mov: dict[str, np.ndarray]
    neg: np.ndarray
    close: dict[str, np.ndarray]
    periodic: Periodic


def _walk(inputs: Inputs, lots: Lots) -> tuple[Calendar, Walked]:
    """Sort the events, walk them (FIFO and perpetual CMUP), then the periodic CMUP; the events die here."""
    events = _events(inputs, lots)
    _check_range(inputs, lots, events)
    cal = _calendar(inputs, events.time)
    n_p, n_m = len(inputs.products.ids), cal.count
    sal, ret = inputs.sales, inputs.returns
    n_mov = len(ret.ids) + len(inputs.adjustments.ids)
    fb = inputs.products.fallback
    fb_num = fb.unscaled * 100
    fb_den = np.full(n_p, 10**fb.scale, dtype=np.int64)
    active = np.maximum(inputs.products.active_day - cal.day0, 0)

    cost = {m: np.zeros(sal.qty.size, np.int64) for m in METHODS}
    mov = {m: np.zeros(n_mov, np.int64) for m in METHODS}
    neg = np.zeros(sal.qty.size, np.int64)
    close = {k: np.zeros((n_p, n_m), np.int64) for k in ("qty", "fifo", "wac", "oos")}
    err_pos = np.full(n_p, -1, np.int64)
    err_code = np.zeros(n_p, np.int64)
    day = events.time // _US_PER_DAY - cal.day0
    walk_perpetual(
        events.bounds, events.kind, events.qty, events.value, events.src, events.ref, day, sal.qty, fb_num, fb_den,
        active, cal.month_of_day, cost["fifo"], cost["wac"], neg, mov["fifo"], mov["wac"], close["qty"],
        close["fifo"], close["wac"], close["oos"], err_pos, err_code,
    )  # fmt: skip
    if (err_pos >= 0).any():
        raise _walk_error(inputs, events, err_pos, err_code)

    month = cal.month_of_day[day]
    del day
    periodic = _periodic(inputs, lots, events, month, n_m, fb_num, fb_den)
    if not np.array_equal(periodic.close_qty, close["qty"]):
        raise AssertionError("periodic and perpetual on-hand quantities disagree")
    _periodic_values(inputs, lots, events, month, periodic, cost["wacp"], mov["wacp"])
    return cal, Walked(cost, mov, neg, close, periodic)


def _periodic(
    inputs: Inputs, lots: Lots, events: Events, month: np.ndarray, n_m: int, fb_num, fb_den
) -> Periodic:
    """Periodic weighted average: one CMUP per product and month, months in sequence, products at once."""
    n_p = len(inputs.products.ids)
    cell = events.product * n_m + month
    kind, qty = events.kind, events.qty
    ret = inputs.returns
    supplier = kind == SUPPLIER_RETURN
    sup_rows = events.src[supplier]
    sup_lines = ret.ref[sup_rows]
    entry_qty = np.where(kind == RECEIPT, qty, 0) - np.where(supplier, qty, 0)
    entry_val = np.where(kind == RECEIPT, events.value, 0)
    # A supplier return leaves at r2(q × lot unit) of its referenced lot.
    entry_val[supplier] -= ratio_half_up(
        [qty[supplier], lots.value[sup_lines]], [inputs.receipts.qty[sup_lines]]
    )
    other = np.select(
        [kind == SALE, kind == LOSS, kind == CUSTOMER_RETURN, kind == GAIN], [-qty, -qty, qty, qty], 0
    )
    sums = {}
    for name, values in (("eq", entry_qty), ("ev", entry_val), ("other", other)):
        acc = np.zeros(n_p * n_m, np.int64)
        np.add.at(acc, cell, values)
        sums[name] = acc.reshape(n_p, n_m)
    out = Periodic(*(np.zeros((n_p, n_m), np.int64) for _ in range(4)))
    q0 = np.zeros(n_p, np.int64)
    v0 = np.zeros(n_p, np.int64)
    prev_num, prev_den = fb_num.copy(), fb_den.copy()
    for m in range(n_m):
        den = q0 + sums["eq"][:, m]
        num = v0 + sums["ev"][:, m]
        known = den > 0
        prev_num = np.where(known, num, prev_num)
        prev_den = np.where(known, den, prev_den)
        q1 = den + sums["other"][:, m]
        v1 = ratio_half_up([q1, prev_num], [prev_den])
        out.cmup_num[:, m], out.cmup_den[:, m] = prev_num, prev_den
        out.close_qty[:, m], out.close_value[:, m] = q1, v1
        q0, v0 = q1, v1
    return out


def _periodic_values(inputs, lots, events, month, periodic, sale_cost, mov_value) -> None:
    """Sale, loss, gain and customer-return values at the month's CMUP; supplier returns at the lot's unit."""
    kind = events.kind
    p, m = events.product, month
    at_cmup = kind != RECEIPT
    value = ratio_half_up([events.qty, periodic.cmup_num[p, m]], [periodic.cmup_den[p, m]])
    supplier = kind == SUPPLIER_RETURN
    lines = inputs.returns.ref[events.src[supplier]]
    value[supplier] = ratio_half_up([events.qty[supplier], lots.value[lines]], [inputs.receipts.qty[lines]])
    sales = kind == SALE
    sale_cost[events.src[sales]] = value[sales]
    moves = at_cmup & ~sales
    mov_value[events.src[moves]] = value[moves]


def _active_days(inputs: Inputs, cal: Calendar) -> np.ndarray:
    """Days of each month on or after the product's active_from, [product, month] (§7.3, §11.13)."""
    starts = cal.day0 + np.concatenate([[0], np.cumsum(cal.days_in_month)])
    first = np.maximum(starts[None, :-1], inputs.products.active_day[:, None])
    return np.clip(starts[None, 1:] - first, 0, None).astype(np.int64)


def _receipt_table(inputs: Inputs, lots: Lots) -> pa.Table:
    rec = inputs.receipts
    rate = lots.fx_rate
    return pa.table(
        {
            "receipt_id": rec.receipt_id,
            "line_no": rec.line_no,
            "line_id": rec.line_id,
            "product_id": inputs.products.ids.take(rec.product),
            "qty": rec.qty,
            "currency": rec.currency,
            "fx_units_per_eur": to_decimal(rate.unscaled, rate.scale),
            "purchase_value_eur": to_decimal(lots.purchase, 2),
            "landed_cost_eur": to_decimal(lots.landed, 2),
            "lot_value_eur": to_decimal(lots.value, 2),
            "unit_cost_eur": to_decimal(half_up_div(lots.value * 100, rec.qty), 4),
        }
    )
