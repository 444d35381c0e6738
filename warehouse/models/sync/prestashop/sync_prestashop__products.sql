{{ config(enabled=has_system('prestashop') and has_system('dolibarr')) }}

-- One row per PrestaShop product field the ERP owns and the shop lacks or shows differently: ERP simple
-- products for sale the shop does not sell (field `record`: created inactive, the shop then adds its online
-- content), and the `reference` (SKU) and `ean13` of matched items. Prices have their own model.
with channels as (
    {{ sync_target_channels('prestashop') }}
),

products as (
    select * from {{ ref('dim_products') }}
    where is_stocked_item and is_for_sale
),

items as (
    select * from {{ ref('int_sync__prestashop_items') }}
),

languages as (
    select connection, list(cast(language_id as integer) order by cast(language_id as integer)) as language_ids
    from {{ ref('stg_prestashop__languages') }}
    where is_active and not is_deleted
    group by connection
),

-- the shop's tax rules group for each VAT rate (the lowest id when several carry the same rate)
tax_groups as (
    select
        tax_rules.connection,
        taxes.rate_percent,
        min(cast(tax_rules.tax_rules_group_id as integer)) as tax_rules_group_id
    from {{ ref('stg_prestashop__tax_rules') }} as tax_rules
    inner join {{ ref('stg_prestashop__taxes') }} as taxes
        on tax_rules.connection = taxes.connection and tax_rules.tax_id = taxes.tax_id
    inner join {{ ref('stg_prestashop__tax_rule_groups') }} as tax_rule_groups
        on tax_rules.connection = tax_rule_groups.connection
        and tax_rules.tax_rules_group_id = tax_rule_groups.tax_rules_group_id
    where taxes.is_active and not taxes.is_deleted and tax_rule_groups.is_active and not tax_rule_groups.is_deleted
    group by tax_rules.connection, taxes.rate_percent
),

-- variants need the shop's attribute values to be created: only simple products are created here
missing as (
    select channels.connection, products.*
    from products
    cross join channels
    where products.parent_sku is null
        and not exists (
            select 1 from items where items.connection = channels.connection and items.sku = products.sku
        )
),

created as (
    select
        missing.connection || ':' || missing.sku as record_key,
        missing.connection,
        null::varchar as target_id,
        'record' as field,
        1 as field_position,
        null::varchar as current_value,
        missing.sku as desired_value,
        null::timestamp as seen_updated_at,
        to_json({
            'sku': missing.sku,
            'ean13': missing.ean13,
            'name': missing.product_name,
            'link_rewrite': trim(
                regexp_replace(lower(strip_accents(missing.product_name)), '[^a-z0-9]+', '-', 'g'), '-'
            ),
            'price': cast(round(missing.price_excl_tax_eur, 6) as decimal(18, 6)),
            'weight_kg': missing.weight_kg,
            'tax_rules_group_id': tax_groups.tax_rules_group_id,
            'language_ids': languages.language_ids
        }) as payload,
        missing.sku
    from missing
    left join languages on missing.connection = languages.connection
    left join tax_groups
        on missing.connection = tax_groups.connection
        and cast(missing.vat_rate_percent as decimal(9, 3)) = cast(tax_groups.rate_percent as decimal(9, 3))
),

matched as (
    select items.*, products.ean13 as erp_ean13
    from items
    inner join products on items.sku = products.sku
),

corrected as (
    -- an item found by its EAN-13 under another reference takes the ERP's SKU
    select connection, sku, 'reference' as field, 1 as field_position, channel_sku as current_value,
        sku as desired_value, is_combination, channel_product_id, channel_variant_id, product_updated_at
    from matched
    where channel_sku is distinct from sku
    union all
    select connection, sku, 'ean13', 2, channel_ean13, erp_ean13, is_combination, channel_product_id,
        channel_variant_id, product_updated_at
    from matched
    where erp_ean13 is not null and channel_ean13 is distinct from erp_ean13
),

final as (
    select
        record_key,
        'prestashop' as target_system,
        connection as target_connection,
        'products' as entity,
        target_id,
        field,
        field_position,
        current_value,
        desired_value,
        seen_updated_at,
        payload,
        sku
    from created
    union all
    select
        connection || ':' || sku,
        'prestashop',
        connection,
        'products',
        case when is_combination then channel_variant_id else channel_product_id end,
        field,
        field_position,
        current_value,
        desired_value,
        case when not is_combination then product_updated_at end,
        to_json({
            'resource': case when is_combination then 'combinations' else 'products' end,
            'product_id': channel_product_id
        }),
        sku
    from corrected
)

select * from final
