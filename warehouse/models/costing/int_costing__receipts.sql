{{ config(materialized='view') }}

-- The costing engine's `receipts` input: one row per reception line (a FIFO lot), local wall-clock times.
select
    connection || ':' || reception_ref as receipt_id,
    line_no,
    receipt_line_key as line_id,
    received_at_local as datetime,
    {{ merchant_local('booked_at') }} as booked_at,
    supplier_id,
    sku as product_id,
    quantity as qty,
    unit_price_excl_tax as unit_price,
    currency_code as currency
from {{ ref('fct_receipt_lines') }}
