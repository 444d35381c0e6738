{{ config(materialized='view') }}

-- Every sellable item of every channel connection, matched to an ERP SKU: by SKU first, then by EAN-13.
{%- set parts = [] -%}
{%- if has_system('prestashop') %}{% do parts.append(ref('int_channel_items__prestashop')) %}{% endif %}

with items as (
    {%- if parts %}
    {{ union_system_models(parts, 'channel items') }}
    {%- else %}
    -- an ERP with no channel connection yet: no channel items
    select
        null::varchar as connection, null::varchar as channel, null::varchar as channel_product_id,
        null::varchar as channel_variant_id, null::varchar as sku, null::varchar as ean13,
        null::varchar as product_name, null::decimal(18, 6) as price_excl_tax, null::varchar as currency_code,
        null::bigint as stock_quantity, null::varchar as stock_record_id, null::boolean as is_active
    limit 0
    {%- endif %}
),

products as (
    select * from {{ ref('dim_products') }}
    where not is_variant_parent
),

-- an EAN-13 identifies a product only when exactly one ERP SKU carries it
erp_eans as (
    select ean13, min(sku) as sku
    from products
    where ean13 is not null
    group by ean13
    having count(*) = 1
),

final as (
    select
        items.connection,
        items.channel,
        items.channel_product_id,
        items.channel_variant_id,
        coalesce(by_sku.sku, erp_eans.sku) as sku,
        case
            when by_sku.sku is not null then 'sku'
            when erp_eans.sku is not null then 'ean13'
        end as match_method,
        items.sku as channel_sku,
        items.ean13 as channel_ean13,
        items.product_name as channel_product_name,
        items.price_excl_tax as channel_price_excl_tax,
        items.currency_code as channel_currency_code,
        items.stock_quantity as channel_stock_quantity,
        items.stock_record_id as channel_stock_record_id,
        items.is_active as is_active_in_channel
    from items
    left join products as by_sku on items.sku = by_sku.sku
    left join erp_eans on by_sku.sku is null and items.ean13 = erp_eans.ean13
)

select * from final
