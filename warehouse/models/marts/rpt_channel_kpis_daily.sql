-- One row per local day and channel (web, store, marketplace) plus `ALL`: the additive KPIs of the costing
-- spec §7.2 day by day (sales at their order day, refunds and their cost reversal at the return day).
with sales as (
    select * from {{ ref('fct_order_line_costs') }}
),

customer_returns as (
    select * from {{ ref('fct_movement_costs') }}
    where movement_type = 'customer_return'
),

events as (
    select
        cast(ordered_at_local as date) as day,
        channel,
        order_key,
        quantity as units_sold,
        gross_excl_tax,
        discount_excl_tax,
        net_excl_tax,
        0::decimal(18, 2) as refunds_excl_tax,
        0 as units_returned,
        fifo_cost,
        wac_cost,
        wacp_cost
    from sales
    union all
    select
        cast(moved_at_local as date) as day,
        channel,
        null as order_key,
        0 as units_sold,
        0 as gross_excl_tax,
        0 as discount_excl_tax,
        0 as net_excl_tax,
        refund_excl_tax as refunds_excl_tax,
        quantity as units_returned,
        -fifo_value as fifo_cost,
        -wac_value as wac_cost,
        -wacp_value as wacp_cost
    from customer_returns
),

aggregated as (
    select
        day,
        coalesce(channel, 'ALL') as channel,
        count(distinct order_key) as orders,
        sum(units_sold) as units_sold,
        sum(gross_excl_tax) as gross_revenue_ht,
        sum(discount_excl_tax) as discounts_ht,
        sum(net_excl_tax) as net_revenue_ht,
        sum(refunds_excl_tax) as refunds_ht,
        sum(units_returned) as units_returned,
        sum(fifo_cost) as cogs_fifo,
        sum(wac_cost) as cogs_wac,
        sum(wacp_cost) as cogs_wacp
    from events
    group by grouping sets ((day, channel), (day))
),

final as (
    select
        day,
        strftime(day, '%Y-%m') as month,
        channel,
        orders,
        cast(units_sold as bigint) as units_sold,
        cast(gross_revenue_ht as decimal(18, 2)) as gross_revenue_ht,
        cast(discounts_ht as decimal(18, 2)) as discounts_ht,
        cast(net_revenue_ht as decimal(18, 2)) as net_revenue_ht,
        cast(refunds_ht as decimal(18, 2)) as refunds_ht,
        cast(units_returned as bigint) as units_returned,
        cast(net_revenue_ht - refunds_ht as decimal(18, 2)) as net_revenue_after_refunds_ht,
        cast(cogs_fifo as decimal(18, 2)) as cogs_fifo,
        cast(net_revenue_ht - refunds_ht - cogs_fifo as decimal(18, 2)) as gross_margin_fifo,
        cast(cogs_wac as decimal(18, 2)) as cogs_wac,
        cast(net_revenue_ht - refunds_ht - cogs_wac as decimal(18, 2)) as gross_margin_wac,
        cast(cogs_wacp as decimal(18, 2)) as cogs_wacp,
        cast(net_revenue_ht - refunds_ht - cogs_wacp as decimal(18, 2)) as gross_margin_wacp
    from aggregated
)

select * from final
