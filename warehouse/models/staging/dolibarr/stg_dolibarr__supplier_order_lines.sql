{{ config(enabled=has_system('dolibarr')) }}

with supplier_order_lines as (
    {{ union_connections('dolibarr', 'supplier_order_lines') }}
),

supplier_orders as (
    select connection, supplier_order_id, currency_code from {{ ref('stg_dolibarr__supplier_orders') }}
),

final as (
    select
        supplier_order_lines.connection,
        cast(supplier_order_lines.id as varchar) as supplier_order_line_id,
        cast(supplier_order_lines.fk_commande as varchar) as supplier_order_id,
        cast(nullif(supplier_order_lines.fk_product, 0) as varchar) as product_id,
        nullif(supplier_order_lines.product_ref, '') as sku,
        nullif(supplier_order_lines.ref_supplier, '') as supplier_sku,
        coalesce(nullif(supplier_order_lines.product_label, ''), supplier_order_lines.label) as product_name,
        supplier_order_lines.qty as quantity,
        supplier_orders.currency_code,
        coalesce(supplier_order_lines.multicurrency_subprice, supplier_order_lines.subprice)
            as unit_price_excl_tax,
        coalesce(supplier_order_lines.multicurrency_total_ht, supplier_order_lines.total_ht)
            as line_total_excl_tax,
        supplier_order_lines.subprice as unit_price_excl_tax_eur,
        supplier_order_lines.total_ht as line_total_excl_tax_eur,
        supplier_order_lines.remise_percent as discount_percent,
        supplier_order_lines.tva_tx as vat_rate_percent,
        supplier_order_lines.rang as line_position
    from supplier_order_lines
    left join supplier_orders
        on supplier_order_lines.connection = supplier_orders.connection
        and cast(supplier_order_lines.fk_commande as varchar) = supplier_orders.supplier_order_id
)

select * from final
