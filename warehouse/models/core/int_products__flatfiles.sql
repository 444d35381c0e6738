{{ config(enabled=has_layout('erp_products', 'erp'), materialized='view') }}

-- The products of an ERP that exchanges files (its product/price/stock export), in the shared column list
-- of dim_products. The export has no internal id, parent link, weight or creation date: the SKU stands for
-- the id, the rest is null.
with products as (
    select * from {{ ref('stg_flatfiles__erp_products') }}
    where not is_deleted
        and {{ in_layout('erp_products', 'erp') }}
),

final as (
    select
        sku,
        connection as erp_connection,
        sku as erp_product_id,
        ean13,
        product_name,
        product_type,
        is_variant_parent,
        null::varchar as parent_sku,
        selling_price_excl_tax_eur as price_excl_tax_eur,
        selling_price_incl_tax_eur as price_incl_tax_eur,
        vat_rate_percent,
        weighted_average_cost_eur,
        null::decimal(18, 8) as cost_price_eur,
        null::decimal(18, 6) as weight_kg,
        true as is_for_sale,
        null::boolean as is_for_purchase,
        null::timestamp with time zone as created_at
    from products
)

select * from final
