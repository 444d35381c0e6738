{{ config(enabled=has_layout('pos_sales')) }}

-- a corrected re-export of a day is a later file: its line wins
with latest as (
    {{ latest_file_rows('pos_sales', 'pos_sales_lines', ['store_code', 'ticket_id', 'line_number']) }}
),

final as (
    select
        connection,
        store_code,
        ticket_id,
        cast(line_number as integer) as line_number,
        sold_at,
        nullif(trim(sku), '') as sku,
        nullif(trim(ean13), '') as ean13,
        quantity,
        unit_price_incl_tax,
        coalesce(discount_incl_tax, 0) as discount_incl_tax,
        vat_rate_percent,
        {{ flatfile_line_amounts() }},
        coalesce(currency_code, 'EUR') as currency_code,
        -- a return ticket gives back units of an earlier ticket: negative quantity
        quantity < 0 as is_return,
        nullif(trim(original_ticket_id), '') as original_ticket_id,
        payment_method,
        nullif(trim(customer_email), '') as customer_email,
        nullif(trim(customer_phone), '') as customer_phone,
        _file_id as file_id,
        _line as file_line
    from latest
)

select * from final
