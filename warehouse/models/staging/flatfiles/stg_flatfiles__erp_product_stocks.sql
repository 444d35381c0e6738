{{ config(enabled=has_layout('erp_products')) }}

with stocks as (
    {{ union_layout('erp_products', 'erp_product_stocks') }}
),

products as (
    select connection, sku, file_id, is_deleted from {{ ref('stg_flatfiles__erp_products') }}
),

final as (
    select
        stocks.connection,
        stocks.sku,
        stocks.warehouse_ref,
        stocks.quantity_on_hand,
        -- on hand - reserved, for the warehouses the export gives it for
        stocks.quantity_available,
        products.is_deleted,
        stocks._file_id as file_id
    from stocks
    -- the stock of a product as of the export its product row comes from
    inner join products
        on stocks.connection = products.connection
        and stocks.sku = products.sku
        and stocks._file_id = products.file_id
)

select * from final
