{{ config(enabled=has_system('dolibarr')) }}

with products as (
    {{ union_connections('dolibarr', 'products') }}
),

variants as (
    select connection, product_id, parent_product_id
    from {{ ref('stg_dolibarr__product_variants') }}
    where not is_deleted
),

final as (
    select
        products.connection,
        cast(products.id as varchar) as product_id,
        nullif(trim(products.ref), '') as sku,
        nullif(trim(products.barcode), '') as ean13,
        products.label as product_name,
        case products.type when 0 then 'product' when 1 then 'service' end as product_type,
        variants.parent_product_id,
        variants.product_id is not null as is_variant,
        -- prices are kept excl. and incl. tax whatever price_base_type says was typed in
        products.price as selling_price_excl_tax_eur,
        products.price_ttc as selling_price_incl_tax_eur,
        products.price_min as minimum_price_excl_tax_eur,
        products.price_base_type,
        products.tva_tx as vat_rate_percent,
        products.pmp as weighted_average_cost_eur,
        products.cost_price as cost_price_eur,
        products.stock_reel as stock_on_hand_all_warehouses,
        products.seuil_stock_alerte as stock_alert_threshold,
        products.desiredstock as desired_stock,
        products.weight as weight,
        products.weight_units as weight_unit_exponent,
        cast(nullif(products.fk_default_warehouse, 0) as varchar) as default_warehouse_id,
        coalesce(products.status, 0) = 1 as is_for_sale,
        coalesce(products.status_buy, 0) = 1 as is_for_purchase,
        coalesce(products.status_batch, 0) > 0 as is_batch_tracked,
        products.array_options as extrafields,
        coalesce(products._deleted, false) as is_deleted,
        products.date_creation as created_at,
        products.date_modification as updated_at
    from products
    left join variants
        on products.connection = variants.connection
        and cast(products.id as varchar) = variants.product_id
)

select * from final
