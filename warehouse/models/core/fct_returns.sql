-- One row per return: customer returns (ERP credit-note lines, each naming the order line it returns) and
-- returns to suppliers (ERP stock movements out of a reception).
{{ require_system('dolibarr', 'returns') }}
{%- if has_system('dolibarr') %}
with credit_notes as (
    select * from {{ ref('stg_dolibarr__invoices') }}
    where is_credit_note and not is_deleted and status_code >= 1
),

credit_note_lines as (
    select * from {{ ref('stg_dolibarr__invoice_lines') }}
    where is_credit_note_line and product_type = 'product'
),

origins as (
    select * from {{ ref('int_erp_order_line_origins') }}
),

movements as (
    select * from {{ ref('fct_stock_movements') }}
),

receipt_lines as (
    select * from {{ ref('fct_receipt_lines') }}
),

customer_returns as (
    select
        credit_note_lines.connection || ':credit-note-line-' || credit_note_lines.invoice_line_id as return_key,
        'customer' as return_type,
        credit_note_lines.connection,
        coalesce(credit_notes.validated_at, credit_notes.created_at, credit_notes.invoiced_at) as returned_at,
        credit_note_lines.sku,
        cast(abs(credit_note_lines.quantity) as bigint) as quantity,
        origins.order_line_key as ref_order_line_key,
        credit_note_lines.connection || ':' || credit_note_lines.origin_order_line_id as erp_order_line_key,
        null::varchar as ref_receipt_line_key,
        credit_notes.invoice_ref as document_ref,
        cast(abs(credit_note_lines.line_total_excl_tax_eur) as decimal(18, 2)) as erp_refund_excl_tax_eur
    from credit_note_lines
    inner join credit_notes
        on credit_note_lines.connection = credit_notes.connection
        and credit_note_lines.invoice_id = credit_notes.invoice_id
    left join origins
        on credit_note_lines.connection || ':' || credit_note_lines.origin_order_line_id
            = origins.erp_order_line_key
),

supplier_returns as (
    select
        movements.connection || ':movement-' || movements.movement_id as return_key,
        'supplier' as return_type,
        movements.connection,
        movements.moved_at as returned_at,
        movements.sku,
        cast(abs(movements.quantity) as bigint) as quantity,
        null::varchar as ref_order_line_key,
        null::varchar as erp_order_line_key,
        -- one reception line per product per reception (docs/contracts.md §8)
        receipt_lines.receipt_line_key as ref_receipt_line_key,
        receipt_lines.reception_ref as document_ref,
        null::decimal(18, 2) as erp_refund_excl_tax_eur
    from movements
    left join receipt_lines
        on movements.connection = receipt_lines.connection
        and movements.origin_id = receipt_lines.reception_id
        and movements.erp_product_id = receipt_lines.erp_product_id
    where movements.movement_kind = 'supplier_return'
),

final as (
    select * from customer_returns
    union all
    select * from supplier_returns
)

select
    final.*,
    {{ merchant_local('final.returned_at') }} as returned_at_local
from final
{%- else %}
select null::varchar as return_key limit 0
{%- endif %}
