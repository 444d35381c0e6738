{{ config(enabled=has_layout('marketplace_orders')) }}

-- each report gives the status of its orders as of that report: the latest report wins
with latest as (
    {{ latest_file_rows('marketplace_orders', 'marketplace_order_lines', ['order_id', 'order_line_id']) }}
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
        {{ flatfile_line_amounts() }},
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
