-- One row per customer return, supplier return and inventory adjustment: the value entering or leaving
-- stock under each method (positive; the direction is in `movement_type`), and the refund of a customer return.
select
    movement_id as movement_key,
    type as movement_type,
    datetime as moved_at_local,
    month,
    ref_line_id,
    channel,
    product_id as sku,
    qty as quantity,
    refund_ht as refund_excl_tax,
    fifo_value,
    wac_value,
    wacp_value
from {{ ref('int_costing_outputs') }}
where output = 'movement_costs'
