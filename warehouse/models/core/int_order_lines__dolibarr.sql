{{ config(enabled=has_system('dolibarr'), materialized='view') }}

-- ERP customer-order product lines in the shared column list of fct_order_lines (services such as
-- shipping are left out: the margin is a gross margin on goods, costing spec §1.5).
with orders as (
    select
        *,
        -- Dolibarr dates an order by day; its creation time gives the hour when it is on that day
        case
            when created_at is not null and {{ connection_local_date('dolibarr', 'created_at') }} = order_date
                then created_at
            else ordered_at
        end as ordered_at_with_time
    from {{ ref('stg_dolibarr__orders') }}
    where not is_deleted
),

order_lines as (
    select * from {{ ref('stg_dolibarr__order_lines') }}
    where product_type = 'product' and product_id is not null
),

final as (
    select
        order_lines.connection || ':' || order_lines.order_line_id as order_line_key,
        orders.connection || ':' || orders.order_id as order_key,
        orders.connection,
        'erp' as connection_role,
        orders.order_id,
        order_lines.order_line_id,
        coalesce(nullif(orders.channel_order_ref, ''), orders.order_ref) as order_ref,
        orders.order_ref as erp_order_ref,
        orders.channel,
        orders.fulfillment,
        orders.ordered_at_with_time as ordered_at,
        orders.status_name as order_status,
        orders.status_code = -1 as is_cancelled,
        -- 2 = shipment in progress, 3 = delivered and closed
        case
            when orders.status_code = -1 then 'cancelled'
            when orders.status_code in (2, 3) then 'shipped'
            else 'open'
        end as status_group,
        orders.status_code >= 1 as is_sale,
        orders.connection || ':' || orders.thirdparty_id as customer_record_key,
        order_lines.sku,
        null::varchar as channel_product_id,
        null::varchar as channel_variant_id,
        order_lines.product_name,
        cast(order_lines.quantity as bigint) as quantity,
        cast(order_lines.unit_price_excl_tax_eur as decimal(18, 6)) as unit_list_price_excl_tax,
        cast(order_lines.unit_price_excl_tax_eur * order_lines.discount_percent * 0.01 as decimal(18, 6))
            as unit_discount_excl_tax,
        cast(order_lines.vat_rate_percent as decimal(9, 5)) * 0.01 as tax_rate,
        'EUR' as currency_code,
        orders.warehouse_id as erp_warehouse_id,
        row_number() over (
            partition by order_lines.connection, order_lines.order_id
            order by order_lines.line_position, try_cast(order_lines.order_line_id as bigint)
        ) as line_position
    from order_lines
    inner join orders
        on order_lines.connection = orders.connection
        and order_lines.order_id = orders.order_id
)

select * from final
