{{ config(enabled=has_system('prestashop')) }}

with customers as (
    {{ union_connections('prestashop', 'customers') }}
),

final as (
    select
        connection,
        cast(id as varchar) as customer_id,
        nullif(trim(email), '') as email,
        firstname as first_name,
        lastname as last_name,
        nullif(trim(company), '') as company_name,
        nullif(trim(siret), '') as siret,
        birthday as birth_date,
        cast(id_gender as varchar) as gender_id,
        cast(id_default_group as varchar) as default_group_id,
        cast(id_lang as varchar) as language_id,
        cast(id_shop as varchar) as shop_id,
        coalesce(newsletter, false) as has_newsletter_optin,
        coalesce(optin, false) as has_partner_optin,
        coalesce(is_guest, false) as is_guest,
        coalesce(active, false) as is_active,
        -- PrestaShop's own soft delete, or gone from the shop at the last sweep
        coalesce(deleted, false) or coalesce(_deleted, false) as is_deleted,
        date_add as created_at,
        date_upd as updated_at
    from customers
)

select * from final
