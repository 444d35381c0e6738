{{ config(enabled=has_system('prestashop')) }}

-- What a customer can put in the cart: each combination, and each product that has none.
with products as (
    select * from {{ ref('stg_prestashop__products') }}
),

combinations as (
    select * from {{ ref('stg_prestashop__combinations') }}
),

stock as (
    select connection, product_id, combination_id, sum(quantity) as quantity
    from {{ ref('stg_prestashop__stock_availables') }}
    where not is_deleted
    group by connection, product_id, combination_id
),

with_combinations as (
    select distinct connection, product_id from combinations where not is_deleted
),

simple_items as (
    select
        products.connection,
        products.product_id,
        '0' as combination_id,
        products.sku,
        products.ean13,
        products.product_name,
        products.price_excl_tax as final_price_excl_tax,
        products.cost_price_excl_tax,
        products.currency_code,
        products.tax_rules_group_id,
        products.is_active,
        products.is_deleted
    from products
    left join with_combinations
        on products.connection = with_combinations.connection
        and products.product_id = with_combinations.product_id
    where with_combinations.product_id is null
),

combination_items as (
    select
        combinations.connection,
        combinations.product_id,
        combinations.combination_id,
        combinations.sku,
        combinations.ean13,
        products.product_name,
        combinations.final_price_excl_tax,
        coalesce(combinations.cost_price_excl_tax, products.cost_price_excl_tax) as cost_price_excl_tax,
        combinations.currency_code,
        products.tax_rules_group_id,
        coalesce(products.is_active, false) as is_active,
        combinations.is_deleted or coalesce(products.is_deleted, false) as is_deleted
    from combinations
    left join products
        on combinations.connection = products.connection
        and combinations.product_id = products.product_id
),

items as (
    select * from simple_items
    union all
    select * from combination_items
),

final as (
    select
        items.*,
        stock.quantity as stock_quantity
    from items
    left join stock
        on items.connection = stock.connection
        and items.product_id = stock.product_id
        and items.combination_id = stock.combination_id
)

select * from final
