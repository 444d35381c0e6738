{{ config(enabled=has_system('prestashop'), materialized='view') }}

-- PrestaShop order lines in the shared column list of fct_order_lines (documented in _core__models.yml).
with orders as (
    select * from {{ ref('stg_prestashop__orders') }}
    where not is_deleted
),

order_rows as (
    select * from {{ ref('stg_prestashop__order_rows') }}
),

final as (
    select
        order_rows.connection || ':' || order_rows.order_row_id as order_line_key,
        orders.connection || ':' || orders.order_id as order_key,
        orders.connection,
        'channel' as connection_role,
        orders.order_id,
        order_rows.order_row_id as order_line_id,
        orders.order_reference as order_ref,
        null::varchar as erp_order_ref,
        {{ connection_channel('prestashop', 'orders.connection') }} as channel,
        case when orders.is_click_and_collect then 'click_collect' else 'ship' end as fulfillment,
        orders.ordered_at,
        orders.current_state_name as order_status,
        coalesce(orders.is_cancelled, false) as is_cancelled,
        case
            when orders.is_cancelled then 'cancelled'
            when orders.is_shipped then 'shipped'
            else 'open'
        end as status_group,
        -- a sale once the shop counts it as valid (paid or accepted), never when cancelled
        coalesce(orders.is_valid, false) and not coalesce(orders.is_cancelled, false) as is_sale,
        orders.connection || ':' || orders.customer_id as customer_record_key,
        nullif(trim(order_rows.sku), '') as sku,
        order_rows.product_id as channel_product_id,
        order_rows.combination_id as channel_variant_id,
        order_rows.product_name,
        cast(order_rows.quantity as bigint) as quantity,
        cast(order_rows.list_unit_price_excl_tax as decimal(18, 6)) as unit_list_price_excl_tax,
        cast(order_rows.unit_discount_excl_tax as decimal(18, 6)) as unit_discount_excl_tax,
        cast(order_rows.tax_rate_percent as decimal(9, 5)) * 0.01 as tax_rate,
        order_rows.currency_code,
        null::varchar as erp_warehouse_id,
        row_number() over (
            partition by order_rows.connection, order_rows.order_id
            order by try_cast(order_rows.order_row_id as bigint), order_rows.order_row_id
        ) as line_position
    from order_rows
    inner join orders
        on order_rows.connection = orders.connection
        and order_rows.order_id = orders.order_id
)

select * from final
