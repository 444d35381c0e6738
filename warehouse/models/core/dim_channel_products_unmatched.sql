-- One row per channel item whose SKU and EAN-13 match no ERP product: listed here, never invented in dim_products.
with items as (
    select * from {{ ref('int_channel_items') }}
    where erp_sku is null
),

final as (
    select
        connection,
        channel,
        channel_product_id,
        channel_variant_id,
        sku as channel_sku,
        ean13 as channel_ean13,
        product_name as channel_product_name,
        price_excl_tax as channel_price_excl_tax,
        currency_code as channel_currency_code,
        stock_quantity as channel_stock_quantity,
        stock_record_id as channel_stock_record_id,
        is_active as is_active_in_channel
    from items
)

select * from final
