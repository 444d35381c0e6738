{{ config(enabled=has_system('prestashop')) }}

with addresses as (
    {{ union_connections('prestashop', 'addresses') }}
),

final as (
    select
        connection,
        cast(id as varchar) as address_id,
        cast(nullif(id_customer, 0) as varchar) as customer_id,
        cast(id_country as varchar) as country_id,
        cast(nullif(id_state, 0) as varchar) as state_id,
        alias as address_alias,
        nullif(trim(company), '') as company_name,
        firstname as first_name,
        lastname as last_name,
        address1 as address_line_1,
        nullif(trim(address2), '') as address_line_2,
        postcode as postal_code,
        trim(city) as city,
        nullif(trim(phone), '') as phone,
        nullif(trim(phone_mobile), '') as mobile_phone,
        nullif(trim(vat_number), '') as vat_number,
        coalesce(deleted, false) or coalesce(_deleted, false) as is_deleted,
        date_add as created_at,
        date_upd as updated_at
    from addresses
)

select * from final
