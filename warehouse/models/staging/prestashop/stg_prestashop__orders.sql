{{ config(enabled=has_system('prestashop')) }}

with orders as (
    {{ union_connections('prestashop', 'orders') }}
),

currencies as (
    select connection, currency_id, currency_code from {{ ref('stg_prestashop__currencies') }}
),

carriers as (
    select connection, carrier_id, carrier_name, is_click_and_collect from {{ ref('stg_prestashop__carriers') }}
),

states as (
    select * from {{ ref('stg_prestashop__order_states') }}
),

final as (
    select
        orders.connection,
        cast(orders.id as varchar) as order_id,
        orders.reference as order_reference,
        cast(orders.id_customer as varchar) as customer_id,
        cast(orders.id_cart as varchar) as cart_id,
        cast(orders.id_address_delivery as varchar) as delivery_address_id,
        cast(orders.id_address_invoice as varchar) as invoice_address_id,
        cast(orders.id_shop as varchar) as shop_id,
        cast(orders.id_lang as varchar) as language_id,
        cast(orders.id_currency as varchar) as currency_id,
        currencies.currency_code,
        orders.conversion_rate,
        cast(orders.id_carrier as varchar) as carrier_id,
        carriers.carrier_name,
        coalesce(carriers.is_click_and_collect, false) as is_click_and_collect,
        cast(orders.current_state as varchar) as current_state_id,
        states.state_name as current_state_name,
        coalesce(states.is_paid, false) as is_paid,
        coalesce(states.is_shipped, false) as is_shipped,
        coalesce(states.is_validated_sale, false) as is_validated_sale,
        coalesce(states.is_cancelled, false) as is_cancelled,
        coalesce(orders.valid, false) as is_valid,
        orders.payment as payment_method,
        orders.module as payment_module,
        orders.total_products as total_products_excl_tax,
        orders.total_products_wt as total_products_incl_tax,
        orders.total_discounts_tax_excl as total_discounts_excl_tax,
        orders.total_discounts_tax_incl as total_discounts_incl_tax,
        orders.total_shipping_tax_excl as total_shipping_excl_tax,
        orders.total_shipping_tax_incl as total_shipping_incl_tax,
        orders.total_wrapping_tax_excl as total_wrapping_excl_tax,
        orders.total_wrapping_tax_incl as total_wrapping_incl_tax,
        orders.total_paid_tax_excl as total_paid_excl_tax,
        orders.total_paid_tax_incl as total_paid_incl_tax,
        orders.total_paid_real as total_paid_received,
        orders.carrier_tax_rate as carrier_tax_rate_percent,
        coalesce(orders.gift, false) as is_gift,
        nullif(orders.invoice_number, 0) as invoice_number,
        orders.invoice_date as invoiced_at,
        orders.delivery_date as delivered_at,
        coalesce(orders._deleted, false) as is_deleted,
        orders.date_add as ordered_at,
        orders.date_upd as updated_at
    from orders
    left join currencies
        on orders.connection = currencies.connection
        and cast(orders.id_currency as varchar) = currencies.currency_id
    left join carriers
        on orders.connection = carriers.connection
        and cast(orders.id_carrier as varchar) = carriers.carrier_id
    left join states
        on orders.connection = states.connection
        and cast(orders.current_state as varchar) = states.order_state_id
)

select * from final
