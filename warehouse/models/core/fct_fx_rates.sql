-- One row per currency and rate date: units of the currency per 1 EUR (EUR itself is always 1).
{{ require_system('dolibarr', 'FX rates') }}
{%- if has_system('dolibarr') %}
with rates as (
    select * from {{ ref('stg_dolibarr__multicurrency_rates') }}
    where not is_deleted and currency_code <> 'EUR'
),

-- one rate per currency and day: the last one recorded that day
final as (
    select
        currency_code,
        rate_date,
        arg_max(units_per_eur, rate_at) as units_per_eur
    from rates
    group by currency_code, rate_date
    union all
    select 'EUR', date '1970-01-01', 1.000000
)

select currency_code, rate_date, cast(units_per_eur as decimal(18, 6)) as units_per_eur from final
{%- else %}
select null::varchar as currency_code limit 0
{%- endif %}
