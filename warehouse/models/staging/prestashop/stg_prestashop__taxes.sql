{{ config(enabled=has_system('prestashop')) }}

with taxes as (
    {{ union_connections('prestashop', 'taxes') }}
),

languages as (
    select connection, language_id from {{ ref('stg_prestashop__languages') }} where is_default
),

final as (
    select
        taxes.connection,
        cast(taxes.id as varchar) as tax_id,
        taxes.name ->> languages.language_id as tax_name,
        taxes.rate as rate_percent,
        coalesce(taxes.active, false) as is_active,
        coalesce(taxes.deleted, false) or coalesce(taxes._deleted, false) as is_deleted
    from taxes
    left join languages on taxes.connection = languages.connection
)

select * from final
