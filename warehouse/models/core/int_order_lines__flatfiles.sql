{{ config(enabled=has_layout('pos_sales', 'channel') or has_layout('marketplace_orders', 'channel'), materialized='view') }}

-- Store ticket lines (POS exports) and marketplace order items (order reports) in the shared column list of
-- fct_order_lines. The ticket number and the marketplace order id are what the ERP keeps as `ref_client`.
-- Return tickets (negative quantities) are returns, not orders: they stay in staging.
{%- set parts = [] %}

with
{%- if has_layout('pos_sales', 'channel') %}
{%- do parts.append('pos_lines') %}
tickets as (
    select * from {{ ref('stg_flatfiles__pos_sales_lines') }}
    where not is_return
        and connection in ({{ "'" ~ layout_connections('pos_sales', 'channel') | join("', '") ~ "'" }})
),

pos_lines as (
    select
        connection || ':' || store_code || ':' || ticket_id || ':' || line_number as order_line_key,
        connection || ':' || store_code || ':' || ticket_id as order_key,
        connection,
        'channel' as connection_role,
        store_code || ':' || ticket_id as order_id,
        cast(line_number as varchar) as order_line_id,
        ticket_id as order_ref,
        null::varchar as erp_order_ref,
        {{ connection_channel('flatfiles', 'connection') }} as channel,
        'in_store' as fulfillment,
        sold_at as ordered_at,
        'paid' as order_status,
        false as is_cancelled,
        -- a ticket is rung up once paid
        true as is_sale,
        case
            when {{ normalize_email('customer_email') }} is not null
                then connection || ':' || {{ normalize_email('customer_email') }}
            when {{ normalize_phone('customer_phone') }} is not null
                then connection || ':' || {{ normalize_phone('customer_phone') }}
        end as customer_record_key,
        sku,
        null::varchar as channel_product_id,
        null::varchar as channel_variant_id,
        null::varchar as product_name,
        cast(quantity as bigint) as quantity,
        -- the till prices include tax: the price excluding tax is derived with the line's rate; a negative
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
        line_number as line_position
    from tickets
){{ "," if has_layout('marketplace_orders', 'channel') }}
{%- endif %}
{%- if has_layout('marketplace_orders', 'channel') %}
{%- do parts.append('marketplace_lines') %}
items as (
    select * from {{ ref('stg_flatfiles__marketplace_order_lines') }}
    where connection in ({{ "'" ~ layout_connections('marketplace_orders', 'channel') | join("', '") ~ "'" }})
),

marketplace_lines as (
    select
        connection || ':' || order_line_id as order_line_key,
        connection || ':' || order_id as order_key,
        connection,
        'channel' as connection_role,
        order_id,
        order_line_id,
        order_id as order_ref,
        null::varchar as erp_order_ref,
        {{ connection_channel('flatfiles', 'connection') }} as channel,
        'ship' as fulfillment,
        ordered_at,
        order_status,
        is_cancelled,
        -- the marketplace collects the payment when the order is placed
        not is_cancelled as is_sale,
        case
            when {{ normalize_email('buyer_email') }} is not null
                then connection || ':' || {{ normalize_email('buyer_email') }}
        end as customer_record_key,
        sku,
        null::varchar as channel_product_id,
        null::varchar as channel_variant_id,
        null::varchar as product_name,
        cast(quantity as bigint) as quantity,
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
        row_number() over (partition by connection, order_id order by order_line_id) as line_position
    from items
)
{%- endif %}

{%- for part in parts %}
select * from {{ part }}
{%- if not loop.last %}
union all by name
{%- endif %}
{%- endfor %}
