{{ config(enabled=has_system('dolibarr')) }}

with supplier_orders as (
    {{ union_connections('dolibarr', 'supplier_orders') }}
),

final as (
    select
        connection,
        cast(id as varchar) as supplier_order_id,
        ref as supplier_order_ref,
        nullif(trim(ref_supplier), '') as supplier_ref,
        cast(socid as varchar) as supplier_id,
        status as status_code,
        case status
            when 0 then 'draft' when 1 then 'validated' when 2 then 'approved' when 3 then 'ordered'
            when 4 then 'partially_received' when 5 then 'received'
            when 6 then 'cancelled' when 7 then 'cancelled' when 9 then 'refused'
        end as status_name,
        coalesce(billed, 0) = 1 as is_billed,
        coalesce(nullif(multicurrency_code, ''), 'EUR') as currency_code,
        multicurrency_tx as currency_rate,
        coalesce(multicurrency_total_ht, total_ht) as total_excl_tax,
        coalesce(multicurrency_total_ttc, total_ttc) as total_incl_tax,
        total_ht as total_excl_tax_eur,
        total_ttc as total_incl_tax_eur,
        coalesce(date_commande, date) as ordered_at,
        {{ connection_local_date('dolibarr', 'coalesce(date_commande, date)') }} as order_date,
        delivery_date as planned_delivery_at,
        coalesce(date_validation, date_valid) as validated_at,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from supplier_orders
)

select * from final
