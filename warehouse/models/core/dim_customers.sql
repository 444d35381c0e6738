-- One row per golden customer: the source records of one person across the ERP and the channels.
with links as (
    select * from {{ ref('dim_customer_links') }}
),

orders as (
    select
        golden_customer_id,
        count(distinct order_key) as orders_count,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at
    from {{ ref('fct_order_lines') }}
    where is_sale and golden_customer_id is not null
    group by golden_customer_id
),

phones as (
    select golden_customer_id, list(distinct phone order by phone) as normalized_phones
    from links, unnest(normalized_phones) as unnested(phone)
    group by golden_customer_id
),

grouped as (
    select
        golden_customer_id,
        -- the ERP's name wins: it is the master of the customer referential
        coalesce(
            min(full_name) filter (where connection_role = 'erp' and nullif(full_name, '') is not null),
            min(full_name) filter (where nullif(full_name, '') is not null)
        ) as full_name,
        list(distinct normalized_email order by normalized_email)
            filter (where normalized_email is not null) as normalized_emails,
        count(*) as source_records,
        count(*) filter (where connection_role = 'erp') as erp_records,
        count(*) filter (where connection_role = 'channel') as channel_records,
        list(source_customer_id order by customer_record_key) filter (where connection_role = 'erp')
            as erp_customer_ids,
        list(customer_record_key order by customer_record_key) filter (where connection_role = 'channel')
            as channel_customer_keys,
        bool_or(is_identified) as is_identified,
        min(created_at) as first_seen_at
    from links
    group by golden_customer_id
),

final as (
    select
        grouped.golden_customer_id,
        grouped.full_name,
        grouped.normalized_emails[1] as primary_email,
        phones.normalized_phones[1] as primary_phone,
        coalesce(grouped.normalized_emails, []) as normalized_emails,
        coalesce(phones.normalized_phones, []) as normalized_phones,
        grouped.source_records,
        grouped.erp_records,
        grouped.channel_records,
        coalesce(grouped.erp_customer_ids, []) as erp_customer_ids,
        coalesce(grouped.channel_customer_keys, []) as channel_customer_keys,
        grouped.is_identified,
        grouped.first_seen_at,
        coalesce(orders.orders_count, 0) as orders_count,
        orders.first_ordered_at,
        orders.last_ordered_at
    from grouped
    left join phones on grouped.golden_customer_id = phones.golden_customer_id
    left join orders on grouped.golden_customer_id = orders.golden_customer_id
)

select * from final
