{{ config(enabled=has_system('dolibarr'), materialized='view') }}

-- ERP stock per product and warehouse: on hand from the stock rows, reserved = lines of validated,
-- not yet shipped orders (status 1) in the order's warehouse (docs/contracts.md §8).
with products as (
    select * from {{ ref('stg_dolibarr__products') }}
    where not is_deleted
),

warehouses as (
    select * from {{ ref('stg_dolibarr__warehouses') }}
),

on_hand as (
    select connection, product_id, warehouse_id, sum(quantity_on_hand) as quantity_on_hand
    from {{ ref('stg_dolibarr__product_stocks') }}
    where not is_deleted
    group by connection, product_id, warehouse_id
),

reserved as (
    select
        orders.connection,
        order_lines.product_id,
        orders.warehouse_id,
        sum(order_lines.quantity) as quantity_reserved
    from {{ ref('stg_dolibarr__orders') }} as orders
    inner join {{ ref('stg_dolibarr__order_lines') }} as order_lines
        on orders.connection = order_lines.connection
        and orders.order_id = order_lines.order_id
    where orders.status_code = 1
        and not orders.is_deleted
        and order_lines.product_type = 'product'
        and order_lines.product_id is not null
    group by orders.connection, order_lines.product_id, orders.warehouse_id
),

levels as (
    select
        coalesce(on_hand.connection, reserved.connection) as connection,
        coalesce(on_hand.product_id, reserved.product_id) as product_id,
        coalesce(on_hand.warehouse_id, reserved.warehouse_id) as warehouse_id,
        coalesce(on_hand.quantity_on_hand, 0) as quantity_on_hand,
        coalesce(reserved.quantity_reserved, 0) as quantity_reserved
    from on_hand
    full outer join reserved
        on on_hand.connection = reserved.connection
        and on_hand.product_id = reserved.product_id
        and on_hand.warehouse_id = reserved.warehouse_id
),

final as (
    select
        products.sku,
        levels.connection as erp_connection,
        levels.product_id as erp_product_id,
        levels.warehouse_id,
        warehouses.warehouse_ref,
        warehouses.warehouse_name,
        cast(levels.quantity_on_hand as decimal(18, 6)) as quantity_on_hand,
        cast(levels.quantity_reserved as decimal(18, 6)) as quantity_reserved
    from levels
    inner join products
        on levels.connection = products.connection
        and levels.product_id = products.product_id
    left join warehouses
        on levels.connection = warehouses.connection
        and levels.warehouse_id = warehouses.warehouse_id
)

select * from final
