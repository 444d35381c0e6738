{{ config(enabled=has_system('prestashop'), materialized='view') }}

-- What each PrestaShop connection sells, in the shared column list of dim_product_channels.
with items as (
    select * from {{ ref('stg_prestashop__sellable_items') }}
    where not is_deleted
),

stock_rows as (
    select connection, product_id, combination_id, min(stock_available_id) as stock_record_id
    from {{ ref('stg_prestashop__stock_availables') }}
    where not is_deleted
    group by connection, product_id, combination_id
),

final as (
    select
        items.connection,
        {{ connection_channel('prestashop', 'items.connection') }} as channel,
        items.product_id as channel_product_id,
        items.combination_id as channel_variant_id,
        nullif(trim(items.sku), '') as sku,
        nullif(trim(items.ean13), '') as ean13,
        items.product_name,
        cast(items.final_price_excl_tax as decimal(18, 6)) as price_excl_tax,
        items.currency_code,
        cast(items.stock_quantity as bigint) as stock_quantity,
        stock_rows.stock_record_id,
        items.is_active
    from items
    left join stock_rows
        on items.connection = stock_rows.connection
        and items.product_id = stock_rows.product_id
        and items.combination_id = stock_rows.combination_id
)

select * from final
