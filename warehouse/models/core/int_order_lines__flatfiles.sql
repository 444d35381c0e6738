{{ config(enabled=has_layout('pos_sales', 'channel') or has_layout('marketplace_orders', 'channel'), materialized='view') }}

-- Store ticket lines (POS exports) and marketplace order items (order reports) in the shared column list of
-- fct_order_lines. The ticket number and the marketplace order id are what the ERP keeps as `ref_client`.
-- Return tickets (negative quantities) are returns, not orders: they stay in staging.
{%- set parts = [] %}

with
{%- if has_layout('pos_sales', 'channel') %}
{%- do parts.append('ticket_lines') %}
ticket_lines as (
    select
        connection || ':' || store_code || ':' || ticket_id || ':' || line_number as order_line_key,
        connection || ':' || store_code || ':' || ticket_id as order_key,
        connection,
        store_code || ':' || ticket_id as order_id,
        cast(line_number as varchar) as order_line_id,
        ticket_id as order_ref,
        'in_store' as fulfillment,
        sold_at as ordered_at,
        'paid' as order_status,
        false as is_cancelled,
        -- the customer leaves the till with the goods: fulfilled, as the ERP's closed copy of the ticket
        'shipped' as status_group,
        -- a ticket is rung up once paid
        true as is_sale,
        {{ flatfile_customer_identity('customer_email', 'customer_phone') }} as customer_identity,
        sku,
        quantity,
        unit_price_incl_tax,
        discount_incl_tax,
        vat_rate_percent,
        currency_code,
        line_number as line_position
    from {{ ref('stg_flatfiles__pos_sales_lines') }}
    where not is_return
        and {{ in_layout('pos_sales', 'channel') }}
),
{%- endif %}
{%- if has_layout('marketplace_orders', 'channel') %}
{%- do parts.append('item_lines') %}
item_lines as (
    select
        connection || ':' || order_line_id as order_line_key,
        connection || ':' || order_id as order_key,
        connection,
        order_id,
        order_line_id,
        order_id as order_ref,
        'ship' as fulfillment,
        ordered_at,
        order_status,
        is_cancelled,
        case
            when is_cancelled then 'cancelled'
            when shipped_at is not null or order_status in ('shipped', 'delivered') then 'shipped'
            else 'open'
        end as status_group,
        -- the marketplace collects the payment when the order is placed
        not is_cancelled as is_sale,
        {{ flatfile_customer_identity('buyer_email') }} as customer_identity,
        sku,
        quantity,
        unit_price_incl_tax,
        discount_incl_tax,
        vat_rate_percent,
        currency_code,
        row_number() over (partition by connection, order_id order by order_line_id) as line_position
    from {{ ref('stg_flatfiles__marketplace_order_lines') }}
    where {{ in_layout('marketplace_orders', 'channel') }}
),
{%- endif %}

lines as (
    {{ union_system_models(parts, 'channel files') }}
),

final as (
    select
        order_line_key,
        order_key,
        connection,
        'channel' as connection_role,
        order_id,
        order_line_id,
        order_ref,
        null::varchar as erp_order_ref,
        {{ connection_channel('flatfiles', 'connection') }} as channel,
        fulfillment,
        ordered_at,
        order_status,
        is_cancelled,
        status_group,
        is_sale,
        connection || ':' || customer_identity as customer_record_key,
        sku,
        null::varchar as channel_product_id,
        null::varchar as channel_variant_id,
        null::varchar as product_name,
        cast(quantity as bigint) as quantity,
        -- file prices include tax: the price excluding tax is derived with the line's rate; a negative
        -- discount (a till rounding its total up by a cent) is part of the price paid, not a discount
        cast(
            round(
                (unit_price_incl_tax - least(discount_incl_tax, 0) / nullif(quantity, 0))
                / (1 + vat_rate_percent / 100),
                6
            ) as decimal(18, 6)
        ) as unit_list_price_excl_tax,
        cast(
            round(greatest(discount_incl_tax, 0) / nullif(quantity, 0) / (1 + vat_rate_percent / 100), 6)
            as decimal(18, 6)
        ) as unit_discount_excl_tax,
        cast(vat_rate_percent as decimal(9, 5)) * 0.01 as tax_rate,
        currency_code,
        null::varchar as erp_warehouse_id,
        line_position
    from lines
)

select * from final
