{{ config(enabled=has_system('prestashop') and has_system('dolibarr') and var('erp_connection', none) is not none) }}

-- One row per golden customer known to a channel but not to the ERP: the customer third party to create,
-- once per person however many channel accounts they have (deduplicated through the golden customer).
-- Only channels that create ERP customers count (`dim_channels.creates_erp_customers`: option
-- `create_erp_customers`, by default the web shops): marketplace buyers hide behind relay addresses and store
-- walk-ins are booked on a counter account.
with customers as (
    select * from {{ ref('dim_customers') }}
    where erp_records = 0 and channel_records > 0
),

creating_channels as (
    select connection from {{ ref('dim_channels') }}
    where source_role = 'channel' and creates_erp_customers
),

links as (
    select * from {{ ref('dim_customer_links') }}
    where connection_role = 'channel'
      and connection in (select connection from creating_channels)
),

-- the person's first channel account (lowest record key) gives the name, e-mail and address
first_accounts as (
    select golden_customer_id, min(customer_record_key) as customer_record_key
    from links
    group by golden_customer_id
),

shop_customers as (
    select * from {{ ref('stg_prestashop__customers') }}
    where not is_deleted
),

addresses as (
    select
        connection,
        customer_id,
        arg_min(address_line_1, cast(address_id as bigint)) as address_line_1,
        arg_min(postal_code, cast(address_id as bigint)) as postal_code,
        arg_min(city, cast(address_id as bigint)) as city,
        arg_min(coalesce(mobile_phone, phone), cast(address_id as bigint)) as phone
    from {{ ref('stg_prestashop__addresses') }}
    where not is_deleted and customer_id is not null
    group by connection, customer_id
),

people as (
    select
        customers.golden_customer_id,
        links.connection as channel_connection,
        links.source_customer_id,
        coalesce(
            nullif(trim(concat_ws(' ', shop_customers.first_name, shop_customers.last_name)), ''),
            links.full_name
        ) as full_name,
        coalesce(shop_customers.email, links.email_raw) as email,
        addresses.phone,
        addresses.address_line_1,
        addresses.postal_code,
        addresses.city
    from customers
    inner join first_accounts on customers.golden_customer_id = first_accounts.golden_customer_id
    inner join links on first_accounts.customer_record_key = links.customer_record_key
    left join shop_customers
        on links.connection = shop_customers.connection
        and links.source_customer_id = shop_customers.customer_id
    left join addresses
        on links.connection = addresses.connection
        and links.source_customer_id = addresses.customer_id
),

final as (
    select
        golden_customer_id as record_key,
        'dolibarr' as target_system,
        '{{ var("erp_connection") }}' as target_connection,
        'customers' as entity,
        null::varchar as target_id,
        'record' as field,
        1 as field_position,
        null::varchar as current_value,
        email as desired_value,
        null::timestamp as seen_updated_at,
        to_json({
            'channel_key': golden_customer_id,
            'name': full_name,
            'email': trim(email),
            'phone': phone,
            'address': address_line_1,
            'zip': postal_code,
            'town': city
        }) as payload,
        channel_connection,
        source_customer_id
    from people
)

select * from final
