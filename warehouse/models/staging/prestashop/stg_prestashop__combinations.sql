{{ config(enabled=has_system('prestashop')) }}

with combinations as (
    {{ union_connections('prestashop', 'combinations') }}
),

products as (
    select connection, product_id, price_excl_tax, currency_code
    from {{ ref('stg_prestashop__products') }}
),

final as (
    select
        combinations.connection,
        cast(combinations.id as varchar) as combination_id,
        cast(combinations.id_product as varchar) as product_id,
        nullif(trim(combinations.reference), '') as sku,
        nullif(trim(combinations.ean13), '') as ean13,
        nullif(trim(combinations.upc), '') as upc,
        nullif(trim(combinations.mpn), '') as mpn,
        nullif(trim(combinations.supplier_reference), '') as supplier_sku,
        combinations.price as price_impact_excl_tax,
        products.price_excl_tax + combinations.price as final_price_excl_tax,
        products.currency_code,
        nullif(combinations.wholesale_price, 0) as cost_price_excl_tax,
        combinations.weight as weight_impact_kg,
        combinations.minimal_quantity,
        coalesce(combinations.default_on, false) as is_default,
        combinations.available_date as available_from_date,
        coalesce(combinations._deleted, false) as is_deleted
    from combinations
    left join products
        on combinations.connection = products.connection
        and cast(combinations.id_product as varchar) = products.product_id
)

select * from final
