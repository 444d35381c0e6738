-- One row per SKU of the ERP (the master of the product referential); every ERP system adds one branch.
{%- set parts = [] -%}
{%- if has_system('dolibarr') %}{% do parts.append(ref('int_products__dolibarr')) %}{% endif %}
{%- if has_layout('erp_products', 'erp') %}{% do parts.append(ref('int_products__flatfiles')) %}{% endif %}

with erp_products as (
    {{ union_system_models(parts, 'the ERP products') }}
),

stock as (
    select sku, sum(quantity_on_hand) as stock_on_hand, sum(quantity_reserved) as stock_reserved
    from {{ ref('fct_stock_levels') }}
    group by sku
),

final as (
    select
        erp_products.*,
        not erp_products.is_variant_parent and erp_products.product_type = 'product' as is_stocked_item,
        coalesce(stock.stock_on_hand, 0) as stock_on_hand,
        coalesce(stock.stock_reserved, 0) as stock_reserved,
        coalesce(stock.stock_on_hand, 0) - coalesce(stock.stock_reserved, 0) as stock_available
    from erp_products
    left join stock on erp_products.sku = stock.sku
)

select * from final
