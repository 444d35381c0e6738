-- One row per costed sale line: revenue excluding tax and the cost, unit cost and margin under FIFO (real
-- cost), perpetual weighted average (wac) and periodic monthly weighted average (wacp).
select
    line_id as order_line_key,
    order_id as order_key,
    datetime as ordered_at_local,
    month,
    channel,
    fulfillment,
    product_id as sku,
    qty as quantity,
    gross_ht as gross_excl_tax,
    discount_ht as discount_excl_tax,
    net_ht as net_excl_tax,
    fifo_cost,
    fifo_unit_cost,
    wac_cost,
    wac_unit_cost,
    wacp_cost,
    wacp_unit_cost,
    fifo_margin,
    wac_margin,
    wacp_margin,
    fifo_margin_rate,
    wac_margin_rate,
    negative_stock_qty,
    returned_qty
from {{ ref('int_costing_outputs') }}
where output = 'line_costs'
