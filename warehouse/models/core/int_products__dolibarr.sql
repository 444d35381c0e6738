{{ config(enabled=has_system('dolibarr'), materialized='view') }}

-- The ERP side of the product referential, in the shared column list of dim_products (see _core__models.yml).
with products as (
    select * from {{ ref('stg_dolibarr__products') }}
    where not is_deleted
),

variant_parents as (
    select distinct connection, parent_product_id as product_id
    from products
    where parent_product_id is not null
),

final as (
    select
        products.sku,
        products.connection as erp_connection,
        products.product_id as erp_product_id,
        products.ean13,
        products.product_name,
        products.product_type,
        variant_parents.product_id is not null as is_variant_parent,
        parents.sku as parent_sku,
        products.selling_price_excl_tax_eur as price_excl_tax_eur,
        products.selling_price_incl_tax_eur as price_incl_tax_eur,
        products.vat_rate_percent,
        products.weighted_average_cost_eur,
        products.cost_price_eur,
        -- Dolibarr keeps a weight and a unit exponent (0 = kg, -3 = g)
        cast(products.weight * power(10, coalesce(products.weight_unit_exponent, 0)) as decimal(18, 6))
            as weight_kg,
        products.is_for_sale,
        products.is_for_purchase,
        products.created_at
    from products
    left join variant_parents
        on products.connection = variant_parents.connection
        and products.product_id = variant_parents.product_id
    left join products as parents
        on products.connection = parents.connection
        and products.parent_product_id = parents.product_id
    where products.sku is not null
)

select * from final
