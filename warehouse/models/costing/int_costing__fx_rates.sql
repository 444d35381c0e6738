{{ config(materialized='view') }}

-- The costing engine's `fx_rates` input: units of the currency per 1 EUR by date (EUR needs no row).
select
    rate_date as date,
    currency_code as currency,
    units_per_eur
from {{ ref('fct_fx_rates') }}
where currency_code <> 'EUR'
