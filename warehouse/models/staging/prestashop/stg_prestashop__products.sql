{{ config(enabled=has_system('prestashop')) }}

with products as (
    {{ union_connections('prestashop', 'products') }}
),

languages as (
    select connection, language_id from {{ ref('stg_prestashop__languages') }} where is_default
),

currencies as (
    select connection, currency_code from {{ ref('stg_prestashop__currencies') }} where is_default
),

final as (
    select
        products.connection,
        cast(products.id as varchar) as product_id,
        nullif(trim(products.reference), '') as sku,
        nullif(trim(products.ean13), '') as ean13,
        nullif(trim(products.upc), '') as upc,
        nullif(trim(products.mpn), '') as mpn,
        nullif(trim(products.supplier_reference), '') as supplier_sku,
        products.name ->> languages.language_id as product_name,
        products.name as product_name_by_language,
        products.description_short ->> languages.language_id as short_description,
        products.link_rewrite ->> languages.language_id as url_slug,
        products.product_type,
        products.product_type = 'combinations' as has_combinations,
        cast(nullif(products.id_default_combination, 0) as varchar) as default_combination_id,
        cast(nullif(products.id_category_default, 0) as varchar) as default_category_id,
        cast(nullif(products.id_tax_rules_group, 0) as varchar) as tax_rules_group_id,
        cast(nullif(products.id_manufacturer, 0) as varchar) as manufacturer_id,
        cast(nullif(products.id_supplier, 0) as varchar) as supplier_id,
        products.price as price_excl_tax,
        products.wholesale_price as cost_price_excl_tax,
        products.ecotax as ecotax_incl_tax,
        products.additional_shipping_cost as additional_shipping_cost_excl_tax,
        currencies.currency_code,
        products.minimal_quantity,
        products.weight as weight_kg,
        coalesce(products.active, false) as is_active,
        coalesce(products.available_for_order, false) as is_available_for_order,
        coalesce(products.on_sale, false) as is_on_sale,
        products.state = 1 as is_published,
        products.visibility,
        products.condition as item_condition,
        products.available_date as available_from_date,
        coalesce(products._deleted, false) as is_deleted,
        products.date_add as created_at,
        products.date_upd as updated_at
    from products
    left join languages on products.connection = languages.connection
    left join currencies on products.connection = currencies.connection
)

select * from final
