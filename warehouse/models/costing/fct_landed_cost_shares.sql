-- One row per landed cost and reception line it loads: the share in EUR (spec §3.2).
select
    landed_cost_id as landed_cost_key,
    receipt_id,
    line_id as receipt_line_key,
    share_eur
from {{ ref('int_costing_outputs') }}
where output = 'landed_cost_shares'
