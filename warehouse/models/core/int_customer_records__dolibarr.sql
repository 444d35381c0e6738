{{ config(enabled=has_system('dolibarr'), materialized='view') }}

-- ERP customers (third parties that are customers or prospects) in the shared column list of dim_customer_links.
with thirdparties as (
    select * from {{ ref('stg_dolibarr__thirdparties') }}
    where (is_customer or is_prospect or not is_supplier)
        and not is_deleted
),

final as (
    select
        connection || ':' || thirdparty_id as customer_record_key,
        connection,
        'erp' as connection_role,
        thirdparty_id as source_customer_id,
        thirdparty_name as full_name,
        email as email_raw,
        list_filter([phone, mobile_phone], lambda phone_raw: nullif(trim(phone_raw), '') is not null) as phones_raw,
        created_at
    from thirdparties
)

select * from final
