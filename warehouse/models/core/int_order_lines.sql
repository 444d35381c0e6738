{{ config(materialized='view') }}

-- Every order line of every system, ERP copies of channel orders included, with its amounts excluding tax.
-- Each system adds one branch; fct_order_lines then keeps each order once.
{%- set parts = [] -%}
{%- if has_system('prestashop') %}{% do parts.append(ref('int_order_lines__prestashop')) %}{% endif %}
{%- if has_system('dolibarr') %}{% do parts.append(ref('int_order_lines__dolibarr')) %}{% endif %}
{%- if has_layout('pos_sales', 'channel') or has_layout('marketplace_orders', 'channel') %}{% do parts.append(ref('int_order_lines__flatfiles')) %}{% endif %}

with lines as (
    {{ union_system_models(parts, 'order lines') }}
),

final as (
    select
        * exclude (tax_rate),
        cast(tax_rate as decimal(10, 7)) as tax_rate,
        unit_list_price_excl_tax - unit_discount_excl_tax as unit_price_excl_tax,
        cast(round(quantity * unit_list_price_excl_tax, 2) as decimal(18, 2)) as gross_excl_tax,
        cast(round(quantity * unit_discount_excl_tax, 2) as decimal(18, 2)) as discount_excl_tax,
        cast(round(quantity * unit_list_price_excl_tax, 2) as decimal(18, 2))
            - cast(round(quantity * unit_discount_excl_tax, 2) as decimal(18, 2)) as net_excl_tax
    from lines
)

select * from final
