{{ config(enabled=has_layout('marketplace_orders')) }}

with lines as (
    {{ union_layout('marketplace_orders', 'marketplace_order_lines') }}
),

-- each report gives the status of its orders as of that report: the latest report wins
latest as (
    select *
    from lines
    qualify row_number() over (
        partition by connection, order_id, order_line_id
        order by _file_id desc, _line desc
    ) = 1
),

final as (
    select
        connection,
        order_id,
        order_line_id,
        ordered_at,
        lower(trim(order_status)) as order_status,
        coalesce(lower(trim(order_status)) in ('cancelled', 'canceled', 'refused', 'rejected'), false)
            as is_cancelled,
        nullif(trim(sku), '') as sku,
        nullif(trim(ean13), '') as ean13,
        quantity,
        unit_price_incl_tax,
        coalesce(discount_incl_tax, 0) as discount_incl_tax,
        vat_rate_percent,
        cast(quantity * unit_price_incl_tax - coalesce(discount_incl_tax, 0) as decimal(18, 6))
            as line_total_incl_tax,
        cast(
            round((quantity * unit_price_incl_tax - coalesce(discount_incl_tax, 0)) / (1 + vat_rate_percent / 100), 6)
            as decimal(18, 6)
        ) as line_total_excl_tax,
        coalesce(shipping_incl_tax, 0) as shipping_incl_tax,
        coalesce(currency_code, 'EUR') as currency_code,
        nullif(trim(buyer_email), '') as buyer_email,
        nullif(trim(ship_postal_code), '') as ship_postal_code,
        nullif(trim(ship_city), '') as ship_city,
        shipped_at,
        coalesce(quantity_returned, 0) as quantity_returned,
        returned_at,
        _file_id as file_id,
        _line as file_line
    from latest
)

select * from final
