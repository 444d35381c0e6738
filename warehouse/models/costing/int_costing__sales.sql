{{ config(materialized='view') }}

-- The costing engine's `sales` input: every sale line of a known stocked SKU, at the order's local time.
-- Prices go in excluding tax times (1 + rate), unrounded, so the engine's gross and discount HT are the
-- order's own amounts. The customer is the golden customer (dim_customer_links), so the engine's
-- customer KPIs count the same people as dim_customers.
with lines as (
    select * from {{ ref('fct_order_lines') }}
    where is_sale and quantity > 0
),

products as (
    select sku from {{ ref('dim_products') }}
    where is_stocked_item
),

final as (
    select
        lines.order_key as order_id,
        lines.order_line_key as line_id,
        lines.ordered_at_local as datetime,
        lines.channel,
        lines.fulfillment,
        case when lines.is_identified_customer then lines.golden_customer_id end as customer_email,
        null::varchar as customer_phone,
        lines.sku as product_id,
        lines.quantity as qty,
        cast(lines.unit_list_price_excl_tax * (1 + lines.tax_rate) as decimal(18, 10)) as unit_price_incl_tax,
        cast(lines.quantity * lines.unit_discount_excl_tax * (1 + lines.tax_rate) as decimal(18, 10))
            as discount_incl_tax,
        lines.tax_rate
    from lines
    inner join products on lines.sku = products.sku
)

select * from final
