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
        connection || ':' || coalesce({{ normalize_email('customer_email') }}, {{ normalize_phone('customer_phone') }})
            as customer_record_key,
        connection,
        'channel' as connection_role,
        coalesce({{ normalize_email('customer_email') }}, {{ normalize_phone('customer_phone') }}) as source_customer_id,
        null::varchar as full_name,
        min(customer_email) as email_raw,
        list(distinct customer_phone order by customer_phone) filter (where customer_phone is not null) as phones_raw,
        min(sold_at) as created_at
    from {{ ref('stg_flatfiles__pos_sales_lines') }}
    where connection in ({{ "'" ~ layout_connections('pos_sales', 'channel') | join("', '") ~ "'" }})
        and coalesce({{ normalize_email('customer_email') }}, {{ normalize_phone('customer_phone') }}) is not null
    group by all
){{ "," if has_layout('marketplace_orders', 'channel') }}
{%- endif %}
{%- if has_layout('marketplace_orders', 'channel') %}
{%- do parts.append('buyers') %}
buyers as (
    select
        connection || ':' || {{ normalize_email('buyer_email') }} as customer_record_key,
        connection,
        'channel' as connection_role,
        {{ normalize_email('buyer_email') }} as source_customer_id,
        null::varchar as full_name,
        min(buyer_email) as email_raw,
        []::varchar[] as phones_raw,
        min(ordered_at) as created_at
    from {{ ref('stg_flatfiles__marketplace_order_lines') }}
    where connection in ({{ "'" ~ layout_connections('marketplace_orders', 'channel') | join("', '") ~ "'" }})
        and {{ normalize_email('buyer_email') }} is not null
    group by all
)
{%- endif %}

{%- for part in parts %}
select
    customer_record_key, connection, connection_role, source_customer_id, full_name, email_raw,
    coalesce(phones_raw, []::varchar[]) as phones_raw, created_at
from {{ part }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
