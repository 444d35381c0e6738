-- One row per month ('YYYY-MM') and SKU, plus `ALL`: the columns of the costing spec's product_kpis.csv
-- (§7.3): stock quantity and value per method, COGS, margin, adjustments, turnover, days of cover, out of stock.
with kpis as (
    select * from {{ ref('int_costing_outputs') }}
    where output = 'product_kpis'
),

products as (
    select sku, product_name from {{ ref('dim_products') }}
),

final as (
    select
        kpis.month,
        kpis.product_id as sku,
        products.product_name,
        kpis.opening_qty,
        kpis.closing_qty,
        kpis.units_sold,
        kpis.units_returned,
        kpis.net_revenue_after_refunds_ht,
        kpis.cmup_periodic,
        {%- for method in ['fifo', 'wac', 'wacp'] %}
        kpis.opening_value_{{ method }},
        kpis.closing_value_{{ method }},
        kpis.cogs_{{ method }},
        kpis.gross_margin_{{ method }},
        kpis.margin_rate_{{ method }},
        kpis.adjustment_value_{{ method }},
        kpis.turnover_{{ method }},
        kpis.days_of_cover_{{ method }},
        {%- endfor %}
        kpis.oos_days,
        kpis.active_days,
        kpis.oos_rate
    from kpis
    left join products on kpis.product_id = products.sku
)

select * from final
