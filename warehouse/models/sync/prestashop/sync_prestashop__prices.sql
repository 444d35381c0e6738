{{ config(enabled=has_system('prestashop') and has_system('dolibarr')) }}

-- One row per PrestaShop item (simple product or combination) whose price excluding tax differs from the
-- ERP's list price (the ERP owns it). A combination's price is written as its impact on the product price.
with items as (
    select * from {{ ref('int_sync__prestashop_items') }}
    -- ERP prices are in EUR: a shop selling in another currency keeps its own prices
    where channel_currency_code = 'EUR'
),

products as (
    select sku, price_excl_tax_eur from {{ ref('dim_products') }}
    where not is_variant_parent and price_excl_tax_eur is not null
),

prices as (
    select
        items.connection,
        items.sku,
        items.channel_product_id,
        items.channel_variant_id,
        items.is_combination,
        cast(round(items.channel_price_excl_tax, 6) as decimal(18, 6)) as current_price,
        cast(round(products.price_excl_tax_eur, 6) as decimal(18, 6)) as desired_price,
        items.product_updated_at
    from items
    inner join products on items.sku = products.sku
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
