{{ config(enabled=has_layout('erp_products', 'erp'), materialized='view') }}

-- Stock per product and warehouse from an ERP's export, in the shared column list of fct_stock_levels. The
-- export gives on hand per warehouse and, where it has a `Disponible <warehouse>` column, the available
-- quantity: reserved = on hand - available there, none elsewhere. Warehouses are known by reference only.
with stocks as (
    select * from {{ ref('stg_flatfiles__erp_product_stocks') }}
    where not is_deleted
        and {{ in_layout('erp_products', 'erp') }}
),

products as (
    select connection, sku from {{ ref('stg_flatfiles__erp_products') }}
    where not is_deleted and product_type = 'product' and not is_variant_parent
),

final as (
    select
        stocks.sku,
        stocks.connection as erp_connection,
        stocks.sku as erp_product_id,
        stocks.warehouse_ref as warehouse_id,
        stocks.warehouse_ref,
        stocks.warehouse_ref as warehouse_name,
        cast(stocks.quantity_on_hand as decimal(18, 6)) as quantity_on_hand,
        cast(coalesce(stocks.quantity_on_hand - stocks.quantity_available, 0) as decimal(18, 6)) as quantity_reserved
    from stocks
    inner join products
        on stocks.connection = products.connection
        and stocks.sku = products.sku
)

select * from final
