{{ config(enabled=has_layout('pos_sales', 'channel') or has_layout('marketplace_orders', 'channel'), materialized='view') }}

-- The customers named by channel files, in the shared column list of dim_customer_links: a store's loyalty
-- customer (ticket e-mail, else phone) and a marketplace buyer (its e-mail, often a relay address). The
-- record key is the one int_order_lines__flatfiles gives their lines.
{%- set parts = [] %}

with
{%- if has_layout('pos_sales', 'channel') %}
{%- do parts.append('store_customers') %}
store_customers as (
    select
        connection,
        {{ flatfile_customer_identity('customer_email', 'customer_phone') }} as identity,
        customer_email as email_raw,
        customer_phone as phone_raw,
        sold_at as seen_at
    from {{ ref('stg_flatfiles__pos_sales_lines') }}
    where {{ in_layout('pos_sales', 'channel') }}
),
{%- endif %}
{%- if has_layout('marketplace_orders', 'channel') %}
{%- do parts.append('buyers') %}
buyers as (
    select
        connection,
        {{ flatfile_customer_identity('buyer_email') }} as identity,
        buyer_email as email_raw,
        null::varchar as phone_raw,
        ordered_at as seen_at
    from {{ ref('stg_flatfiles__marketplace_order_lines') }}
    where {{ in_layout('marketplace_orders', 'channel') }}
),
{%- endif %}

named as (
    {{ union_system_models(parts, 'channel files') }}
),

final as (
    select
        connection || ':' || identity as customer_record_key,
        connection,
        'channel' as connection_role,
        identity as source_customer_id,
        null::varchar as full_name,
        min(email_raw) as email_raw,
        coalesce(list(distinct phone_raw order by phone_raw) filter (where phone_raw is not null), [])
            as phones_raw,
        min(seen_at) as created_at
    from named
    where identity is not null
    group by connection, identity
)

select * from final
