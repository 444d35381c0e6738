-- One row per ERP SKU and channel connection selling it: the channel's ids, price and stock for that SKU.
with items as (
    select * from {{ ref('int_channel_items') }}
    where erp_sku is not null
),

final as (
    select
        erp_sku as sku,
        connection,
        channel,
        channel_product_id,
        channel_variant_id,
        sku as channel_sku,
        ean13 as channel_ean13,
        match_method,
        product_name as channel_product_name,
        price_excl_tax as channel_price_excl_tax,
        currency_code as channel_currency_code,
        stock_quantity as channel_stock_quantity,
        stock_record_id as channel_stock_record_id,
        is_active as is_active_in_channel
    from items
)

select * from final
