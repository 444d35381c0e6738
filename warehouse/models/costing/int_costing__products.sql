{{ config(materialized='view') }}

-- The costing engine's `products` input (spec §2.1): one row per stocked ERP SKU.
with products as (
    select * from {{ ref('dim_products') }}
    where is_stocked_item
),

first_days as (
    select product_id, min(cast(datetime as date)) as first_day
    from (
        select product_id, datetime from {{ ref('int_costing__receipts') }}
        union all
        select product_id, datetime from {{ ref('int_costing__sales') }}
    ) as events
    group by product_id
),

final as (
    select
        products.sku as product_id,
        products.product_name as name,
        coalesce(products.weight_kg, 0) as weight_kg,
        -- used only while no cost is known yet (spec §4.4): the ERP's cost price, else its average cost;
        -- 4 decimals, because the engine's 64-bit range check scales with the decimals of this column
        cast(coalesce(nullif(products.cost_price_eur, 0), products.weighted_average_cost_eur, 0) as decimal(18, 4))
            as fallback_unit_cost,
        -- the first day the product is received or sold; a product never moved starts with the data
        coalesce(first_days.first_day, (select min(first_day) from first_days), current_date) as active_from
    from products
    left join first_days on products.sku = first_days.product_id
)

select * from final
