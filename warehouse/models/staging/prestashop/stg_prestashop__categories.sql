{{ config(enabled=has_system('prestashop')) }}

with categories as (
    {{ union_connections('prestashop', 'categories') }}
),

languages as (
    select connection, language_id from {{ ref('stg_prestashop__languages') }} where is_default
),

final as (
    select
        categories.connection,
        cast(categories.id as varchar) as category_id,
        cast(nullif(categories.id_parent, 0) as varchar) as parent_category_id,
        categories.name ->> languages.language_id as category_name,
        categories.name as category_name_by_language,
        categories.link_rewrite ->> languages.language_id as url_slug,
        categories.level_depth as depth,
        categories.position,
        coalesce(categories.is_root_category, false) as is_root,
        coalesce(categories.active, false) as is_active,
        coalesce(categories._deleted, false) as is_deleted,
        categories.date_add as created_at,
        categories.date_upd as updated_at
    from categories
    left join languages on categories.connection = languages.connection
)

select * from final
