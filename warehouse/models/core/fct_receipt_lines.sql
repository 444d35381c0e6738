-- One row per reception line (one purchase lot): quantity, price in the supplier order's currency, FX rate.
{{ require_system('dolibarr', 'receipt lines') }}
{%- if has_system('dolibarr') %}
with reception_lines as (
    select * from {{ ref('stg_dolibarr__reception_lines') }}
),

receptions as (
    select * from {{ ref('stg_dolibarr__receptions') }}
    where not is_deleted and status_code >= 1
),

supplier_orders as (
    select connection, supplier_order_id, supplier_order_ref from {{ ref('stg_dolibarr__supplier_orders') }}
),

products as (
    select connection, product_id, sku from {{ ref('stg_dolibarr__products') }}
),

fx_rates as (
    select * from {{ ref('fct_fx_rates') }}
),

lines as (
    select
        reception_lines.connection || ':' || reception_lines.reception_line_id as receipt_line_key,
        reception_lines.connection,
        reception_lines.reception_line_id,
        receptions.reception_id,
        receptions.reception_ref,
        row_number() over (
            partition by reception_lines.connection, reception_lines.reception_id
            order by try_cast(reception_lines.reception_line_id as bigint), reception_lines.reception_line_id
        ) as line_no,
        receptions.supplier_id,
        supplier_orders.supplier_order_ref,
        products.sku,
        reception_lines.product_id as erp_product_id,
        reception_lines.warehouse_id,
        cast(reception_lines.quantity as bigint) as quantity,
        coalesce(reception_lines.currency_code, 'EUR') as currency_code,
        -- the spec's unit price is net of supplier discounts
        cast(
            reception_lines.unit_price_excl_tax * (1 - coalesce(reception_lines.discount_percent, 0) * 0.01)
            as decimal(18, 8)
        ) as unit_price_excl_tax,
        reception_lines.unit_cost_eur as erp_unit_cost_eur,
        receptions.received_at,
        {{ merchant_local('receptions.received_at') }} as received_at_local,
        coalesce(receptions.validated_at, receptions.created_at) as booked_at
    from reception_lines
    inner join receptions
        on reception_lines.connection = receptions.connection
        and reception_lines.reception_id = receptions.reception_id
    left join supplier_orders
        on reception_lines.connection = supplier_orders.connection
        and reception_lines.supplier_order_id = supplier_orders.supplier_order_id
    left join products
        on reception_lines.connection = products.connection
        and reception_lines.product_id = products.product_id
),

final as (
    select
        lines.*,
        fx_rates.units_per_eur as fx_units_per_eur,
        cast(round(lines.quantity * lines.unit_price_excl_tax / fx_rates.units_per_eur, 2) as decimal(18, 2))
            as purchase_value_eur
    from lines
    asof left join fx_rates
        on lines.currency_code = fx_rates.currency_code
        and cast(lines.received_at_local as date) >= fx_rates.rate_date
)

select * from final
{%- else %}
select null::varchar as receipt_line_key limit 0
{%- endif %}
