{{ config(enabled=has_system('dolibarr')) }}

with receptions as (
    {{ union_connections('dolibarr', 'receptions') }}
),

final as (
    select
        connection,
        cast(id as varchar) as reception_id,
        ref as reception_ref,
        nullif(trim(ref_supplier), '') as supplier_ref,
        cast(socid as varchar) as supplier_id,
        cast(nullif(origin_id, 0) as varchar) as supplier_order_id,
        status as status_code,
        case status when -1 then 'cancelled' when 0 then 'draft' when 1 then 'validated' when 2 then 'closed' end
            as status_name,
        coalesce(date_reception, date_valid, date_creation) as received_at,
        {{ connection_local_date('dolibarr', 'coalesce(date_reception, date_valid, date_creation)') }}
            as reception_date,
        date_valid as validated_at,
        date_delivery as planned_delivery_at,
        nullif(tracking_number, '') as tracking_number,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from receptions
)

select * from final
