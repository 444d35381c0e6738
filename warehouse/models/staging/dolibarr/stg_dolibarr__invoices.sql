{{ config(enabled=has_system('dolibarr')) }}

with invoices as (
    {{ union_connections('dolibarr', 'invoices') }}
),

final as (
    select
        connection,
        cast(id as varchar) as invoice_id,
        ref as invoice_ref,
        nullif(trim(ref_client), '') as customer_ref,
        cast(socid as varchar) as thirdparty_id,
        type as invoice_type_code,
        case type when 0 then 'standard' when 1 then 'replacement' when 2 then 'credit_note' when 3 then 'deposit' end
            as invoice_type,
        coalesce(type = 2, false) as is_credit_note,
        -- a credit note points at the invoice it corrects
        cast(nullif(fk_facture_source, 0) as varchar) as source_invoice_id,
        status as status_code,
        case status when 0 then 'draft' when 1 then 'unpaid' when 2 then 'paid' when 3 then 'abandoned' end
            as status_name,
        coalesce(paye, 0) = 1 as is_paid,
        total_ht as total_excl_tax_eur,
        total_tva as total_tax_eur,
        total_ttc as total_incl_tax_eur,
        coalesce(nullif(multicurrency_code, ''), 'EUR') as currency_code,
        multicurrency_tx as currency_rate,
        coalesce(multicurrency_total_ht, total_ht) as total_excl_tax,
        coalesce(multicurrency_total_ttc, total_ttc) as total_incl_tax,
        date as invoiced_at,
        {{ connection_local_date('dolibarr', 'date') }} as invoice_date,
        date_lim_reglement as due_at,
        date_validation as validated_at,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from invoices
)

select * from final
