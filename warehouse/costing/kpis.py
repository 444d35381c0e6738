"""Revenue HT, customer identity and the KPI tables of §6-§7, set-based over the walk's results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from warehouse.costing.fixed import half_up_div, ratio_half_up, safe_ratio, to_decimal
from warehouse.costing.inputs import (
    Inputs,
    Text,
    concat_text,
    dictionary_codes,
    first_rows,
    lookup,
    sort_rows,
)

METHODS = ("fifo", "wac", "wacp")
MOVEMENT_TYPES = ["customer_return", "supplier_return", "adjustment_gain", "adjustment_loss"]


def _sum(index: np.ndarray, n: int, values: np.ndarray | int) -> np.ndarray:
    """Exact int64 sums of `values` per group `index` (0..n-1)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index, np.broadcast_to(np.asarray(values, dtype=np.int64), index.shape))
    return out


def _money(cents: np.ndarray) -> pa.Array:
    return to_decimal(cents, 2)


def _ratio(num: np.ndarray, den: np.ndarray, ok: np.ndarray | None = None, digits: int = 4) -> pa.Array:
    """A 4-decimal column `num / den`, null where den is 0 or `ok` is false; `digits` shifts the unit."""
    value, valid = safe_ratio(num, den, digits)  # 0 where den is 0
    if ok is not None:
        valid &= ok
        value = np.where(valid, value, 0)
    return to_decimal(value, 4, valid)


def _pick(labels: list[str] | np.ndarray | Text, index: np.ndarray) -> Text:
    """labels[index] as Arrow strings (labels: month names, channels, product ids...)."""
    text = labels if isinstance(labels, pa.Array | pa.ChunkedArray) else pa.array(labels, pa.string())
    return text.take(pa.array(index, pa.int64()))


@dataclass
class Months:
    """Labels ('YYYY-MM') and lengths of the reported months."""

    labels: np.ndarray
    days: np.ndarray


@dataclass
class Revenue:
    """Per sale line: gross, discount and net HT in cents (§6.1); per return row: refund HT."""

    gross: np.ndarray
    discount: np.ndarray
    net: np.ndarray
    refund: np.ndarray
    returned_qty: np.ndarray


def revenue(inputs: Inputs) -> Revenue:
    """Line amounts HT, refunds r2(net × q / qty) and returned quantities per sale line."""
    sal, ret = inputs.sales, inputs.returns
    one = 10**sal.tax.scale
    divisor = one + sal.tax.unscaled  # (1 + t) × 10^s
    gross = ratio_half_up([sal.qty, sal.price.unscaled, one * 100], [10**sal.price.scale, divisor])
    discount = ratio_half_up([sal.discount.unscaled, one * 100], [10**sal.discount.scale, divisor])
    net = gross - discount
    customer = ~ret.supplier
    line = np.where(customer, ret.ref, 0)
    refund = np.zeros(len(ret.ids), dtype=np.int64)
    if customer.any():
        refund[customer] = ratio_half_up([net[line[customer]], ret.qty[customer]], [sal.qty[line[customer]]])
    returned = _sum(line[customer], sal.qty.size, ret.qty[customer])
    return Revenue(gross, discount, net, refund, returned)


@dataclass
class Movements:
    """Returns then adjustments, one entry per movement, with their values per method (positive)."""

    ids: Text
    type: np.ndarray  # index into MOVEMENT_TYPES
    time: np.ndarray
    month: np.ndarray
    ref_line_id: Text  # null for adjustments
    channel: Text  # the original order's channel, null unless a customer return
    product: np.ndarray
    qty: np.ndarray
    refund: np.ndarray
    value: dict[str, np.ndarray]
    product_ids: Text

    def table(self, months: Months) -> pa.Table:
        """movement_costs: one row per return and adjustment (§11.6)."""
        customer = self.type == 0
        return pa.table(
            {
                "movement_id": self.ids,
                "type": _pick(MOVEMENT_TYPES, self.type),
                "datetime": pa.array(self.time, pa.timestamp("us")),
                "month": _pick(months.labels, self.month),
                "ref_line_id": self.ref_line_id,
                "channel": self.channel,
                "product_id": self.product_ids.take(self.product),
                "qty": self.qty,
                "refund_ht": to_decimal(self.refund, 2, customer),
                **{f"{m}_value": _money(self.value[m]) for m in METHODS},
            }
        )


def movement_frame(
    inputs: Inputs, rev: Revenue, values: dict[str, np.ndarray], month: np.ndarray
) -> Movements:
    """Gather returns and adjustments into one movement list (returns first, then adjustments)."""
    ret, adj, sal = inputs.returns, inputs.adjustments, inputs.sales
    customer = ~ret.supplier
    kinds = np.concatenate([np.where(customer, 0, 1), np.where(adj.qty_delta > 0, 2, 3)])
    n_adj = len(adj.ids)
    channel = (
        pc.if_else(pa.array(customer), sal.channel.take(np.where(customer, ret.ref, 0)), None)
        if len(sal.channel)
        else pa.nulls(len(ret.ids), pa.string())
    )
    return Movements(
        ids=concat_text([ret.ids, adj.ids]),
        type=kinds.astype(np.int64),
        time=np.concatenate([ret.time, adj.time]),
        month=month,
        ref_line_id=concat_text([ret.ref_line_id, pa.nulls(n_adj, pa.string())]),
        channel=concat_text([channel, pa.nulls(n_adj, pa.string())]),
        product=np.concatenate([ret.product, adj.product]),
        qty=np.concatenate([ret.qty, np.abs(adj.qty_delta)]),
        refund=np.concatenate([rev.refund, np.zeros(n_adj, np.int64)]),
        value=values,
        product_ids=inputs.products.ids,
    )


def line_table(inputs: Inputs, rev: Revenue, cost: dict[str, np.ndarray], neg: np.ndarray, month: np.ndarray,
               months: Months) -> pa.Table:  # fmt: skip
    """line_costs: one row per sale line, margins measured at sale (§7.4, §11.7)."""
    sal = inputs.sales
    columns: dict[str, pa.Array | np.ndarray] = {
        "line_id": sal.line_id,
        "order_id": sal.order_id,
        "datetime": pa.array(sal.time, pa.timestamp("us")),
        "month": _pick(months.labels, month),
        "channel": sal.channel,
        "fulfillment": sal.fulfillment,
        "product_id": inputs.products.ids.take(sal.product),
        "qty": sal.qty,
        "gross_ht": _money(rev.gross),
        "discount_ht": _money(rev.discount),
        "net_ht": _money(rev.net),
    }
    for m in METHODS:
        columns[f"{m}_cost"] = _money(cost[m])
        columns[f"{m}_unit_cost"] = _ratio(cost[m], sal.qty, digits=2)
    rates = {}
    for m in METHODS:
        margin = rev.net - cost[m]
        columns[f"{m}_margin"] = _money(margin)
        if m != "wacp":
            rates[f"{m}_margin_rate"] = _ratio(margin, rev.net)
    columns |= rates
    columns["negative_stock_qty"] = neg
    columns["returned_qty"] = rev.returned_qty
    return pa.table(columns)


def normalize_emails(raw: pa.Array | list[str]) -> pa.Array:
    """Trim and lower-case; empty gives null (§7.1)."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pa.array(raw, pa.string())))
    return pc.if_else(pc.equal(text, ""), None, text)


def normalize_phones(raw: pa.Array | list[str]) -> pa.Array:
    """E.164 with France as the default country (§7.1, §11.12); a value without a digit gives null."""
    text = pc.utf8_trim_whitespace(pa.array(raw, pa.string()))
    digits = pc.replace_substring_regex(text, r"[^0-9]", "")
    length = pc.utf8_length(digits)
    plus = pc.binary_join_element_wise("+", digits, "")
    national = pc.binary_join_element_wise("+33", pc.utf8_slice_codeunits(digits, 1), "")
    trunk = pc.binary_join_element_wise("+", pc.utf8_slice_codeunits(digits, 2), "")
    e164 = pc.case_when(
        pc.make_struct(
            pc.starts_with(text, "+"),
            pc.starts_with(digits, "00"),
            pc.and_(pc.equal(length, 11), pc.starts_with(digits, "33")),
            pc.and_(pc.equal(length, 10), pc.starts_with(digits, "0")),
        ),
        plus,
        trunk,
        plus,
        national,
        plus,
    )
    return pc.if_else(pc.equal(length, 0), None, e164)


@njit(cache=True)
def _components(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    """Connected components of an undirected graph (union-find): the root of each node."""
    parent = np.arange(n)
    for i in range(left.size):
        a, b = left[i], right[i]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            parent[max(a, b)] = min(a, b)
    for i in range(n):
        r = i
        while parent[r] != r:
            r = parent[r]
        parent[i] = r
    return parent


def _identity_codes(raw: Text, normalize) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the normalised identities (e-mail or phone) of `raw`, and where there is one.

    Each distinct raw value is normalised once; raw variants of one identity share one code.
    """
    raw_code, distinct = dictionary_codes(raw)
    if len(distinct) == 0:
        return np.zeros(len(raw), np.int64), np.zeros(len(raw), bool)
    code, _ = dictionary_codes(normalize(distinct))
    identity = code[np.maximum(raw_code, 0)]
    return np.maximum(identity, 0), (raw_code >= 0) & (identity >= 0)


def customers(emails: Text, phones: Text) -> np.ndarray:
    """Customer number of each order (-1 when anonymous): orders linked by e-mail or phone, transitively.

    Args:
        emails: raw e-mail of each order (null or blank when none).
        phones: raw phone of each order (null or blank when none).

    Returns:
        For each order, a number shared by exactly the orders of one customer, or -1.
    """
    n = len(emails)
    e_code, has_email = _identity_codes(emails, normalize_emails)
    p_code, has_phone = _identity_codes(phones, normalize_phones)
    n_email = int(e_code.max(initial=-1)) + 1
    orders = np.arange(n, dtype=np.int64)
    left = np.concatenate([orders[has_email], orders[has_phone]])
    right = np.concatenate([n + e_code[has_email], n + n_email + p_code[has_phone]])
    root = _components(left, right, n + n_email + int(p_code.max(initial=-1)) + 1)[:n]
    return np.where(has_email | has_phone, root, -1)


@dataclass
class Orders:
    """One entry per order: its first sale line, month, channel code, click-and-collect flag and customer."""

    line: np.ndarray
    month: np.ndarray
    channel: np.ndarray
    click_collect: np.ndarray
    customer: np.ndarray


def _orders(inputs: Inputs, sale_month: np.ndarray, channel_code: np.ndarray) -> Orders:
    sal = inputs.sales
    first = first_rows(sal.order_code)  # order-level fields are the same on every line (checked)
    cust = customers(sal.email.take(first), sal.phone.take(first))
    click_collect = pc.equal(sal.fulfillment.take(first), "click_collect").to_numpy(zero_copy_only=False)
    return Orders(first, sale_month[first], channel_code[first], click_collect, cust)


@njit(cache=True, nogil=True)
def _count_customers(
    cust: np.ndarray,
    month: np.ndarray,
    channel: np.ndarray,
    n_ch: int,
    identified: np.ndarray,
    new: np.ndarray,
    repeat: np.ndarray,
) -> None:
    """Walk the identified orders sorted by (customer, datetime, order_id); count per row of [month, slot].

    Slots 0..n_ch-1 are the channels and slot n_ch is ALL. A customer is identified in a row if one of
    their orders is in it; new in the row of their first order; a repeat customer of the row if their
    lifetime orders up to the end of the row's month (all channels) are at least 2.
    """
    seen = np.full(n_ch, -1, dtype=np.int64)  # the last month block each channel was counted in
    block = 0
    i = 0
    n = cust.size
    while i < n:
        run_end = i
        while run_end < n and cust[run_end] == cust[i]:
            run_end += 1
        new[month[i], channel[i]] += 1
        new[month[i], n_ch] += 1
        a = i
        while a < run_end:
            m = month[a]
            b = a
            while b < run_end and month[b] == m:
                b += 1
            again = 1 if b - i >= 2 else 0  # orders up to the end of month m (sorted by time)
            identified[m, n_ch] += 1
            repeat[m, n_ch] += again
            for x in range(a, b):
                c = channel[x]
                if seen[c] != block:
                    seen[c] = block
                    identified[m, c] += 1
                    repeat[m, c] += again
            block += 1
            a = b
        i = run_end


def _customer_counts(inputs: Inputs, orders: Orders, n_ch: int, n_m: int) -> dict[str, np.ndarray]:
    """identified, new and repeat customers as [month, channel slots + ALL] (§7.1, §7.2).

    A customer's first order is the earliest (datetime, order_id) across all channels.
    """
    sal = inputs.sales
    known = np.flatnonzero(orders.customer >= 0)
    line = orders.line[known]
    by_time = sort_rows(
        [orders.customer[known], sal.time[line]],
        lambda rows: pa.table({"order": sal.order_id.take(line[rows])}),
    )
    ranked = known[by_time]
    counts = {name: np.zeros((n_m, n_ch + 1), dtype=np.int64) for name in ("identified", "new", "repeat")}
    _count_customers(
        orders.customer[ranked], orders.month[ranked], orders.channel[ranked], n_ch,
        counts["identified"], counts["new"], counts["repeat"],
    )  # fmt: skip
    return counts


def _month_major(per_product: np.ndarray) -> np.ndarray:
    """[product, month] values plus an ALL row (the sum), laid out month by month with ALL last."""
    return np.vstack([per_product, per_product.sum(axis=0, keepdims=True)]).T.ravel()


def _pivot(cell: np.ndarray, n_p: int, n_m: int, values: np.ndarray | int) -> np.ndarray:
    return _sum(cell, n_p * n_m, values).reshape(n_p, n_m)


def channel_table(inputs: Inputs, rev: Revenue, cost: dict[str, np.ndarray], moves: Movements,
                  sale_month: np.ndarray, months: Months) -> pa.Table:  # fmt: skip
    """kpis: one row per month and channel seen in sales, plus ALL computed as one channel (§7.2, §11.5)."""
    sal = inputs.sales
    n_m = months.labels.size
    channels = pa.array(sorted(pc.unique(sal.channel).to_pylist()), pa.string())
    n_ch = len(channels)
    ch_code = lookup(sal.channel, channels)
    orders = _orders(inputs, sale_month, ch_code)
    people = _customer_counts(inputs, orders, n_ch, n_m)
    back = moves.type == 0
    ret_ch = lookup(moves.channel, channels)[back]
    ret_month = moves.month[back]

    def metrics(line_row, order_row, ret_row, n_rows, slots):
        out = {
            "orders": _sum(order_row, n_rows, 1),
            "units_sold": _sum(line_row, n_rows, sal.qty),
            "gross": _sum(line_row, n_rows, rev.gross),
            "discounts": _sum(line_row, n_rows, rev.discount),
            "net": _sum(line_row, n_rows, rev.net),
            "refunds": _sum(ret_row, n_rows, moves.refund[back]),
            "units_returned": _sum(ret_row, n_rows, moves.qty[back]),
            "cc": _sum(order_row, n_rows, orders.click_collect.astype(np.int64)),
        }
        for m in METHODS:
            out[m] = _sum(line_row, n_rows, cost[m]) - _sum(ret_row, n_rows, moves.value[m][back])
        return out | {name: counts[:, slots].ravel() for name, counts in people.items()}

    per_channel = metrics(
        sale_month * n_ch + ch_code,
        orders.month * n_ch + orders.channel,
        ret_month * n_ch + ret_ch,
        n_m * n_ch,
        slice(0, n_ch),
    )
    per_month = metrics(sale_month, orders.month, ret_month, n_m, n_ch)
    month = np.concatenate([np.repeat(np.arange(n_m), n_ch), np.arange(n_m)])
    position = np.concatenate([np.tile(np.arange(n_ch), n_m), np.full(n_m, n_ch)])
    order = np.lexsort((position, month))
    v = {k: np.concatenate([per_channel[k], per_month[k]])[order] for k in per_channel}
    month, position = month[order], position[order]
    net_after = v["net"] - v["refunds"]
    cols: dict[str, pa.Array | np.ndarray] = {
        "month": _pick(months.labels, month),
        "channel": _pick(pa.concat_arrays([channels, pa.array(["ALL"])]), position),
        "orders": v["orders"],
        "units_sold": v["units_sold"],
        "gross_revenue_ht": _money(v["gross"]),
        "discounts_ht": _money(v["discounts"]),
        "net_revenue_ht": _money(v["net"]),
        "refunds_ht": _money(v["refunds"]),
        "units_returned": v["units_returned"],
        "net_revenue_after_refunds_ht": _money(net_after),
    }
    for m in METHODS:
        margin = net_after - v[m]
        cols[f"cogs_{m}"] = _money(v[m])
        cols[f"gross_margin_{m}"] = _money(margin)
        cols[f"margin_rate_{m}"] = _ratio(margin, net_after)
        cols[f"markup_rate_{m}"] = _ratio(margin, v[m])
    has_orders = v["orders"] > 0
    returning = v["identified"] - v["new"]
    all_net = v["net"][position == n_ch]
    cols |= {
        "aov_ht": to_decimal(half_up_div(v["net"], np.maximum(v["orders"], 1)), 2, has_orders),
        "units_per_order": _ratio(v["units_sold"], v["orders"]),
        "identified_customers": v["identified"],
        "new_customers": v["new"],
        "returning_customers": returning,
        "returning_customer_share": _ratio(returning, v["identified"]),
        "repeat_customer_rate": _ratio(v["repeat"], v["identified"]),
        "return_rate_units": _ratio(v["units_returned"], v["units_sold"]),
        "refund_rate_value": _ratio(v["refunds"], v["net"]),
        "click_collect_orders": v["cc"],
        "click_collect_share": _ratio(v["cc"], v["orders"]),
        "channel_mix_net_revenue": _ratio(v["net"], all_net[month]),
    }
    return pa.table(cols)


@dataclass
class Stock:
    """Month-end stock per [product, month] from the walks: quantity, value per method, periodic CMUP, OOS."""

    close_qty: np.ndarray
    close_value: dict[str, np.ndarray]
    cmup: tuple[np.ndarray, np.ndarray]
    oos_days: np.ndarray
    active_days: np.ndarray


def _opening(closing: np.ndarray) -> np.ndarray:
    """Each month's opening is the previous month's closing (0 before the first month)."""
    opening = np.zeros_like(closing)
    opening[:, 1:] = closing[:, :-1]
    return opening


def product_table(inputs: Inputs, rev: Revenue, cost: dict[str, np.ndarray], moves: Movements,
                  sale_month: np.ndarray, months: Months, stock: Stock) -> pa.Table:  # fmt: skip
    """product_kpis: one row per month and product, plus ALL with ratios recomputed from sums (§7.3, §11.5)."""
    sal = inputs.sales
    n_p, n_m = len(inputs.products.ids), months.labels.size
    line_cell = sal.product.astype(np.int64) * n_m + sale_month
    move_cell = moves.product.astype(np.int64) * n_m + moves.month
    back = moves.type == 0
    gain, loss = moves.type == 2, moves.type == 3

    def cells(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        return _month_major(_pivot(move_cell[mask], n_p, n_m, values[mask]))

    units_sold = _month_major(_pivot(line_cell, n_p, n_m, sal.qty))
    net_after = _month_major(_pivot(line_cell, n_p, n_m, rev.net)) - cells(back, moves.refund)
    cmup_num, cmup_den = stock.cmup
    is_product = np.tile(np.append(np.ones(n_p, bool), False), n_m)
    cmup = np.where(
        is_product,
        _month_major(ratio_half_up([cmup_num.ravel(), 100], [cmup_den.ravel()]).reshape(n_p, n_m)),
        0,
    )
    cols: dict[str, pa.Array | np.ndarray] = {
        "month": _pick(months.labels, np.repeat(np.arange(n_m), n_p + 1)),
        "product_id": _pick(
            concat_text([inputs.products.ids, pa.array(["ALL"])]), np.tile(np.arange(n_p + 1), n_m)
        ),
        "opening_qty": _month_major(_opening(stock.close_qty)),
        "closing_qty": _month_major(stock.close_qty),
        "units_sold": units_sold,
        "units_returned": cells(back, moves.qty),
        "net_revenue_after_refunds_ht": _money(net_after),
        "cmup_periodic": to_decimal(cmup, 4, is_product),
    }
    days = np.repeat(months.days, n_p + 1)
    for m in METHODS:
        opening = _month_major(_opening(stock.close_value[m]))
        closing = _month_major(stock.close_value[m])
        cogs = _month_major(_pivot(line_cell, n_p, n_m, cost[m])) - cells(back, moves.value[m])
        margin = net_after - cogs
        average2 = opening + closing  # twice the average stock
        cols |= {
            f"opening_value_{m}": _money(opening),
            f"closing_value_{m}": _money(closing),
            f"cogs_{m}": _money(cogs),
            f"gross_margin_{m}": _money(margin),
            f"margin_rate_{m}": _ratio(margin, net_after),
            f"adjustment_value_{m}": _money(cells(gain, moves.value[m]) - cells(loss, moves.value[m])),
            f"turnover_{m}": _ratio(2 * cogs, average2, average2 > 0),
            f"days_of_cover_{m}": _ratio(closing * days, cogs, (cogs > 0) & (closing >= 0)),
        }
    oos, active = _month_major(stock.oos_days), _month_major(stock.active_days)
    cols |= {"oos_days": oos, "active_days": active, "oos_rate": _ratio(oos, active)}
    return pa.table(cols)
