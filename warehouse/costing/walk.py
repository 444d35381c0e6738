"""The per-product walk, compiled: FIFO lots (§4) and perpetual CMUP (§5.1) in integer cents, in one pass.

Both methods share the quantities (lots and on-hand move together) and the backlog of negative stock;
only the values differ, so one pass over the sorted events values both. Every amount is an int64 number
of cents and every unit cost a ratio (numerator in cents, denominator in units), never rounded: the only
rounding is `_r2` (`fixed.div_half_up`), half away from zero, exactly where the spec rounds.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from warehouse.costing.fixed import div_half_up as _r2

# Event kinds are the type ranks of §2.3, so sorting by kind orders same-time movements.
RECEIPT, CUSTOMER_RETURN, GAIN, LOSS, SUPPLIER_RETURN, SALE = 0, 1, 2, 3, 4, 5

# Error codes the walk reports (the engine turns them into a message naming the row).
LOSS_BEYOND_ON_HAND = 1
SUPPLIER_RETURN_BEYOND_LOT = 2  # also covers "≤ on-hand" in WAC: on-hand is the sum of the lots
SUPPLIER_RETURN_NEGATIVE_VALUE = 3


@njit(cache=True, nogil=True)
def _take(t: int, qty: int, value: int) -> int:
    """Value of t of the qty units worth `value`: the last unit takes the exact remainder (§4.2)."""
    if t == qty:
        return value
    return _r2(t * value, qty)


@njit(cache=True, nogil=True)
def walk_perpetual(
    bounds,
    kind,
    qty,
    value,
    src,
    ref,
    day,
    sale_qty,
    fb_num,
    fb_den,
    active,
    month_of_day,
    sale_fifo,
    sale_wac,
    sale_neg,
    mov_fifo,
    mov_wac,
    close_qty,
    close_fifo,
    close_wac,
    oos,
    err_pos,
    err_code,
):
    """Walk every product's sorted events; fill costs, month-end states and out-of-stock days.

    Args:
        bounds: int64[n_products + 1], the slice of events of each product.
        kind, qty, value, src, ref, day: the events in §2.3 order. `value` is the lot value (receipts);
            `src` indexes sale lines (sales) or movements (returns, adjustments); `ref` is the sale line
            of a customer return or the event position of the receipt lot of a supplier return; `day` is
            the day offset from the first day of the first reported month.
        sale_qty: quantity of each sale line.
        fb_num, fb_den: fallback unit cost of each product as a ratio in cents.
        active: day offset of each product's `active_from`.
        month_of_day: month index of each day offset.
        sale_fifo, sale_wac, sale_neg: out, per sale line (cents, cents, units).
        mov_fifo, mov_wac: out, per movement (cents, positive).
        close_qty, close_fifo, close_wac, oos: out, [product, month].
        err_pos, err_code: out, per product: the event of the first broken rule (-1 if none) and why.
    """
    n_days = month_of_day.size
    n_months = close_qty.shape[1]
    # Scratch for one product at a time, sized for the busiest one: a lot lives at its creating event's
    # position within the product's events, and both queues hold at most one entry per event.
    width = np.max(bounds[1:] - bounds[:-1]) if bounds.size > 1 else 0
    rem_qty = np.zeros(width, dtype=np.int64)
    rem_val = np.zeros(width, dtype=np.int64)
    unit_num = np.zeros(width, dtype=np.int64)
    unit_den = np.ones(width, dtype=np.int64)
    lot_queue = np.zeros(width, dtype=np.int64)
    bl_sale = np.zeros(width, dtype=np.int64)
    bl_qty = np.zeros(width, dtype=np.int64)
    bl_pf = np.zeros(width, dtype=np.int64)
    bl_pw = np.zeros(width, dtype=np.int64)
    for p in range(bounds.size - 1):
        start, end = bounds[p], bounds[p + 1]
        err_pos[p] = -1
        rem_qty[: end - start] = 0  # a lot never queued (consumed by the backlog at once) has 0 left
        rem_val[: end - start] = 0
        lot_head = 0
        lot_tail = 0
        bl_head = 0
        bl_tail = 0
        lots_val = 0
        bl_total = 0
        blf_total = 0
        blw_total = 0
        has_lu = False  # FIFO last_unit, the unit cost of the last lot consumed
        lu_num = 0
        lu_den = 1
        big_q = 0  # WAC on-hand excluding the backlog, and its value
        big_v = 0
        has_la = False  # WAC last_avg
        la_num = 0
        la_den = 1
        cur_day = 0
        cur_month = 0
        for e in range(start, end):
            d = day[e]
            if d > cur_day:
                on_hand = big_q - bl_total
                if on_hand <= 0:
                    for dd in range(max(cur_day, active[p]), d):
                        oos[p, month_of_day[dd]] += 1
                month = month_of_day[d]
                while cur_month < month:
                    close_qty[p, cur_month] = big_q - bl_total
                    close_fifo[p, cur_month] = lots_val - blf_total
                    close_wac[p, cur_month] = big_v - blw_total
                    cur_month += 1
                cur_day = d
            k = kind[e]
            q = qty[e]
            if k <= GAIN:
                if k == RECEIPT:
                    wf = value[e]
                    ww = wf
                elif k == CUSTOMER_RETURN:
                    s = ref[e]
                    wf = _r2(q * sale_fifo[s], sale_qty[s])
                    ww = _r2(q * sale_wac[s], sale_qty[s])
                else:
                    while lot_head < lot_tail and rem_qty[lot_queue[lot_head]] == 0:
                        lot_head += 1
                    if lot_head < lot_tail:
                        lot = lot_queue[lot_head]
                        wf = _r2(q * unit_num[lot], unit_den[lot])
                    elif has_lu:
                        wf = _r2(q * lu_num, lu_den)
                    else:
                        wf = _r2(q * fb_num[p], fb_den[p])
                    if big_q > 0:
                        ww = _r2(q * big_v, big_q)
                    elif has_la:
                        ww = _r2(q * la_num, la_den)
                    else:
                        ww = _r2(q * fb_num[p], fb_den[p])
                if k != RECEIPT:
                    mov_fifo[src[e]] = wf
                    mov_wac[src[e]] = ww
                # An inflow first settles the backlog, oldest first, at its own cost (§4.3, §5.1).
                rq = q
                rf = wf
                rw = ww
                settled = False
                while bl_head < bl_tail and rq > 0:
                    bq = bl_qty[bl_head]
                    t = min(bq, rq)
                    vf = _take(t, rq, rf)
                    vw = _take(t, rq, rw)
                    pf = _take(t, bq, bl_pf[bl_head])
                    pw = _take(t, bq, bl_pw[bl_head])
                    rf -= vf
                    rw -= vw
                    rq -= t
                    bl_pf[bl_head] -= pf
                    bl_pw[bl_head] -= pw
                    bl_qty[bl_head] = bq - t
                    s = bl_sale[bl_head]
                    sale_fifo[s] += vf - pf
                    sale_wac[s] += vw - pw
                    bl_total -= t
                    blf_total -= pf
                    blw_total -= pw
                    settled = True
                    if bq == t:
                        bl_head += 1
                if settled:
                    has_lu = True
                    lu_num = wf
                    lu_den = q
                has_la = True
                if rq > 0:
                    lot_queue[lot_tail] = e - start
                    lot_tail += 1
                    rem_qty[e - start] = rq
                    rem_val[e - start] = rf
                    unit_num[e - start] = wf  # §11.3: the whole inflow's value / quantity, before settlement
                    unit_den[e - start] = q
                    lots_val += rf
                    big_q += rq
                    big_v += rw
                    la_num = big_v
                    la_den = big_q
                else:
                    la_num = ww
                    la_den = q
            elif k == SUPPLIER_RETURN:
                lot = ref[e] - start  # the lot's receipt event, among this product's events (checked)
                if rem_qty[lot] < q:
                    err_pos[p] = e
                    err_code[p] = SUPPLIER_RETURN_BEYOND_LOT
                    break
                vw = big_v if q == big_q else _r2(q * unit_num[lot], unit_den[lot])
                if big_v - vw < 0:
                    err_pos[p] = e
                    err_code[p] = SUPPLIER_RETURN_NEGATIVE_VALUE
                    break
                vf = _take(q, rem_qty[lot], rem_val[lot])
                rem_qty[lot] -= q
                rem_val[lot] -= vf
                lots_val -= vf
                big_q -= q
                big_v -= vw
                mov_fifo[src[e]] = vf
                mov_wac[src[e]] = vw
            else:  # LOSS or SALE: FIFO consumption oldest lot first, WAC exit at V / Q
                if k == LOSS and q > big_q - bl_total:
                    err_pos[p] = e
                    err_code[p] = LOSS_BEYOND_ON_HAND
                    break
                need = q
                cost_f = 0
                while need > 0 and lot_head < lot_tail:
                    lot = lot_queue[lot_head]
                    lq = rem_qty[lot]
                    if lq > 0:
                        t = min(need, lq)
                        v = _take(t, lq, rem_val[lot])
                        rem_qty[lot] = lq - t
                        rem_val[lot] -= v
                        lots_val -= v
                        cost_f += v
                        need -= t
                        has_lu = True
                        lu_num = unit_num[lot]
                        lu_den = unit_den[lot]
                    if rem_qty[lot] == 0:
                        lot_head += 1
                if big_q > 0:
                    has_la = True
                    la_num = big_v
                    la_den = big_q
                if q <= big_q:
                    cost_w = big_v if q == big_q else _r2(q * big_v, big_q)
                    big_q -= q
                    big_v -= cost_w
                else:
                    cost_w = big_v
                    big_q = 0
                    big_v = 0
                if k == LOSS:
                    mov_fifo[src[e]] = cost_f
                    mov_wac[src[e]] = cost_w
                    continue
                s = src[e]
                if need > 0:  # negative stock: provisional cost, settled by the next inflows (§4.3)
                    if has_lu:
                        prov_f = _r2(need * lu_num, lu_den)
                    else:
                        prov_f = _r2(need * fb_num[p], fb_den[p])
                    if has_la:
                        prov_w = _r2(need * la_num, la_den)
                    else:
                        prov_w = _r2(need * fb_num[p], fb_den[p])
                    bl_sale[bl_tail] = s
                    bl_qty[bl_tail] = need
                    bl_pf[bl_tail] = prov_f
                    bl_pw[bl_tail] = prov_w
                    bl_tail += 1
                    bl_total += need
                    blf_total += prov_f
                    blw_total += prov_w
                    cost_f += prov_f
                    cost_w += prov_w
                sale_fifo[s] = cost_f
                sale_wac[s] = cost_w
                sale_neg[s] = need
        if err_pos[p] >= 0:
            continue
        on_hand = big_q - bl_total
        if on_hand <= 0:
            for dd in range(max(cur_day, active[p]), n_days):
                oos[p, month_of_day[dd]] += 1
        while cur_month < n_months:
            close_qty[p, cur_month] = on_hand
            close_fifo[p, cur_month] = lots_val - blf_total
            close_wac[p, cur_month] = big_v - blw_total
            cur_month += 1
