{{ config(enabled=has_system('dolibarr')) }}

with invoice_lines as (
    {{ union_connections('dolibarr', 'invoice_lines') }}
),

invoices as (
    select connection, invoice_id, currency_code, is_credit_note from {{ ref('stg_dolibarr__invoices') }}
),

final as (
    select
        invoice_lines.connection,
        cast(invoice_lines.id as varchar) as invoice_line_id,
        cast(invoice_lines.fk_facture as varchar) as invoice_id,
        coalesce(invoices.is_credit_note, false) as is_credit_note_line,
        -- a credit-note line names the customer-order line it returns (docs/contracts.md section 8)
        json_extract_string(invoice_lines.array_options, '$.options_origin_line_id') as origin_order_line_id,
        cast(nullif(invoice_lines.fk_product, 0) as varchar) as product_id,
        nullif(invoice_lines.product_ref, '') as sku,
        coalesce(nullif(invoice_lines.product_label, ''), invoice_lines.label) as product_name,
        case invoice_lines.product_type when 0 then 'product' when 1 then 'service' end as product_type,
        invoice_lines.qty as quantity,
        invoice_lines.subprice as unit_price_excl_tax_eur,
        invoice_lines.remise_percent as discount_percent,
        invoice_lines.tva_tx as vat_rate_percent,
        invoice_lines.total_ht as line_total_excl_tax_eur,
        invoice_lines.total_tva as line_tax_eur,
        invoice_lines.total_ttc as line_total_incl_tax_eur,
        invoice_lines.pa_ht as unit_cost_eur,
        invoices.currency_code,
        coalesce(invoice_lines.multicurrency_subprice, invoice_lines.subprice) as unit_price_excl_tax,
        coalesce(invoice_lines.multicurrency_total_ht, invoice_lines.total_ht) as line_total_excl_tax,
        invoice_lines.rang as line_position,
        invoice_lines.array_options as extrafields
    from invoice_lines
    left join invoices
        on invoice_lines.connection = invoices.connection
        and cast(invoice_lines.fk_facture as varchar) = invoices.invoice_id
)

select * from final
