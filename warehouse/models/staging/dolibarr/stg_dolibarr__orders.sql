{{ config(enabled=has_system('dolibarr')) }}

with orders as (
    {{ union_connections('dolibarr', 'orders') }}
),

final as (
    select
        connection,
        cast(id as varchar) as order_id,
        ref as order_ref,
        -- the channel's own reference (PrestaShop reference, POS ticket, marketplace order id)
        nullif(trim(ref_client), '') as channel_order_ref,
        nullif(ref_ext, '') as external_ref,
        cast(socid as varchar) as thirdparty_id,
        -- channel conventions set up with extrafields (docs/contracts.md section 8)
        json_extract_string(array_options, '$.options_channel') as channel,
        json_extract_string(array_options, '$.options_fulfillment') as fulfillment,
        coalesce(json_extract_string(array_options, '$.options_fulfillment') = 'click_collect', false)
            as is_click_and_collect,
        cast(nullif(warehouse_id, 0) as varchar) as warehouse_id,
        status as status_code,
        case status
            when -1 then 'cancelled' when 0 then 'draft' when 1 then 'validated'
            when 2 then 'shipping' when 3 then 'closed'
        end as status_name,
        coalesce(billed, 0) = 1 as is_billed,
        total_ht as total_excl_tax_eur,
        total_tva as total_tax_eur,
        total_ttc as total_incl_tax_eur,
        coalesce(nullif(multicurrency_code, ''), 'EUR') as currency_code,
        multicurrency_tx as currency_rate,
        coalesce(multicurrency_total_ht, total_ht) as total_excl_tax,
        coalesce(multicurrency_total_ttc, total_ttc) as total_incl_tax,
        nullif(mode_reglement_code, '') as payment_mode_code,
        coalesce(date_commande, date) as ordered_at,
        {{ connection_local_date('dolibarr', 'coalesce(date_commande, date)') }} as order_date,
        delivery_date as planned_delivery_at,
        date_validation as validated_at,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from orders
)

select * from final
