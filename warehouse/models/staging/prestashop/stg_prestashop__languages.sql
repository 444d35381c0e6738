{{ config(enabled=has_system('prestashop')) }}

with languages as (
    {{ union_connections('prestashop', 'languages') }}
),

default_language as (
    select connection, min(id) as language_id
    from languages
    where active and _deleted is not true
    group by connection
),

final as (
    select
        languages.connection,
        cast(languages.id as varchar) as language_id,
        languages.iso_code as language_code,
        languages.locale,
        languages.name as language_name,
        coalesce(languages.active, false) as is_active,
        languages.id = default_language.language_id as is_default,
        coalesce(languages._deleted, false) as is_deleted
    from languages
    left join default_language on languages.connection = default_language.connection
)

select * from final
