{{ config(enabled=has_system('prestashop')) }}

{#- Click-and-collect carriers: the ids listed in the connection's `click_collect_carriers` option,
    otherwise carriers whose name says so (click & collect, retrait, pick up, store/magasin pickup). -#}
{%- set settings = var('connection_settings', {}) -%}

with carriers as (
    {{ union_connections('prestashop', 'carriers') }}
),

languages as (
    select connection, language_id from {{ ref('stg_prestashop__languages') }} where is_default
),

final as (
    select
        carriers.connection,
        cast(carriers.id as varchar) as carrier_id,
        cast(carriers.id_reference as varchar) as carrier_reference_id,
        carriers.name as carrier_name,
        carriers.delay ->> languages.language_id as delivery_delay,
        {%- set listed_by_connection = {} %}
        {%- for conn in system_connections('prestashop') %}
        {%- set listed = (settings.get(conn) or {}).get('click_collect_carriers') or [] %}
        {%- if listed %}{% do listed_by_connection.update({conn: listed}) %}{% endif %}
        {%- endfor %}
        {%- if listed_by_connection %}
        case
            {%- for conn, listed in listed_by_connection.items() %}
            when carriers.connection = '{{ conn }}'
                then carriers.id_reference in ({{ listed | map('int') | join(', ') }})
                or carriers.id in ({{ listed | map('int') | join(', ') }})
            {%- endfor %}
            else regexp_matches(lower(carriers.name), 'click.{0,5}collect|retrait|pick.?up|collect in store')
        end as is_click_and_collect,
        {%- else %}
        regexp_matches(lower(carriers.name), 'click.{0,5}collect|retrait|pick.?up|collect in store')
            as is_click_and_collect,
        {%- endif %}
        coalesce(carriers.is_free, false) as is_free,
        coalesce(carriers.is_module, false) as is_module,
        nullif(carriers.external_module_name, '') as external_module_name,
        cast(nullif(carriers.id_tax_rules_group, 0) as varchar) as tax_rules_group_id,
        nullif(carriers.url, '') as tracking_url,
        carriers.position,
        coalesce(carriers.active, false) as is_active,
        coalesce(carriers.deleted, false) or coalesce(carriers._deleted, false) as is_deleted
    from carriers
    left join languages on carriers.connection = languages.connection
)

select * from final
