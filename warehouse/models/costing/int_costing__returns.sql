{{ config(materialized='view') }}

-- The costing engine's `returns` input: customer returns of costed sale lines and returns to suppliers.
with returns as (
    select * from {{ ref('fct_returns') }}
),

sales as (
    select line_id from {{ ref('int_costing__sales') }}
),

receipts as (
    select line_id from {{ ref('int_costing__receipts') }}
),

final as (
    select
        returns.return_key as return_id,
        returns.returned_at_local as datetime,
        returns.return_type,
        coalesce(returns.ref_order_line_key, returns.ref_receipt_line_key) as ref_line_id,
        returns.sku as product_id,
        returns.quantity as qty
    from returns
    left join sales on returns.ref_order_line_key = sales.line_id
    left join receipts on returns.ref_receipt_line_key = receipts.line_id
    where returns.quantity > 0
        and (sales.line_id is not null or receipts.line_id is not null)
)

select * from final
