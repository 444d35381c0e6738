{{ config(enabled=has_system('dolibarr')) }}

with warehouses as (
    {{ union_connections('dolibarr', 'warehouses') }}
),

final as (
    select
        connection,
        cast(id as varchar) as warehouse_id,
        coalesce(nullif(ref, ''), label) as warehouse_ref,
        label as warehouse_name,
        nullif(description, '') as description,
        nullif(lieu, '') as location,
        cast(nullif(fk_parent, 0) as varchar) as parent_warehouse_id,
        nullif(address, '') as address,
        nullif(zip, '') as postal_code,
        nullif(town, '') as city,
        cast(nullif(country_id, 0) as varchar) as country_id,
        coalesce(status, 0) = 1 as is_open,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from warehouses
)

select * from final
