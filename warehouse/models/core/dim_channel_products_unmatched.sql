-- One row per channel item whose SKU and EAN-13 match no ERP product: listed here, never invented in dim_products.
select * exclude (sku, match_method) from {{ ref('int_channel_items') }}
where sku is null
