"""Receipt lots in EUR (§3): FX at the effective date, landed costs split over the receipt's lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from warehouse.costing.fixed import ratio_half_up
from warehouse.costing.inputs import Fixed, Inputs, Table

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


def _rates(inputs: Inputs, table: Table, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Unscaled rate (scale of fx_rates) of each (currency, day): the latest rate dated on or before it (O7)."""
    fx = inputs.fx
    one = 10**fx.rate.scale
    codes, uniques = pd.factorize(np.concatenate([fx.currency, currency]).astype(str))
    fx_code, code = codes[: fx.currency.size], codes[fx.currency.size :]
    order = np.lexsort((fx.day, fx_code))
    offset = np.int64(1) << 31
    known = (fx_code[order].astype(np.int64) << 32) + (fx.day[order] + offset)
    wanted = (code.astype(np.int64) << 32) + (day + offset)
    pos = np.searchsorted(known, wanted, side="right") - 1
    found = (
        (pos >= 0) & (fx_code[order][np.maximum(pos, 0)] == code) if known.size else np.zeros(day.size, bool)
    )
    euro = currency.astype(str) == "EUR"
    missing = ~found & ~euro
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        date = np.datetime64(int(day[row]), "D")
        table.fail(row, f"no {currency[row]} rate in fx_rates on or before {date}")
    rates = fx.rate.unscaled[order][np.maximum(pos, 0)] if known.size else np.zeros(day.size, np.int64)
    return np.where(euro, one, rates).astype(np.int64)


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

    lines = pd.DataFrame({"receipt_id": rec.receipt_id.astype(str), "line": np.arange(rec.qty.size)})
    costs = pd.DataFrame({"receipt_id": lc.receipt_id.astype(str), "cost": np.arange(lc.ids.size)})
    pairs = costs.merge(lines, on="receipt_id")
    cost_idx = pairs["cost"].to_numpy(np.int64)
    line_idx = pairs["line"].to_numpy(np.int64)
    order = np.lexsort((rec.line_no[line_idx], cost_idx))
    cost_idx, line_idx = cost_idx[order], line_idx[order]

    method = lc.split[cost_idx]
    qty = rec.qty[line_idx]
    basis = np.select(
        [method == 0, method == 1, method == 2],
        [purchase[line_idx], qty, qty * prod.weight.unscaled[rec.product[line_idx]]],
        default=1,
    ).astype(np.int64)
    total = np.zeros(lc.ids.size, dtype=np.int64)
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
    others = np.zeros(lc.ids.size, dtype=np.int64)
    np.add.at(others, cost_idx[~last], share[~last])
    share[last] = amount[cost_idx[last]] - others[cost_idx[last]]

    landed = np.zeros(rec.qty.size, dtype=np.int64)
    np.add.at(landed, line_idx, share)
    return Lots(Fixed(rate, scale), purchase, landed, purchase + landed, cost_idx, line_idx, share)
