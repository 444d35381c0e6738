{{ config(enabled=has_system('dolibarr')) }}

with contacts as (
    {{ union_connections('dolibarr', 'contacts') }}
),

final as (
    select
        connection,
        cast(id as varchar) as contact_id,
        cast(nullif(socid, 0) as varchar) as thirdparty_id,
        firstname as first_name,
        lastname as last_name,
        nullif(civility_code, '') as civility_code,
        nullif(trim(email), '') as email,
        nullif(trim(phone_pro), '') as work_phone,
        nullif(trim(phone_perso), '') as personal_phone,
        nullif(trim(phone_mobile), '') as mobile_phone,
        nullif(address, '') as address,
        nullif(zip, '') as postal_code,
        nullif(town, '') as city,
        nullif(country_code, '') as country_code,
        coalesce(statut, 1) = 1 as is_active,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from contacts
)

select * from final
