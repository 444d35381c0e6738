-- One row per landed cost (a supplier invoice for freight, customs or insurance loading one reception).
{{ require_system('dolibarr', 'landed costs') }}
{%- if has_system('dolibarr') %}
with invoices as (
    select * from {{ ref('stg_dolibarr__supplier_invoices') }}
    where is_landed_cost
        and not is_deleted
        and status_code in (1, 2)
),

receptions as (
    select connection, reception_id, reception_ref from {{ ref('stg_dolibarr__receptions') }}
),

final as (
    select
        invoices.connection || ':' || invoices.supplier_invoice_id as landed_cost_key,
        invoices.connection,
        invoices.supplier_invoice_id,
        invoices.supplier_invoice_ref,
        invoices.supplier_id,
        invoices.landed_cost_reception_ref as reception_ref,
        receptions.reception_id,
        invoices.landed_cost_type as cost_type,
        invoices.landed_cost_split_method as split_method,
        -- a supplier credit note refunds a landed cost: a negative amount (spec §2.1)
        cast(
            case when invoices.is_credit_note then -abs(invoices.total_excl_tax) else invoices.total_excl_tax end
            as decimal(18, 8)
        ) as amount,
        coalesce(invoices.currency_code, 'EUR') as currency_code,
        invoices.invoice_date,
        invoices.created_at as booked_at
    from invoices
    left join receptions
        on invoices.connection = receptions.connection
        and invoices.landed_cost_reception_ref = receptions.reception_ref
)

select * from final
{%- else %}
select null::varchar as landed_cost_key limit 0
{%- endif %}
