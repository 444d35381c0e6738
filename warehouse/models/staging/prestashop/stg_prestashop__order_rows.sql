{{ config(enabled=has_system('prestashop')) }}

with order_rows as (
    {{ union_connections('prestashop', 'order_rows') }}
),

orders as (
    select connection, order_id, currency_code from {{ ref('stg_prestashop__orders') }}
),

final as (
    select
        order_rows.connection,
        cast(order_rows.id as varchar) as order_row_id,
        cast(order_rows.id_order as varchar) as order_id,
        cast(order_rows.product_id as varchar) as product_id,
        cast(order_rows.product_attribute_id as varchar) as combination_id,
        nullif(trim(order_rows.product_reference), '') as sku,
        nullif(trim(order_rows.product_ean13), '') as ean13,
        order_rows.product_name,
        order_rows.product_quantity as quantity,
        -- product_price is the list price before reductions; unit prices are what was charged
        order_rows.product_price as list_unit_price_excl_tax,
        order_rows.unit_price_tax_excl as unit_price_excl_tax,
        order_rows.unit_price_tax_incl as unit_price_incl_tax,
        order_rows.product_price - order_rows.unit_price_tax_excl as unit_discount_excl_tax,
        cast(
            case
                when order_rows.unit_price_tax_excl > 0
                    then round(100 * (order_rows.unit_price_tax_incl / order_rows.unit_price_tax_excl - 1), 2)
            end as decimal(9, 3)
        ) as tax_rate_percent,
        cast(order_rows.unit_price_tax_excl * order_rows.product_quantity as decimal(18, 6)) as line_total_excl_tax,
        cast(order_rows.unit_price_tax_incl * order_rows.product_quantity as decimal(18, 6)) as line_total_incl_tax,
        orders.currency_code
    from order_rows
    left join orders
        on order_rows.connection = orders.connection
        and cast(order_rows.id_order as varchar) = orders.order_id
)

select * from final
