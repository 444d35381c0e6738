{{ config(enabled=has_system('dolibarr')) }}

with product_variants as (
    {{ union_connections('dolibarr', 'product_variants') }}
),

final as (
    select
        connection,
        cast(id as varchar) as variant_id,
        cast(fk_product_child as varchar) as product_id,
        cast(fk_product_parent as varchar) as parent_product_id,
        -- the impact is an amount, or a percentage of the parent's price when flagged
        variation_price as price_impact_excl_tax,
        coalesce(variation_price_percentage, 0) = 1 as is_price_impact_percent,
        variation_weight as weight_impact,
        nullif(variation_ref_ext, '') as external_ref,
        attributes,
        coalesce(_deleted, false) as is_deleted
    from product_variants
)

select * from final
