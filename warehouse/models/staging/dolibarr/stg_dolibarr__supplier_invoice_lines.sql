{{ config(enabled=has_system('dolibarr')) }}

with supplier_invoice_lines as (
    {{ union_connections('dolibarr', 'supplier_invoice_lines') }}
),

supplier_invoices as (
    select connection, supplier_invoice_id, currency_code from {{ ref('stg_dolibarr__supplier_invoices') }}
),

final as (
    select
        supplier_invoice_lines.connection,
        cast(supplier_invoice_lines.id as varchar) as supplier_invoice_line_id,
        cast(supplier_invoice_lines.fk_facture_fourn as varchar) as supplier_invoice_id,
        cast(nullif(supplier_invoice_lines.fk_product, 0) as varchar) as product_id,
        nullif(supplier_invoice_lines.product_ref, '') as sku,
        nullif(supplier_invoice_lines.ref_supplier, '') as supplier_sku,
        coalesce(nullif(supplier_invoice_lines.product_label, ''), supplier_invoice_lines.label) as line_label,
        case supplier_invoice_lines.product_type when 0 then 'product' when 1 then 'service' end as product_type,
        supplier_invoice_lines.qty as quantity,
        supplier_invoices.currency_code,
        coalesce(supplier_invoice_lines.multicurrency_subprice, supplier_invoice_lines.subprice)
            as unit_price_excl_tax,
        coalesce(supplier_invoice_lines.multicurrency_total_ht, supplier_invoice_lines.total_ht)
            as line_total_excl_tax,
        supplier_invoice_lines.subprice as unit_price_excl_tax_eur,
        supplier_invoice_lines.total_ht as line_total_excl_tax_eur,
        supplier_invoice_lines.tva_tx as vat_rate_percent,
        supplier_invoice_lines.rang as line_position
    from supplier_invoice_lines
    left join supplier_invoices
        on supplier_invoice_lines.connection = supplier_invoices.connection
        and cast(supplier_invoice_lines.fk_facture_fourn as varchar) = supplier_invoices.supplier_invoice_id
)

select * from final
