{{ config(enabled=has_system('prestashop'), materialized='view') }}

-- PrestaShop customer accounts with the phones of their addresses, in the shared column list of dim_customer_links.
with customers as (
    select * from {{ ref('stg_prestashop__customers') }}
    where not is_deleted
),

address_phones as (
    select
        connection,
        customer_id,
        list(distinct phone_raw order by phone_raw) as phones_raw
    from {{ ref('stg_prestashop__addresses') }},
        unnest([phone, mobile_phone]) as phones(phone_raw)
    where not is_deleted
        and nullif(trim(phone_raw), '') is not null
    group by connection, customer_id
),

final as (
    select
        customers.connection || ':' || customers.customer_id as customer_record_key,
        customers.connection,
        'channel' as connection_role,
        customers.customer_id as source_customer_id,
        trim(concat_ws(' ', customers.first_name, customers.last_name)) as full_name,
        customers.email as email_raw,
        coalesce(address_phones.phones_raw, []) as phones_raw,
        customers.created_at
    from customers
    left join address_phones
        on customers.connection = address_phones.connection
        and customers.customer_id = address_phones.customer_id
)

select * from final
