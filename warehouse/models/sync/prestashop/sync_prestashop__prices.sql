{{ config(enabled=has_system('prestashop') and has_system('dolibarr')) }}

-- One row per PrestaShop item (simple product or combination) whose price excluding tax differs from the
-- ERP's list price (the ERP owns it). A combination's price is written as its impact on the product price.
with channels as (
    select channel_key as connection
    from {{ ref('dim_channels') }}
    where source_role = 'channel' and connection_kind = 'prestashop'
),

items as (
    select product_channels.*
    from {{ ref('dim_product_channels') }} as product_channels
    inner join channels on product_channels.connection = channels.connection
    -- ERP prices are in EUR: a shop selling in another currency keeps its own prices
    where product_channels.channel_currency_code = 'EUR'
),

products as (
    select sku, price_excl_tax_eur from {{ ref('dim_products') }}
    where not is_variant_parent and price_excl_tax_eur is not null
),

shop_products as (
    select connection, product_id, updated_at from {{ ref('stg_prestashop__products') }}
),

prices as (
    select
        items.connection,
        items.sku,
        items.channel_product_id,
        items.channel_variant_id,
        items.channel_variant_id <> '0' as is_combination,
        cast(round(items.channel_price_excl_tax, 6) as decimal(18, 6)) as current_price,
        cast(round(products.price_excl_tax_eur, 6) as decimal(18, 6)) as desired_price,
        shop_products.updated_at as product_updated_at
    from items
    inner join products on items.sku = products.sku
    left join shop_products
        on items.connection = shop_products.connection
        and items.channel_product_id = shop_products.product_id
),

final as (
    select
        connection || ':' || sku as record_key,
        'prestashop' as target_system,
        connection as target_connection,
        'prices' as entity,
        case when is_combination then channel_variant_id else channel_product_id end as target_id,
        'price' as field,
        1 as field_position,
        cast(current_price as varchar) as current_value,
        cast(desired_price as varchar) as desired_value,
        -- a combination has no date_upd of its own: its freshness is its price (and its product's) alone
        case when not is_combination then product_updated_at end as seen_updated_at,
        to_json({
            'resource': case when is_combination then 'combinations' else 'products' end,
            'product_id': channel_product_id
        }) as payload,
        sku
    from prices
    where desired_price is distinct from current_price
)

select * from final
