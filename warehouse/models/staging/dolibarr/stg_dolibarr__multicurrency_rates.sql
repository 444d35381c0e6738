{{ config(enabled=has_system('dolibarr')) }}

-- Dolibarr rates are units of the currency per 1 unit of the company currency (EUR).
with multicurrency_rates as (
    {{ union_connections('dolibarr', 'multicurrency_rates') }}
),

final as (
    select
        connection,
        cast(id as varchar) as rate_id,
        cast(fk_multicurrency as varchar) as currency_id,
        upper(code) as currency_code,
        rate as units_per_eur,
        date_sync as rate_at,
        {{ connection_local_date('dolibarr', 'date_sync') }} as rate_date,
        coalesce(_deleted, false) as is_deleted
    from multicurrency_rates
)

select * from final
