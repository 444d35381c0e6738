-- One row per order line of every sales channel (web shops, stores, marketplaces), each order counted once:
-- a channel connection's own record wins over the ERP's copy of the same order (ERP `ref_client` = the
-- channel's reference); ERP orders without a channel counterpart count under their ERP channel.
with lines as (
    select * from {{ ref('int_order_lines') }}
),

links as (
    select customer_record_key, golden_customer_id, is_identified from {{ ref('dim_customer_links') }}
),

channel_orders as (
    select distinct channel, order_ref, connection, order_key
    from lines
    where connection_role = 'channel'
),

erp_orders as (
    select distinct channel, order_ref, order_key, erp_order_ref
    from lines
    where connection_role = 'erp'
),

kept as (
    select
        lines.* exclude (erp_order_ref),
        coalesce(lines.erp_order_ref, erp_orders.erp_order_ref) as erp_order_ref,
        coalesce(
            case when lines.connection_role = 'erp' then lines.order_key end, erp_orders.order_key
        ) as erp_order_key
    from lines
    left join erp_orders
        on lines.connection_role = 'channel'
        and lines.channel = erp_orders.channel
        and lines.order_ref = erp_orders.order_ref
    where not exists (
        select 1
        from channel_orders
        where lines.connection_role = 'erp'
            and channel_orders.channel = lines.channel
            and channel_orders.order_ref = lines.order_ref
    )
),

final as (
    select
        kept.order_line_key,
        kept.order_key,
        kept.connection,
        kept.connection_role,
        kept.order_id,
        kept.order_line_id,
        kept.line_position,
        kept.order_ref,
        kept.erp_order_key,
        kept.erp_order_ref,
        case when kept.connection_role = 'channel' then kept.connection else kept.connection || ':' || kept.channel end
            as channel_key,
        kept.channel,
        kept.fulfillment,
        kept.ordered_at,
        {{ merchant_local('kept.ordered_at') }} as ordered_at_local,
        cast({{ merchant_local('kept.ordered_at') }} as date) as order_date,
        kept.order_status,
        kept.is_cancelled,
        kept.status_group,
        kept.is_sale,
        kept.customer_record_key,
        links.golden_customer_id,
        coalesce(links.is_identified, false) as is_identified_customer,
        kept.sku,
        kept.channel_product_id,
        kept.channel_variant_id,
        kept.product_name,
        kept.quantity,
        kept.unit_list_price_excl_tax,
        kept.unit_discount_excl_tax,
        kept.unit_price_excl_tax,
        kept.tax_rate,
        kept.currency_code,
        kept.gross_excl_tax,
        kept.discount_excl_tax,
        kept.net_excl_tax,
        kept.erp_warehouse_id
    from kept
    left join links on kept.customer_record_key = links.customer_record_key
)

select * from final
