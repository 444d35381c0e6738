{{ config(enabled=has_system('dolibarr')) }}

with shipments as (
    {{ union_connections('dolibarr', 'shipments') }}
),

-- recent releases name the source document `origin_type`, older ones `origin`
documents as (
    select *, coalesce(nullif(origin_type, ''), nullif(origin, '')) as source_document
    from shipments
),

final as (
    select
        connection,
        cast(id as varchar) as shipment_id,
        ref as shipment_ref,
        nullif(ref_ext, '') as external_ref,
        -- the customer's reference copied from the order (the channel's order reference for omnicanal)
        nullif(trim(ref_customer), '') as channel_order_ref,
        cast(socid as varchar) as thirdparty_id,
        source_document as origin_type,
        case when source_document = 'commande' then cast(nullif(origin_id, 0) as varchar) end as order_id,
        status as status_code,
        case status when -1 then 'cancelled' when 0 then 'draft' when 1 then 'validated' when 2 then 'closed' end
            as status_name,
        -- validated: the parcel has left; closed: delivered or processed
        coalesce(status in (1, 2), false) as is_shipped,
        coalesce(billed, 0) = 1 as is_billed,
        cast(nullif(shipping_method_id, 0) as varchar) as shipping_method_id,
        nullif(shipping_method, '') as shipping_method_code,
        nullif(trim(tracking_number), '') as tracking_number,
        coalesce(date_shipping, date_expedition, date_valid) as shipped_at,
        date_valid as validated_at,
        date_delivery as planned_delivery_at,
        array_options as extrafields,
        coalesce(_deleted, false) as is_deleted,
        date_creation as created_at,
        date_modification as updated_at
    from documents
)

select * from final
