{{ config(materialized='view') }}

-- The costing engine's `landed_costs` input: each cost spread over the lines of its reception.
select
    landed_cost_key as landed_cost_id,
    invoice_date as date,
    connection || ':' || reception_ref as receipt_id,
    cost_type,
    amount,
    currency_code as currency,
    split_method
from {{ ref('fct_landed_costs') }}
