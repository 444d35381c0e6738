{{ config(enabled=has_system('prestashop')) }}

with shops as (
    {{ union_connections('prestashop', 'shops') }}
),

final as (
    select
        connection,
        cast(id as varchar) as shop_id,
        cast(id_shop_group as varchar) as shop_group_id,
        cast(id_category as varchar) as root_category_id,
        name as shop_name,
        coalesce(active, false) as is_active,
        coalesce(deleted, false) or coalesce(_deleted, false) as is_deleted
    from shops
)

select * from final
