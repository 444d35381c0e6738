{{ config(enabled=has_layout('erp_products')) }}

with files as (
    {{ union_layout('erp_products', 'loaded_files') }}
),

-- each export is a complete picture; a product it no longer lists was deleted in the ERP
latest_export as (
    select connection, max(file_id) as file_id
    from files
    where status = 'loaded'
    group by connection
),

latest as (
    {{ latest_file_rows('erp_products', 'erp_products', ['sku']) }}
),

final as (
    select
        latest.connection,
        latest.sku,
        nullif(trim(latest.ean13), '') as ean13,
        latest.product_name,
        case latest.product_nature when 'service' then 'service' else 'product' end as product_type,
        coalesce(latest.product_nature = 'variant', false) as is_variant,
        coalesce(latest.product_nature = 'parent', false) as is_variant_parent,
        latest.selling_price_excl_tax as selling_price_excl_tax_eur,
        latest.selling_price_incl_tax as selling_price_incl_tax_eur,
        latest.vat_rate_percent,
        latest.weighted_average_cost as weighted_average_cost_eur,
        latest.quantity_on_hand as stock_on_hand_all_warehouses,
        latest.quantity_reserved as stock_reserved,
        latest._file_id < coalesce(latest_export.file_id, latest._file_id) as is_deleted,
        latest._file_id as file_id,
        latest._line as file_line
    from latest
    left join latest_export on latest.connection = latest_export.connection
)

select * from final
