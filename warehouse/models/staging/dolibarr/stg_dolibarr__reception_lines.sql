{{ config(enabled=has_system('dolibarr')) }}

-- One line per product per reception: a purchase lot, priced in its supplier order's currency.
with reception_lines as (
    {{ union_connections('dolibarr', 'reception_lines') }}
),

receptions as (
    select connection, reception_id, supplier_order_id, received_at, reception_date
    from {{ ref('stg_dolibarr__receptions') }}
),

supplier_orders as (
    select connection, supplier_order_id, currency_code from {{ ref('stg_dolibarr__supplier_orders') }}
),

supplier_order_lines as (
    select connection, supplier_order_line_id, unit_price_excl_tax
    from {{ ref('stg_dolibarr__supplier_order_lines') }}
),

final as (
    select
        reception_lines.connection,
        cast(reception_lines.id as varchar) as reception_line_id,
        cast(reception_lines.fk_reception as varchar) as reception_id,
        coalesce(cast(nullif(reception_lines.fk_commande, 0) as varchar), receptions.supplier_order_id)
            as supplier_order_id,
        cast(nullif(reception_lines.fk_commandefourndet, 0) as varchar) as supplier_order_line_id,
        cast(reception_lines.fk_product as varchar) as product_id,
        cast(nullif(reception_lines.fk_entrepot, 0) as varchar) as warehouse_id,
        reception_lines.qty as quantity,
        nullif(reception_lines.batch, '') as batch,
        coalesce(supplier_orders.currency_code, 'EUR') as currency_code,
        coalesce(
            reception_lines.multicurrency_subprice,
            supplier_order_lines.unit_price_excl_tax,
            reception_lines.subprice
        ) as unit_price_excl_tax,
        reception_lines.subprice as unit_price_excl_tax_eur,
        reception_lines.remise_percent as discount_percent,
        reception_lines.cost_price as unit_cost_eur,
        receptions.received_at,
        receptions.reception_date,
        reception_lines.array_options as extrafields
    from reception_lines
    left join receptions
        on reception_lines.connection = receptions.connection
        and cast(reception_lines.fk_reception as varchar) = receptions.reception_id
    left join supplier_orders
        on reception_lines.connection = supplier_orders.connection
        and coalesce(cast(nullif(reception_lines.fk_commande, 0) as varchar), receptions.supplier_order_id)
            = supplier_orders.supplier_order_id
    left join supplier_order_lines
        on reception_lines.connection = supplier_order_lines.connection
        and cast(reception_lines.fk_commandefourndet as varchar) = supplier_order_lines.supplier_order_line_id
)

select * from final
