-- One row per source customer record (ERP third party, channel account): the golden customer it belongs to.
-- Records sharing a normalised e-mail or E.164 phone are one customer, transitively (costing spec §7.1).
{%- set parts = [] -%}
{%- if has_system('dolibarr') %}{% do parts.append(ref('int_customer_records__dolibarr')) %}{% endif %}
{%- if has_system('prestashop') %}{% do parts.append(ref('int_customer_records__prestashop')) %}{% endif %}
{%- if has_layout('pos_sales', 'channel') or has_layout('marketplace_orders', 'channel') %}{% do parts.append(ref('int_customer_records__flatfiles')) %}{% endif %}

with recursive records as (
    {{ union_system_models(parts, 'customer records') }}
),

phones as (
    select
        customer_record_key,
        trim(phone_raw) as phone_trimmed,
        regexp_replace(phone_raw, '[^0-9]', '', 'g') as phone_digits
    from records, unnest(phones_raw) as unnested(phone_raw)
),

identities as (
    select customer_record_key, 'email:' || {{ normalize_email('email_raw') }} as identity
    from records
    where {{ normalize_email('email_raw') }} is not null
    union
    select customer_record_key, 'phone:' || {{ normalize_phone('phone_trimmed', 'phone_digits') }} as identity
    from phones
    where phone_digits <> ''
),

-- the record-identity graph, both directions; an identity node starts with a label above every record key
edges as (
    select customer_record_key as source_node, identity as target_node from identities
    union all
    select identity as source_node, customer_record_key as target_node from identities
),

nodes as (
    select customer_record_key as node, customer_record_key as label from records
    union all
    select distinct identity as node, chr(1114111) || identity as label from identities
),

-- connected components: each node takes the smallest label it can reach, one hop per iteration
components(node, label) using key (node) as (
    select node, label from nodes
    union
    select edges.target_node as node, min(components.label) as label
    from components
    inner join edges on components.node = edges.source_node
    inner join recurring.components as previous on previous.node = edges.target_node
    group by edges.target_node, previous.label
    having min(components.label) < previous.label
),

record_identities as (
    select
        customer_record_key,
        min(substr(identity, 7)) filter (where identity like 'email:%') as normalized_email,
        list(substr(identity, 7) order by identity) filter (where identity like 'phone:%') as normalized_phones
    from identities
    group by customer_record_key
),

final as (
    select
        records.customer_record_key,
        records.connection,
        records.connection_role,
        records.source_customer_id,
        components.label as golden_customer_id,
        records.full_name,
        records.email_raw,
        records.phones_raw,
        record_identities.normalized_email,
        coalesce(record_identities.normalized_phones, []) as normalized_phones,
        record_identities.customer_record_key is not null as is_identified,
        records.created_at
    from records
    inner join components on records.customer_record_key = components.node
    left join record_identities on records.customer_record_key = record_identities.customer_record_key
)

select * from final
