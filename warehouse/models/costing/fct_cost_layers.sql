-- One row per FIFO lot (reception line): EUR purchase value, landed costs restated onto it, lot value, unit cost.
with outputs as (
    select * from {{ ref('int_costing_outputs') }}
    where output = 'receipt_costs'
),

receipt_lines as (
    select * from {{ ref('fct_receipt_lines') }}
),

final as (
    select
        outputs.line_id as receipt_line_key,
        outputs.receipt_id,
        outputs.line_no,
        receipt_lines.reception_ref,
        outputs.product_id as sku,
        receipt_lines.received_at_local,
        outputs.qty as quantity,
        outputs.currency as currency_code,
        outputs.fx_units_per_eur,
        outputs.purchase_value_eur,
        outputs.landed_cost_eur,
        outputs.lot_value_eur,
        outputs.unit_cost_eur
    from outputs
    left join receipt_lines on outputs.line_id = receipt_lines.receipt_line_key
)

select * from final
