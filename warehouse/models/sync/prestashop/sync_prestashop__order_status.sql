{{ config(enabled=has_system('prestashop') and has_system('dolibarr')) }}

-- One row per PrestaShop order field the ERP decides and the shop shows differently: the state of orders the
-- ERP has shipped (closed) or cancelled, and the tracking number of the shipped ones. Only forward moves are
-- pushed: a shop order already shipped, cancelled or refunded is never moved back by the ERP.
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

-- the carrier's number of each ERP order: its latest shipment that left with one
erp_tracking as (
    select connection, order_id, tracking_number
    from {{ ref('stg_dolibarr__shipments') }}
    where not is_deleted and is_shipped and tracking_number is not null and order_id is not null
    qualify row_number() over (
        partition by connection, order_id order by shipped_at desc nulls last, cast(shipment_id as bigint) desc
    ) = 1
),

-- the shop order's carrier row, where PrestaShop keeps the tracking number (the latest if it changed carrier)
shop_carriers as (
    select connection, order_id, order_carrier_id, tracking_number
    from {{ ref('stg_prestashop__order_carriers') }}
    qualify row_number() over (
        partition by connection, order_id order by cast(order_carrier_id as bigint) desc
    ) = 1
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
        end as desired_state_id,
        target_states.shipped_state_id,
        shop_carriers.order_carrier_id,
        shop_carriers.tracking_number as current_tracking_number,
        erp_tracking.tracking_number as erp_tracking_number
    from shop_orders
    inner join erp_orders
        on shop_orders.order_reference = erp_orders.channel_order_ref
        and shop_orders.channel = erp_orders.channel
    left join states as current_state
        on shop_orders.connection = current_state.connection
        and shop_orders.current_state_id = current_state.order_state_id
    left join target_states on shop_orders.connection = target_states.connection
    left join erp_tracking
        on erp_orders.connection = erp_tracking.connection
        and erp_orders.order_id = erp_tracking.order_id
    left join shop_carriers
        on shop_orders.connection = shop_carriers.connection
        and shop_orders.order_id = shop_carriers.order_id
),

changes as (
    select *
    from pairs
    where desired_state_id is not null and desired_state_id is distinct from current_state_id
),

-- the tracking number goes with the move to "shipped", written first so the shop's shipped e-mail carries it;
-- it is never sent alone: PrestaShop's order carriers have no update time, so a number written to an order
-- that does not change would never be read back
fields as (
    select
        *,
        'tracking_number' as field,
        1 as field_position,
        current_tracking_number as current_value,
        erp_tracking_number as desired_value
    from changes
    where desired_state_id = shipped_state_id
        and order_carrier_id is not null
        and erp_tracking_number is not null
        and erp_tracking_number is distinct from current_tracking_number
    union all
    select
        *,
        'current_state' as field,
        2 as field_position,
        current_state_id as current_value,
        desired_state_id as desired_value
    from changes
),

final as (
    select
        connection || ':' || order_reference as record_key,
        'prestashop' as target_system,
        connection as target_connection,
        'order_status' as entity,
        order_id as target_id,
        field,
        field_position,
        current_value,
        desired_value,
        updated_at as seen_updated_at,
        to_json({'erp_order_ref': erp_order_ref, 'order_carrier_id': order_carrier_id}) as payload,
        order_reference,
        erp_order_ref
    from fields
)

select * from final
