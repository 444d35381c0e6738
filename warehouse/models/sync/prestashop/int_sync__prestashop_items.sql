{{ config(enabled=has_system('prestashop') and has_system('dolibarr'), materialized='view') }}

-- One row per ERP SKU a PrestaShop target connection sells: the shop's ids, price and stock for it, the
-- channel's safety buffer, and the product's date_upd (the freshness check of product writes).
with channels as (
    {{ sync_target_channels('prestashop') }}
),

shop_products as (
    select connection, product_id, updated_at from {{ ref('stg_prestashop__products') }}
),

final as (
    select
        product_channels.*,
        channels.safety_buffer,
        product_channels.channel_variant_id <> '0' as is_combination,
        shop_products.updated_at as product_updated_at
    from {{ ref('dim_product_channels') }} as product_channels
    inner join channels on product_channels.connection = channels.connection
    left join shop_products
        on product_channels.connection = shop_products.connection
        and product_channels.channel_product_id = shop_products.product_id
)

select * from final
