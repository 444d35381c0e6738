{{ config(enabled=has_system('dolibarr')) }}

with thirdparties as (
    {{ union_connections('dolibarr', 'thirdparties') }}
),

final as (
    select
        connection,
        cast(id as varchar) as thirdparty_id,
        name as thirdparty_name,
        nullif(name_alias, '') as name_alias,
        -- client: 1 customer, 2 prospect, 3 both
        coalesce(client in (1, 3), false) as is_customer,
        coalesce(client in (2, 3), false) as is_prospect,
        coalesce(fournisseur = 1, false) as is_supplier,
        nullif(code_client, '') as customer_code,
        nullif(code_fournisseur, '') as supplier_code,
        nullif(trim(email), '') as email,
        nullif(trim(phone), '') as phone,
        nullif(trim(phone_mobile), '') as mobile_phone,
        nullif(address, '') as address,
        nullif(zip, '') as postal_code,
        nullif(town, '') as city,
        nullif(country_code, '') as country_code,
        nullif(tva_intra, '') as vat_number,
        nullif(idprof1, '') as company_id_1,
        nullif(idprof2, '') as company_id_2,
        nullif(ref_ext, '') as external_ref,
        nullif(multicurrency_code, '') as currency_code,
        coalesce(status, 1) = 1 as is_active,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from thirdparties
)

select * from final
