{{ config(enabled=has_system('prestashop')) }}

with specific_prices as (
    {{ union_connections('prestashop', 'specific_prices') }}
),

final as (
    select
        connection,
        cast(id as varchar) as specific_price_id,
        cast(id_product as varchar) as product_id,
        cast(id_product_attribute as varchar) as combination_id,
        cast(id_shop as varchar) as shop_id,
        cast(id_currency as varchar) as currency_id,
        cast(id_country as varchar) as country_id,
        cast(id_group as varchar) as customer_group_id,
        cast(id_customer as varchar) as customer_id,
        cast(nullif(id_specific_price_rule, 0) as varchar) as specific_price_rule_id,
        -- price -1 keeps the product's own price and applies the reduction only
        case when price < 0 then null else price end as fixed_price_excl_tax,
        from_quantity,
        reduction_type,
        case when reduction_type = 'percentage' then reduction end as reduction_rate,
        case when reduction_type = 'amount' then reduction end as reduction_amount,
        coalesce(reduction_tax, false) as is_reduction_tax_included,
        "from" as starts_at,
        "to" as ends_at,
        coalesce(_deleted, false) as is_deleted
    from specific_prices
)

select * from final
