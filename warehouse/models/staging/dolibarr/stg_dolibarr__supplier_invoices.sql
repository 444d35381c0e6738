{{ config(enabled=has_system('dolibarr')) }}

with supplier_invoices as (
    {{ union_connections('dolibarr', 'supplier_invoices') }}
),

final as (
    select
        connection,
        cast(id as varchar) as supplier_invoice_id,
        ref as supplier_invoice_ref,
        nullif(trim(ref_supplier), '') as supplier_ref,
        cast(socid as varchar) as supplier_id,
        type as invoice_type_code,
        coalesce(type = 2, false) as is_credit_note,
        cast(nullif(fk_facture_source, 0) as varchar) as source_invoice_id,
        status as status_code,
        coalesce(paye, 0) = 1 as is_paid,
        -- landed costs (docs/contracts.md section 8): the reception they load, how, and what kind
        json_extract_string(array_options, '$.options_landed_cost_reception') as landed_cost_reception_ref,
        json_extract_string(array_options, '$.options_landed_cost_split') as landed_cost_split_method,
        json_extract_string(array_options, '$.options_landed_cost_type') as landed_cost_type,
        json_extract_string(array_options, '$.options_landed_cost_reception') is not null as is_landed_cost,
        coalesce(nullif(multicurrency_code, ''), 'EUR') as currency_code,
        multicurrency_tx as currency_rate,
        coalesce(multicurrency_total_ht, total_ht) as total_excl_tax,
        coalesce(multicurrency_total_ttc, total_ttc) as total_incl_tax,
        total_ht as total_excl_tax_eur,
        total_tva as total_tax_eur,
        total_ttc as total_incl_tax_eur,
        date as invoiced_at,
        {{ connection_local_date('dolibarr', 'date') }} as invoice_date,
        date_echeance as due_at,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from supplier_invoices
)

select * from final
