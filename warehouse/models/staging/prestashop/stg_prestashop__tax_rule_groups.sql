{{ config(enabled=has_system('prestashop')) }}

with tax_rule_groups as (
    {{ union_connections('prestashop', 'tax_rule_groups') }}
),

final as (
    select
        connection,
        cast(id as varchar) as tax_rules_group_id,
        name as tax_rules_group_name,
        coalesce(active, false) as is_active,
        coalesce(deleted, false) or coalesce(_deleted, false) as is_deleted,
        date_add as created_at,
        date_upd as updated_at
    from tax_rule_groups
)

select * from final
