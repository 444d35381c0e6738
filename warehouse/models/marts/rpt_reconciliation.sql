-- One row per record, field and channel connection where the ERP and a channel can disagree: products (per
-- SKU: price excluding tax, available stock, EAN-13), customers (per channel account of a person the ERP holds or
-- must hold: present in the ERP, e-mail) and orders (per channel order: present in the ERP, status open | shipped |
-- cancelled, units, net excluding tax). `status` is agrees | differs | missing_in_channel | missing_in_erp; values
-- are shown as text; `amount_tolerance` is the difference still taken as agreement where rounding makes one.

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

channels as (
    select * from {{ ref('dim_channels') }}
    where source_role = 'channel'
),

-- the ERP stock of the warehouses serving each channel (connection option `stock_warehouses`)
erp_channel_stock as (
    select connection, sku, quantity_available from {{ ref('int_channel_erp_stock') }}
),

safety_buffers as (
    select connection, coalesce(safety_buffer, 0) as safety_buffer
    from channels
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

-- the ERP must hold a person once one of their accounts is on a channel that creates ERP customers (the rule of
-- sync_dolibarr__customers); a person known only to other channels (marketplace relay addresses, store loyalty
-- cards) is compared only when the ERP holds them anyway
customers_due_in_erp as (
    select distinct links.golden_customer_id
    from links
    inner join channels on links.connection = channels.connection
    where channels.creates_erp_customers
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
        'customer' as entity,
        links.golden_customer_id as record_key,
        'record' as field,
        erp_emails.erp_record_id,
        case when erp_emails.golden_customer_id is not null then links.golden_customer_id end as erp_value,
        links.connection as channel_connection,
        links.source_customer_id as channel_record_id,
        links.golden_customer_id as channel_value
    from links
    left join erp_emails on links.golden_customer_id = erp_emails.golden_customer_id
    left join customers_due_in_erp on links.golden_customer_id = customers_due_in_erp.golden_customer_id
    where links.connection_role = 'channel'
        and (erp_emails.golden_customer_id is not null or customers_due_in_erp.golden_customer_id is not null)
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
        count(*) as lines,
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
        erp_order_totals.net_excl_tax as erp_net,
        -- channel files give unit prices including tax, rounded to the cent, and the ERP keeps prices excluding
        -- tax: the net derived from the file may differ from the ERP's by that rounding (under half a cent per
        -- unit) and by the rounding of each line's total (a cent per line)
        case
            when channels.connection_kind = 'flatfiles'
                then cast(0.005 * abs(channel_order_totals.units) + 0.01 * channel_order_totals.lines as decimal(18, 3))
        end as net_tolerance
    from channel_order_totals
    left join erp_order_totals
        on channel_order_totals.channel = erp_order_totals.channel
        and channel_order_totals.order_ref = erp_order_totals.order_ref
    left join channels on channel_order_totals.connection = channels.connection
),

order_fields as (
    -- a channel order must reach the ERP once it is a sale (cancelled or unpaid orders need not)
    select
        'order' as entity,
        order_ref as record_key,
        'record' as field,
        erp_record_id,
        case when erp_record_id is not null then order_ref end as erp_value,
        connection as channel_connection,
        channel_record_id,
        order_ref as channel_value
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

order_amount_fields as (
    select
        'order' as entity,
        order_ref as record_key,
        'net_excl_tax' as field,
        erp_record_id,
        printf('%.2f', erp_net) as erp_value,
        connection as channel_connection,
        channel_record_id,
        printf('%.2f', channel_net) as channel_value,
        net_tolerance as amount_tolerance,
        abs(erp_net - channel_net) as amount_difference
    from order_pairs
    where erp_record_id is not null
),

compared as (
    select * from product_fields
    union all by name
    select * from customer_fields
    union all by name
    select * from order_fields
    union all by name
    select * from order_amount_fields
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
        amount_tolerance,
        case
            when erp_value is null and channel_value is null then 'agrees'
            when field = 'record' and channel_value is null then 'missing_in_channel'
            when field = 'record' and erp_value is null then 'missing_in_erp'
            when erp_value is not distinct from channel_value then 'agrees'
            when amount_difference <= amount_tolerance then 'agrees'
            else 'differs'
        end as status
    from compared
)

select * from final
