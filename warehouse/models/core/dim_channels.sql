-- One row per sales channel key: each channel connection, and each ERP channel (`<erp>:<channel>`) whose
-- orders have no channel connection of their own (stores, marketplaces recorded only in the ERP).
{%- set settings = var('connection_settings', {}) %}

with configured as (
    {%- set rows = [] %}
    {%- for name, conn in settings.items() if (conn or {}).get('role') == 'channel' %}
        {%- do rows.append(name) %}
    {%- endfor %}
    {%- if rows %}
    select * from (values
        {%- for name in rows %}
        {%- set conn = settings[name] %}
        ('{{ name | replace("'", "''") }}', '{{ (conn.get("channel") or "web") | replace("'", "''") }}',
         '{{ name | replace("'", "''") }}', '{{ (conn.get("kind") or "") | replace("'", "''") }}',
         {{ conn.get("safety_buffer") or 0 }},
         {# option `create_erp_customers`: by default only web shops hand their customers to the ERP -#}
         {{ 'true' if conn.get('create_erp_customers', (conn.get('channel') or 'web') == 'web') else 'false' }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as configured_channels (channel_key, channel, connection, connection_kind, safety_buffer, creates_erp_customers)
    {%- else %}
    select
        null::varchar as channel_key, null::varchar as channel, null::varchar as connection,
        null::varchar as connection_kind, null::integer as safety_buffer, null::boolean as creates_erp_customers
    limit 0
    {%- endif %}
),

erp_recorded as (
    select distinct channel_key, channel, connection
    from {{ ref('fct_order_lines') }}
    where connection_role = 'erp'
),

final as (
    select
        channel_key,
        channel,
        connection,
        connection_kind,
        'channel' as source_role,
        cast(safety_buffer as integer) as safety_buffer,
        creates_erp_customers
    from configured
    union all
    select
        erp_recorded.channel_key,
        erp_recorded.channel,
        erp_recorded.connection,
        '{{ (settings.get(var("erp_connection", none) or "", {}) or {}).get("kind", "") }}' as connection_kind,
        'erp' as source_role,
        null::integer as safety_buffer,
        null::boolean as creates_erp_customers
    from erp_recorded
)

select
    *,
    case channel
        when 'web' then 'Web shop'
        when 'store' then 'Physical store'
        when 'marketplace' then 'Marketplace'
        else channel
    end || ' (' || channel_key || ')' as channel_label
from final
