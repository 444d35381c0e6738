{{ config(enabled=has_system('dolibarr')) }}

with multicurrencies as (
    {{ union_connections('dolibarr', 'multicurrencies') }}
),

final as (
    select
        connection,
        cast(id as varchar) as currency_id,
        upper(code) as currency_code,
        name as currency_name,
        coalesce(_deleted, false) as is_deleted
    from multicurrencies
)

select * from final
