-- One row per SKU and ERP warehouse (or store): on hand, reserved by open orders, available.
{%- set parts = [] -%}
{%- if has_system('dolibarr') %}{% do parts.append(ref('int_stock_levels__dolibarr')) %}{% endif %}
{%- if has_layout('erp_products', 'erp') %}{% do parts.append(ref('int_stock_levels__flatfiles')) %}{% endif %}

with levels as (
    {{ union_system_models(parts, 'the ERP stock levels') }}
),

final as (
    select
        sku,
        erp_connection,
        erp_product_id,
        warehouse_id,
        warehouse_ref,
        warehouse_name,
        quantity_on_hand,
        quantity_reserved,
        quantity_on_hand - quantity_reserved as quantity_available
    from levels
)

select * from final
