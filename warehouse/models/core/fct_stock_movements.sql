-- One row per ERP stock movement, classified by what it does to the stock's value (docs/contracts.md §8).
{{ require_system('dolibarr', 'stock movements') }}
{%- if has_system('dolibarr') %}
with movements as (
    select * from {{ ref('stg_dolibarr__stock_movements') }}
),

products as (
    select connection, product_id, sku from {{ ref('stg_dolibarr__products') }}
),

final as (
    select
        movements.connection || ':' || movements.movement_id as movement_key,
        movements.connection,
        movements.movement_id,
        products.sku,
        movements.product_id as erp_product_id,
        movements.warehouse_id,
        movements.quantity,
        case
            when movements.is_transfer and movements.quantity > 0 then 'transfer_in'
            when movements.is_transfer then 'transfer_out'
            when movements.is_reception then 'receipt'
            when movements.is_supplier_return then 'supplier_return'
            when movements.is_sale then 'sale'
            when movements.is_customer_return then 'customer_return'
            when movements.is_inventory_adjustment and movements.quantity > 0 then 'adjustment_gain'
            when movements.is_inventory_adjustment then 'adjustment_loss'
            else 'other'
        end as movement_kind,
        -- transfers move units between warehouses of the one valued stock: no value moves (spec §1.5)
        not movements.is_transfer as is_valued,
        movements.unit_price_eur,
        movements.movement_code,
        movements.origin_type,
        movements.origin_id,
        movements.label,
        movements.moved_at,
        {{ merchant_local('movements.moved_at') }} as moved_at_local,
        movements.recorded_at
    from movements
    left join products
        on movements.connection = products.connection
        and movements.product_id = products.product_id
)

select * from final
{%- else %}
select null::varchar as movement_key limit 0
{%- endif %}
