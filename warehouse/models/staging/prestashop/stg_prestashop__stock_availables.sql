{{ config(enabled=has_system('prestashop')) }}

with stock_availables as (
    {{ union_connections('prestashop', 'stock_availables') }}
),

final as (
    select
        connection,
        cast(id as varchar) as stock_available_id,
        cast(id_product as varchar) as product_id,
        cast(id_product_attribute as varchar) as combination_id,
        cast(id_shop as varchar) as shop_id,
        cast(id_shop_group as varchar) as shop_group_id,
        quantity,
        coalesce(depends_on_stock, false) as depends_on_stock,
        case out_of_stock when 0 then 'deny' when 1 then 'allow' else 'default' end as out_of_stock_policy,
        coalesce(_deleted, false) as is_deleted
    from stock_availables
)

select * from final
