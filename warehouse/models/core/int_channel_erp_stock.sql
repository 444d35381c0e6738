{{ config(materialized='view') }}

-- One row per channel connection and ERP SKU: the ERP stock of the warehouses that serve that channel
-- (connection option `stock_warehouses`, ERP warehouse ids or refs; every warehouse when the option is absent).
{%- set settings = var('connection_settings', {}) %}

with channel_connections as (
    select channel_key as connection
    from {{ ref('dim_channels') }}
    where source_role = 'channel'
),

scope as (
    select connection, warehouse from (values
        (null::varchar, null::varchar)
        {%- for name, conn in settings.items() if (conn or {}).get('role') == 'channel' %}
        {%- for warehouse in (conn.get('stock_warehouses') or []) %}
        , ('{{ name | replace("'", "''") }}', '{{ warehouse | string | replace("'", "''") }}')
        {%- endfor %}
        {%- endfor %}
    ) as scope (connection, warehouse)
    where connection is not null
),

final as (
    select
        channel_connections.connection,
        levels.sku,
        sum(levels.quantity_on_hand) as quantity_on_hand,
        sum(levels.quantity_reserved) as quantity_reserved,
        sum(levels.quantity_available) as quantity_available
    from channel_connections
    inner join {{ ref('fct_stock_levels') }} as levels
        on not exists (select 1 from scope where scope.connection = channel_connections.connection)
        or exists (
            select 1
            from scope
            where scope.connection = channel_connections.connection
                and scope.warehouse in (levels.warehouse_id, levels.warehouse_ref)
        )
    group by channel_connections.connection, levels.sku
)

select * from final
