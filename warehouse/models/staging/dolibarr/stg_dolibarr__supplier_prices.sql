{{ config(enabled=has_system('dolibarr')) }}

with supplier_prices as (
    {{ union_connections('dolibarr', 'supplier_prices') }}
),

final as (
    select
        connection,
        cast(product_fourn_price_id as varchar) as supplier_price_id,
        cast(fk_product as varchar) as product_id,
        cast(fourn_id as varchar) as supplier_id,
        nullif(trim(ref_supplier), '') as supplier_sku,
        fourn_qty as minimum_quantity,
        fourn_price as price_for_minimum_quantity_eur,
        fourn_unitprice as unit_price_excl_tax_eur,
        coalesce(nullif(fourn_multicurrency_code, ''), 'EUR') as currency_code,
        coalesce(fourn_multicurrency_unitprice, fourn_unitprice) as unit_price_excl_tax,
        fourn_remise_percent as discount_percent,
        fourn_tva_tx as vat_rate_percent,
        delivery_time_days,
        coalesce(_deleted, false) as is_deleted
    from supplier_prices
)

select * from final
