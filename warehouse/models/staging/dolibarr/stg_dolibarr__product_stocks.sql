{{ config(enabled=has_system('dolibarr')) }}

with product_stocks as (
    {{ union_connections('dolibarr', 'product_stocks') }}
),

final as (
    select
        connection,
        cast(product_id as varchar) as product_id,
        cast(warehouse_id as varchar) as warehouse_id,
        real as quantity_on_hand,
        coalesce(_deleted, false) as is_deleted
    from product_stocks
)

select * from final
