-- One row per record, field and channel connection where the ERP and a channel can disagree: products (per
-- SKU: price excluding tax, available stock, EAN-13), customers (per channel account: present in the ERP,
-- e-mail) and orders (per channel order: present in the ERP, status open | shipped | cancelled, units, net excluding tax).
-- `status` is agrees | differs | missing_in_channel | missing_in_erp; values are shown as text.

with products as (
    select * from {{ ref('dim_products') }}
    where is_stocked_item and is_for_sale
),

items as (
    select * from {{ ref('int_channel_items') }}
),

channel_connections as (
    select distinct connection from items
),

-- the ERP stock of the warehouses serving each channel (connection option `stock_warehouses`)
erp_channel_stock as (
    select connection, sku, quantity_available from {{ ref('int_channel_erp_stock') }}
),

safety_buffers as (
    select channel_key as connection, coalesce(safety_buffer, 0) as safety_buffer
    from {{ ref('dim_channels') }}
    where source_role = 'channel'
),

product_pairs as (
    select
        products.sku,
        products.erp_product_id,
        channel_connections.connection,
        items.channel_product_id || '/' || items.channel_variant_id as channel_record_id,
        items.sku is not null as in_channel,
        products.price_excl_tax_eur,
        items.channel_price_excl_tax,
        -- what the channel should show: ERP available minus the channel's buffer, never below 0
        greatest(coalesce(erp_channel_stock.quantity_available, 0) - coalesce(safety_buffers.safety_buffer, 0), 0)
            as erp_stock_for_channel,
        items.channel_stock_quantity,
        products.ean13,
        items.channel_ean13
    from products
    cross join channel_connections
    left join items
        on products.sku = items.sku
        and channel_connections.connection = items.connection
    left join erp_channel_stock
        on products.sku = erp_channel_stock.sku
        and channel_connections.connection = erp_channel_stock.connection
    left join safety_buffers on channel_connections.connection = safety_buffers.connection
),

product_fields as (
    select
        'product' as entity, sku as record_key, 'record' as field, erp_product_id as erp_record_id,
        sku as erp_value, connection as channel_connection, channel_record_id,
        case when in_channel then sku end as channel_value
    from product_pairs
    union all
    select
        'product', sku, 'price_excl_tax', erp_product_id, printf('%.2f', price_excl_tax_eur), connection,
        channel_record_id, printf('%.2f', channel_price_excl_tax)
    from product_pairs
    where in_channel
    union all
    select
        'product', sku, 'stock_available', erp_product_id, cast(cast(erp_stock_for_channel as bigint) as varchar),
        connection, channel_record_id, cast(channel_stock_quantity as varchar)
    from product_pairs
    where in_channel
    union all
    select 'product', sku, 'ean13', erp_product_id, ean13, connection, channel_record_id, channel_ean13
    from product_pairs
    where in_channel
    union all
    select
        'product', coalesce(channel_sku, channel_product_id || '/' || channel_variant_id), 'record', null, null,
        connection, channel_product_id || '/' || channel_variant_id, coalesce(channel_sku, channel_ean13)
    from items
    where sku is null
),

links as (
    select * from {{ ref('dim_customer_links') }}
),

erp_emails as (
    select golden_customer_id, list(distinct normalized_email order by normalized_email) as emails,
        min(source_customer_id) as erp_record_id
    from links
    where connection_role = 'erp'
    group by golden_customer_id
),

customer_fields as (
    select
        'customer' as entity, links.golden_customer_id as record_key, 'record' as field,
        erp_emails.erp_record_id, case when erp_emails.golden_customer_id is not null then links.golden_customer_id end,
        links.connection, links.source_customer_id, links.golden_customer_id
    from links
    left join erp_emails on links.golden_customer_id = erp_emails.golden_customer_id
    where links.connection_role = 'channel'
    union all
    -- the channel's e-mail agrees when one of the person's ERP records carries it (normalised)
    select
        'customer', links.golden_customer_id, 'email', erp_emails.erp_record_id,
        case
            when list_contains(erp_emails.emails, links.normalized_email) then links.normalized_email
            else array_to_string(erp_emails.emails, ', ')
        end,
        links.connection, links.source_customer_id, links.normalized_email
    from links
    inner join erp_emails on links.golden_customer_id = erp_emails.golden_customer_id
    where links.connection_role = 'channel'
),

order_totals as (
    select
        connection,
        connection_role,
        channel,
        order_ref,
        min(order_id) as order_id,
        min(status_group) as status_group,
        bool_or(is_sale) as is_sale,
        sum(quantity) as units,
        sum(net_excl_tax) as net_excl_tax
    from {{ ref('int_order_lines') }}
    group by connection, connection_role, channel, order_ref
),

channel_order_totals as (
    select * from order_totals where connection_role = 'channel'
),

erp_order_totals as (
    select * from order_totals where connection_role = 'erp'
),

order_pairs as (
    select
        channel_order_totals.order_ref,
        channel_order_totals.connection,
        channel_order_totals.order_id as channel_record_id,
        erp_order_totals.order_id as erp_record_id,
        channel_order_totals.is_sale,
        channel_order_totals.status_group as channel_status,
        erp_order_totals.status_group as erp_status,
        channel_order_totals.units as channel_units,
        erp_order_totals.units as erp_units,
        channel_order_totals.net_excl_tax as channel_net,
        erp_order_totals.net_excl_tax as erp_net
    from channel_order_totals
    left join erp_order_totals
        on channel_order_totals.channel = erp_order_totals.channel
        and channel_order_totals.order_ref = erp_order_totals.order_ref
),

order_fields as (
    -- a channel order must reach the ERP once it is a sale (cancelled or unpaid orders need not)
    select
        'order' as entity, order_ref as record_key, 'record' as field, erp_record_id,
        case when erp_record_id is not null then order_ref end, connection, channel_record_id, order_ref
    from order_pairs
    where is_sale or erp_record_id is not null
    union all
    select 'order', order_ref, 'status', erp_record_id, erp_status, connection, channel_record_id, channel_status
    from order_pairs
    where erp_record_id is not null
    union all
    select
        'order', order_ref, 'units', erp_record_id, cast(erp_units as varchar), connection, channel_record_id,
        cast(channel_units as varchar)
    from order_pairs
    where erp_record_id is not null
    union all
    select
        'order', order_ref, 'net_excl_tax', erp_record_id, printf('%.2f', erp_net), connection, channel_record_id,
        printf('%.2f', channel_net)
    from order_pairs
    where erp_record_id is not null
    union all
    -- ERP orders of a channel that has connections, which none of them knows
    select
        'order', erp_order_totals.order_ref, 'record', erp_order_totals.order_id, erp_order_totals.order_ref,
        null, null, null
    from erp_order_totals
    where exists (select 1 from channel_order_totals where channel_order_totals.channel = erp_order_totals.channel)
        and not exists (
            select 1
            from channel_order_totals
            where channel_order_totals.channel = erp_order_totals.channel
                and channel_order_totals.order_ref = erp_order_totals.order_ref
        )
),

compared as (
    select * from product_fields
    union all
    select * from customer_fields
    union all
    select * from order_fields
),

final as (
    select
        entity,
        record_key,
        field,
        erp_record_id,
        erp_value,
        channel_connection,
        channel_record_id,
        channel_value,
        case
            when erp_value is null and channel_value is null then 'agrees'
            when field = 'record' and channel_value is null then 'missing_in_channel'
            when field = 'record' and erp_value is null then 'missing_in_erp'
            when erp_value is not distinct from channel_value then 'agrees'
            else 'differs'
        end as status
    from compared
)

select * from final
