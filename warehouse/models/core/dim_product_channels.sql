-- One row per ERP SKU and channel item selling it: the channel's ids, price and stock for that SKU.
select * from {{ ref('int_channel_items') }}
where sku is not null
