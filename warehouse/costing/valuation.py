"""Receipt lots in EUR (§3): FX at the effective date, landed costs split over the receipt's lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow.compute as pc

from warehouse.costing.fixed import ratio_half_up
from warehouse.costing.inputs import Fixed, Inputs, Table, Text, lookup, take

_US_PER_DAY = 86_400_000_000


@dataclass
class Lots:
    """One FIFO lot per receipt line, in cents, plus each landed cost's share per line."""

    fx_rate: Fixed  # units of the line's currency per EUR at the receipt date (EUR: 1)
    purchase: np.ndarray  # r2(qty × unit_price / rate), cents
    landed: np.ndarray  # Σ landed-cost shares, cents
    value: np.ndarray  # purchase + landed, cents
    share_cost: np.ndarray  # landed cost index of each share
    share_line: np.ndarray  # receipt line index of each share
    share_value: np.ndarray  # the share, cents


def _rates(inputs: Inputs, table: Table, currency: Text, day: np.ndarray) -> np.ndarray:
    """Unscaled rate (scale of fx_rates) of each (currency, day): the latest rate dated on or before it (O7)."""
    fx = inputs.fx
    known_currencies = pc.unique(fx.currency)
    fx_code = lookup(fx.currency, known_currencies)
    code = lookup(currency, known_currencies)
    order = np.lexsort((fx.day, fx_code))
    offset = np.int64(1) << 31
    known = (fx_code[order] << 32) + (fx.day[order] + offset)
    pos = np.searchsorted(known, (code << 32) + (day + offset), side="right") - 1
    found = (code >= 0) & (pos >= 0) & (take(fx_code[order], pos, -1) == code)
    euro = pc.equal(currency, "EUR").to_numpy(zero_copy_only=False)
    missing = ~found & ~euro
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        date = np.datetime64(int(day[row]), "D")
        table.fail(row, f"no {currency[row].as_py()} rate in fx_rates on or before {date}")
    return np.where(euro, 10**fx.rate.scale, take(fx.rate.unscaled[order], pos, 0)).astype(np.int64)


def value_lots(inputs: Inputs) -> Lots:
    """Convert every receipt line to EUR and spread every landed cost over its receipt's lines (§3.1, §3.2).

    Raises:
        CostingInputError: a missing FX rate, or a landed cost whose allocation basis sums to 0.
    """
    rec, lc, prod = inputs.receipts, inputs.landed, inputs.products
    scale = inputs.fx.rate.scale
    rate = _rates(inputs, inputs.sources["receipts"], rec.currency, rec.time // _US_PER_DAY)
    # r2(qty × price / rate) in cents = qty × P × 10^s_rate × 100 / (10^s_price × R)
    purchase = ratio_half_up([rec.qty, rec.price.unscaled, 10**scale * 100], [10**rec.price.scale, rate])

    lc_rate = _rates(inputs, inputs.sources["landed_costs"], lc.currency, lc.day)
    amount = ratio_half_up([lc.amount.unscaled, 10**scale * 100], [10**lc.amount.scale, lc_rate])

    # Pairs (landed cost, line of its receipt), each cost's lines in line_no order.
    receipt_ids = pc.unique(rec.receipt_id)
    line_receipt = lookup(rec.receipt_id, receipt_ids)
    by_receipt = np.lexsort((rec.line_no, line_receipt))
    cost_receipt = lookup(lc.receipt_id, receipt_ids)
    first = np.searchsorted(line_receipt[by_receipt], cost_receipt, side="left")
    counts = np.searchsorted(line_receipt[by_receipt], cost_receipt, side="right") - first
    cost_idx = np.repeat(np.arange(counts.size), counts)
    within = np.arange(cost_idx.size) - np.repeat(np.cumsum(counts) - counts, counts)
    line_idx = by_receipt[np.repeat(first, counts) + within]

    method = lc.split[cost_idx]
    qty = rec.qty[line_idx]
    basis = np.select(
        [method == 0, method == 1, method == 2],
        [purchase[line_idx], qty, qty * prod.weight.unscaled[rec.product[line_idx]]],
        default=1,
    ).astype(np.int64)
    total = np.zeros(len(lc.ids), dtype=np.int64)
    np.add.at(total, cost_idx, basis)
    inputs.sources["landed_costs"].fail_first(
        total == 0,
        "the allocation basis of receipt {value!r} adds up to 0 (nothing to split over)",
        lc.receipt_id,
    )
    share = ratio_half_up([amount[cost_idx], basis], [total[cost_idx]])
    # The last line of each cost (by line_no) takes the exact remainder (E4).
    last = np.ones(cost_idx.size, dtype=bool)
    last[:-1] = cost_idx[1:] != cost_idx[:-1]
    others = np.zeros(len(lc.ids), dtype=np.int64)
    np.add.at(others, cost_idx[~last], share[~last])
    share[last] = amount[cost_idx[last]] - others[cost_idx[last]]

    landed = np.zeros(rec.qty.size, dtype=np.int64)
    np.add.at(landed, line_idx, share)
    return Lots(Fixed(rate, scale), purchase, landed, purchase + landed, cost_idx, line_idx, share)
