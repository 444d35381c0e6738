{{ config(enabled=has_system('prestashop')) }}

with order_carriers as (
    {{ union_connections('prestashop', 'order_carriers') }}
),

final as (
    select
        connection,
        cast(id as varchar) as order_carrier_id,
        cast(id_order as varchar) as order_id,
        cast(id_carrier as varchar) as carrier_id,
        cast(nullif(id_order_invoice, 0) as varchar) as order_invoice_id,
        weight as weight_kg,
        shipping_cost_tax_excl as shipping_cost_excl_tax,
        shipping_cost_tax_incl as shipping_cost_incl_tax,
        nullif(trim(tracking_number), '') as tracking_number,
        date_add as created_at
    from order_carriers
)

select * from final
