{{ config(enabled=has_system('dolibarr')) }}

with stock_movements as (
    {{ union_connections('dolibarr', 'stock_movements') }}
),

final as (
    select
        connection,
        cast(id as varchar) as movement_id,
        cast(product_id as varchar) as product_id,
        cast(warehouse_id as varchar) as warehouse_id,
        qty as quantity,
        type as movement_type,
        -- Dolibarr types: 0 manual input, 1 manual output, 2 business output, 3 business input
        case type when 0 then 'manual_in' when 1 then 'manual_out' when 2 then 'business_out' when 3 then 'business_in' end
            as movement_type_name,
        case when qty >= 0 then 'in' else 'out' end as direction,
        -- unit cost in the company currency, set on inputs (it moves the weighted average cost)
        price as unit_price_eur,
        nullif(label, '') as label,
        nullif(inventorycode, '') as movement_code,
        nullif(batch, '') as batch,
        nullif(origintype, '') as origin_type,
        cast(nullif(fk_origin, 0) as varchar) as origin_id,
        -- the conventions of docs/contracts.md section 8
        coalesce(origintype = 'reception' and qty > 0, false) as is_reception,
        coalesce(origintype = 'reception' and qty < 0, false) as is_supplier_return,
        coalesce(origintype = 'commande' and qty < 0, false) as is_sale,
        coalesce(origintype = 'facture' and qty > 0, false) as is_customer_return,
        coalesce(inventorycode like 'INV-%', false) as is_inventory_adjustment,
        coalesce(inventorycode like 'TRF-%', false) as is_transfer,
        datem as moved_at,
        tms as recorded_at
    from stock_movements
)

select * from final
