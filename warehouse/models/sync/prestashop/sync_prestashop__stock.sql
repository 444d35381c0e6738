{{ config(enabled=has_system('prestashop') and has_system('dolibarr')) }}

-- One row per PrestaShop stock record whose quantity differs from what the ERP can promise that channel:
-- ERP available (on hand - reserved) in the channel's warehouses, minus the units the shop already holds for
-- its own open orders the ERP has not recorded yet, minus the channel's safety buffer, never below 0.
with items as (
    select * from {{ ref('int_sync__prestashop_items') }}
    where channel_stock_record_id is not null
),

products as (
    select sku from {{ ref('dim_products') }}
    where is_stocked_item
),

erp_stock as (
    select * from {{ ref('int_channel_erp_stock') }}
),

-- PrestaShop takes the stock when an order is placed, except in the cancelled and payment-error states
-- (OrderDetail::checkProductStock), and keeps it until the order is cancelled. Orders the ERP has not
-- recorded yet (awaiting payment, or paid and not imported) are not in its reserved stock: once the order
-- push imports them, the ERP reserves them and its available stock drops by the same units.
held as (
    select connection, sku, sum(quantity) as held_quantity
    from {{ ref('fct_order_lines') }}
    where connection_role = 'channel'
        and erp_order_key is null
        and not is_cancelled
        and not regexp_matches(lower(coalesce(order_status, '')), 'erreur|error')
        and sku is not null
    group by connection, sku
),

quantities as (
    select
        items.connection,
        items.sku,
        items.channel_stock_record_id,
        items.channel_product_id,
        items.channel_variant_id,
        cast(items.channel_stock_quantity as bigint) as current_quantity,
        cast(coalesce(erp_stock.quantity_available, 0) as bigint) as erp_available,
        cast(coalesce(held.held_quantity, 0) as bigint) as held_quantity,
        items.safety_buffer,
        cast(greatest(
            coalesce(erp_stock.quantity_available, 0) - coalesce(held.held_quantity, 0) - items.safety_buffer, 0
        ) as bigint) as desired_quantity
    from items
    inner join products on items.sku = products.sku
    left join erp_stock on items.connection = erp_stock.connection and items.sku = erp_stock.sku
    left join held on items.connection = held.connection and items.sku = held.sku
),

final as (
    select
        connection || ':' || sku as record_key,
        'prestashop' as target_system,
        connection as target_connection,
        'stock' as entity,
        channel_stock_record_id as target_id,
        'quantity' as field,
        1 as field_position,
        cast(current_quantity as varchar) as current_value,
        cast(desired_quantity as varchar) as desired_value,
        null::timestamp as seen_updated_at,
        to_json({
            'product_id': channel_product_id,
            'combination_id': channel_variant_id,
            'erp_available': erp_available,
            'held_quantity': held_quantity,
            'safety_buffer': safety_buffer
        }) as payload,
        sku,
        erp_available,
        held_quantity,
        safety_buffer
    from quantities
    where desired_quantity is distinct from current_quantity
)

select * from final
