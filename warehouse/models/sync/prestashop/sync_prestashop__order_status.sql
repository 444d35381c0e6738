{{ config(enabled=has_system('prestashop') and has_system('dolibarr')) }}

-- One row per PrestaShop order field the ERP decides and the shop shows differently: the state of orders the
-- ERP has shipped (closed) or cancelled. Only forward moves are pushed: a shop order already shipped,
-- cancelled or refunded is never moved back by the ERP.
with channels as (
    {{ sync_target_channels('prestashop') }}
),

shop_orders as (
    select shop_orders.*, channels.channel
    from {{ ref('stg_prestashop__orders') }} as shop_orders
    inner join channels on shop_orders.connection = channels.connection
    where not shop_orders.is_deleted
),

erp_orders as (
    select * from {{ ref('stg_dolibarr__orders') }}
    where not is_deleted and channel_order_ref is not null
),

states as (
    select * from {{ ref('stg_prestashop__order_states') }}
    where not is_deleted
),

-- the shop's own states for "shipped" and "cancelled" (PrestaShop's defaults are 4 and 6)
target_states as (
    select
        connection,
        cast(min(cast(order_state_id as integer)) filter (where is_shipped) as varchar) as shipped_state_id,
        cast(min(cast(order_state_id as integer)) filter (where is_cancelled) as varchar) as cancelled_state_id
    from states
    group by connection
),

pairs as (
    select
        shop_orders.connection,
        shop_orders.order_id,
        shop_orders.order_reference,
        shop_orders.current_state_id,
        shop_orders.updated_at,
        erp_orders.order_ref as erp_order_ref,
        case
            when shop_orders.is_shipped or shop_orders.is_cancelled or coalesce(current_state.is_refunded, false)
                then null
            when erp_orders.status_code = 3 then target_states.shipped_state_id
            when erp_orders.status_code = -1 then target_states.cancelled_state_id
        end as desired_state_id
    from shop_orders
    inner join erp_orders
        on shop_orders.order_reference = erp_orders.channel_order_ref
        and shop_orders.channel = erp_orders.channel
    left join states as current_state
        on shop_orders.connection = current_state.connection
        and shop_orders.current_state_id = current_state.order_state_id
    left join target_states on shop_orders.connection = target_states.connection
),

final as (
    select
        connection || ':' || order_reference as record_key,
        'prestashop' as target_system,
        connection as target_connection,
        'order_status' as entity,
        order_id as target_id,
        'current_state' as field,
        2 as field_position,
        current_state_id as current_value,
        desired_state_id as desired_value,
        updated_at as seen_updated_at,
        to_json({'erp_order_ref': erp_order_ref}) as payload,
        order_reference,
        erp_order_ref
    from pairs
    where desired_state_id is not null and desired_state_id is distinct from current_state_id
)

select * from final
