-- One row per sale line (cancelled and unpaid orders left out): revenue, cost and margin per method. The
-- margin comes from the costing engine (fct_order_line_costs) and is never recomputed here; a line the
-- engine could not cost (SKU unknown to the ERP) has empty costs and `is_costed` false.
with lines as (
    select * from {{ ref('fct_order_lines') }}
    where is_sale
),

costs as (
    select * from {{ ref('fct_order_line_costs') }}
),

final as (
    select
        lines.order_line_key,
        lines.order_key,
        lines.order_ref,
        lines.channel,
        lines.channel_key,
        lines.fulfillment,
        lines.ordered_at_local,
        lines.order_date,
        strftime(lines.order_date, '%Y-%m') as month,
        lines.golden_customer_id,
        lines.sku,
        lines.product_name,
        lines.quantity,
        coalesce(costs.gross_excl_tax, lines.gross_excl_tax) as gross_excl_tax,
        coalesce(costs.discount_excl_tax, lines.discount_excl_tax) as discount_excl_tax,
        coalesce(costs.net_excl_tax, lines.net_excl_tax) as net_excl_tax,
        costs.fifo_cost,
        costs.fifo_unit_cost,
        costs.fifo_margin,
        costs.fifo_margin_rate,
        costs.wac_cost,
        costs.wac_unit_cost,
        costs.wac_margin,
        costs.wac_margin_rate,
        costs.wacp_cost,
        costs.wacp_unit_cost,
        costs.wacp_margin,
        costs.negative_stock_qty,
        costs.returned_qty,
        costs.order_line_key is not null as is_costed,
        costs.fifo_margin < 0 as is_below_cost_fifo
    from lines
    left join costs on lines.order_line_key = costs.order_line_key
)

select * from final
