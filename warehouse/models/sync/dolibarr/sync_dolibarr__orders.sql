{{ config(enabled=has_system('prestashop') and has_system('dolibarr') and var('erp_connection', none) is not none) }}

-- One row per valid channel order the ERP has not recorded: the customer order to create (idempotent by the
-- channel's reference, stored in `ref_client`), with its lines, taxes and shipping, then validated.
{%- set settings = var('connection_settings', {}) %}

with lines as (
    select * from {{ ref('fct_order_lines') }}
    where connection_role = 'channel' and erp_order_key is null and is_sale
),

shop_orders as (
    select * from {{ ref('stg_prestashop__orders') }}
    where not is_deleted
),

products as (
    select sku, erp_product_id from {{ ref('dim_products') }}
),

customers as (
    select golden_customer_id, erp_customer_ids from {{ ref('dim_customers') }}
),

links as (
    select customer_record_key, email_raw from {{ ref('dim_customer_links') }}
),

-- the ERP warehouse that serves each channel: the first of its `stock_warehouses` (id or ref)
channel_warehouses as (
    select connection, warehouse from (values
        (null::varchar, null::varchar)
        {%- for name, conn in settings.items() if (conn or {}).get('role') == 'channel' and conn.get('stock_warehouses') %}
        , ('{{ name | replace("'", "''") }}', '{{ conn.get("stock_warehouses")[0] | string | replace("'", "''") }}')
        {%- endfor %}
    ) as mapping (connection, warehouse)
    where connection is not null
),

warehouses as (
    select channel_warehouses.connection, min(erp_warehouses.warehouse_id) as warehouse_id
    from channel_warehouses
    inner join {{ ref('stg_dolibarr__warehouses') }} as erp_warehouses
        on channel_warehouses.warehouse in (erp_warehouses.warehouse_id, erp_warehouses.warehouse_ref)
    where erp_warehouses.connection = '{{ var("erp_connection") }}'
    group by channel_warehouses.connection
),

order_lines as (
    select
        lines.connection,
        lines.order_id,
        list({
            'sku': lines.sku,
            'erp_product_id': products.erp_product_id,
            'quantity': lines.quantity,
            'unit_price_excl_tax': lines.unit_list_price_excl_tax,
            'discount_percent': case
                when lines.unit_list_price_excl_tax = 0 then 0
                else round(lines.unit_discount_excl_tax / lines.unit_list_price_excl_tax * 100, 2)
            end,
            'vat_rate_percent': round(lines.tax_rate * 100, 3)
        } order by lines.line_position) as order_lines,
        list(coalesce(lines.sku, lines.product_name) order by lines.line_position)
            filter (where products.erp_product_id is null) as unknown_skus,
        sum(lines.net_excl_tax) as net_excl_tax,
        count(*) as line_count,
        min(lines.order_ref) as order_ref,
        min(lines.channel) as channel,
        min(lines.fulfillment) as fulfillment,
        min(lines.ordered_at) as ordered_at,
        min(lines.customer_record_key) as customer_record_key,
        min(lines.golden_customer_id) as golden_customer_id
    from lines
    left join products on lines.sku = products.sku
    group by lines.connection, lines.order_id
),

final as (
    select
        order_lines.connection || ':' || order_lines.order_ref as record_key,
        'dolibarr' as target_system,
        '{{ var("erp_connection") }}' as target_connection,
        'orders' as entity,
        null::varchar as target_id,
        'record' as field,
        1 as field_position,
        null::varchar as current_value,
        order_lines.order_ref || ': ' || order_lines.line_count || ' line(s), '
            || printf('%.2f', order_lines.net_excl_tax) || ' excl. tax' as desired_value,
        null::timestamp as seen_updated_at,
        to_json({
            'ref_client': order_lines.order_ref,
            'channel_connection': order_lines.connection,
            'channel': order_lines.channel,
            'fulfillment': order_lines.fulfillment,
            'ordered_at_unix': cast(epoch(order_lines.ordered_at) as bigint),
            'warehouse_id': warehouses.warehouse_id,
            'shipped_by_channel': coalesce(shop_orders.is_shipped, false),
            'customer': {
                'channel_key': order_lines.golden_customer_id,
                'erp_thirdparty_id': customers.erp_customer_ids[1],
                'email': trim(links.email_raw)
            },
            'lines': order_lines.order_lines,
            'shipping': {
                'price_excl_tax': shop_orders.total_shipping_excl_tax,
                'vat_rate_percent': shop_orders.carrier_tax_rate_percent
            },
            'unknown_skus': coalesce(order_lines.unknown_skus, [])
        }) as payload,
        order_lines.connection as channel_connection,
        order_lines.order_ref,
        order_lines.net_excl_tax
    from order_lines
    left join shop_orders
        on order_lines.connection = shop_orders.connection
        and order_lines.order_id = shop_orders.order_id
    left join customers on order_lines.golden_customer_id = customers.golden_customer_id
    left join links on order_lines.customer_record_key = links.customer_record_key
    left join warehouses on order_lines.connection = warehouses.connection
)

select * from final
