{{ config(enabled=has_system('dolibarr')) }}

with order_lines as (
    {{ union_connections('dolibarr', 'order_lines') }}
),

orders as (
    select connection, order_id, currency_code from {{ ref('stg_dolibarr__orders') }}
),

final as (
    select
        order_lines.connection,
        cast(order_lines.id as varchar) as order_line_id,
        cast(order_lines.fk_commande as varchar) as order_id,
        cast(nullif(order_lines.fk_product, 0) as varchar) as product_id,
        nullif(order_lines.product_ref, '') as sku,
        coalesce(nullif(order_lines.product_label, ''), order_lines.label) as product_name,
        case order_lines.product_type when 0 then 'product' when 1 then 'service' end as product_type,
        order_lines.qty as quantity,
        order_lines.subprice as unit_price_excl_tax_eur,
        order_lines.remise_percent as discount_percent,
        order_lines.tva_tx as vat_rate_percent,
        order_lines.total_ht as line_total_excl_tax_eur,
        order_lines.total_tva as line_tax_eur,
        order_lines.total_ttc as line_total_incl_tax_eur,
        -- buying price recorded on the line when it was sold
        order_lines.pa_ht as unit_cost_eur,
        orders.currency_code,
        coalesce(order_lines.multicurrency_subprice, order_lines.subprice) as unit_price_excl_tax,
        coalesce(order_lines.multicurrency_total_ht, order_lines.total_ht) as line_total_excl_tax,
        order_lines.rang as line_position,
        order_lines.array_options as extrafields
    from order_lines
    left join orders
        on order_lines.connection = orders.connection
        and cast(order_lines.fk_commande as varchar) = orders.order_id
)

select * from final
