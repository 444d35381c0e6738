{{ config(enabled=has_system('prestashop')) }}

with currencies as (
    {{ union_connections('prestashop', 'currencies') }}
),

default_currency as (
    -- the shop's default currency is the one every other rate is relative to (rate 1)
    select connection, min(id) as currency_id
    from currencies
    where conversion_rate = 1 and active and not coalesce(deleted, false) and _deleted is not true
    group by connection
),

languages as (
    select connection, language_id from {{ ref('stg_prestashop__languages') }} where is_default
),

final as (
    select
        currencies.connection,
        cast(currencies.id as varchar) as currency_id,
        upper(currencies.iso_code) as currency_code,
        currencies.name ->> languages.language_id as currency_name,
        currencies.conversion_rate as rate_per_default_currency,
        currencies.precision as decimals,
        currencies.id = default_currency.currency_id as is_default,
        coalesce(currencies.active, false) as is_active,
        coalesce(currencies.deleted, false) or coalesce(currencies._deleted, false) as is_deleted
    from currencies
    left join default_currency on currencies.connection = default_currency.connection
    left join languages on currencies.connection = languages.connection
)

select * from final
