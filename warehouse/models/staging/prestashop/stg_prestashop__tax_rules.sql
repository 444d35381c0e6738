{{ config(enabled=has_system('prestashop')) }}

with tax_rules as (
    {{ union_connections('prestashop', 'tax_rules') }}
),

final as (
    select
        connection,
        cast(id as varchar) as tax_rule_id,
        cast(id_tax_rules_group as varchar) as tax_rules_group_id,
        cast(id_country as varchar) as country_id,
        cast(nullif(id_state, 0) as varchar) as state_id,
        nullif(zipcode_from, '0') as postal_code_from,
        nullif(zipcode_to, '0') as postal_code_to,
        cast(id_tax as varchar) as tax_id,
        -- 0: this tax only, 1: combined with the others, 2: one after another
        case behavior when 0 then 'this_tax_only' when 1 then 'combine' when 2 then 'one_after_another' end
            as behavior,
        nullif(description, '') as description,
        coalesce(_deleted, false) as is_deleted
    from tax_rules
)

select * from final
