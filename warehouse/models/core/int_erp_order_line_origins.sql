{{ config(materialized='view') }}

-- One row per ERP customer-order product line: the fct_order_lines line that stands for it (itself, or the
-- channel's line of the same order, SKU and rank when the ERP order is a copy of a channel order).
{{ require_system('dolibarr', 'ERP order lines') }}
{%- if has_system('dolibarr') %}
with erp_lines as (
    select
        order_line_key,
        order_key,
        sku,
        row_number() over (partition by order_key, sku order by line_position, order_line_key) as sku_rank
    from {{ ref('int_order_lines__dolibarr') }}
),

counted_lines as (
    select
        order_line_key,
        erp_order_key,
        sku,
        row_number() over (partition by erp_order_key, sku order by line_position, order_line_key) as sku_rank
    from {{ ref('fct_order_lines') }}
    where erp_order_key is not null
),

final as (
    select
        erp_lines.order_line_key as erp_order_line_key,
        erp_lines.order_key as erp_order_key,
        erp_lines.sku,
        counted_lines.order_line_key
    from erp_lines
    left join counted_lines
        on erp_lines.order_key = counted_lines.erp_order_key
        and erp_lines.sku is not distinct from counted_lines.sku
        and erp_lines.sku_rank = counted_lines.sku_rank
)

select * from final
{%- else %}
select null::varchar as erp_order_line_key limit 0
{%- endif %}
