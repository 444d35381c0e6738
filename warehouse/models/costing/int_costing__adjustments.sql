{{ config(materialized='view') }}

-- The costing engine's `adjustments` input: ERP inventory gains and losses (`INV-` movements).
select
    movement_key as adjustment_id,
    moved_at_local as datetime,
    sku as product_id,
    cast(quantity as bigint) as qty_delta
from {{ ref('fct_stock_movements') }}
where movement_kind in ('adjustment_gain', 'adjustment_loss')
    and quantity <> 0
