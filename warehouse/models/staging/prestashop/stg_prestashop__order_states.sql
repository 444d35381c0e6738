{{ config(enabled=has_system('prestashop')) }}

with order_states as (
    {{ union_connections('prestashop', 'order_states') }}
),

languages as (
    select connection, language_id from {{ ref('stg_prestashop__languages') }} where is_default
),

final as (
    select
        order_states.connection,
        cast(order_states.id as varchar) as order_state_id,
        order_states.name ->> languages.language_id as state_name,
        order_states.name as state_name_by_language,
        order_states.module_name,
        order_states.color,
        coalesce(order_states.paid, false) as is_paid,
        coalesce(order_states.shipped, false) as is_shipped,
        coalesce(order_states.delivery, false) as is_delivery,
        coalesce(order_states.invoice, false) as is_invoiced,
        -- "logable": the order counts as a validated sale in PrestaShop's own statistics
        coalesce(order_states.logable, false) as is_validated_sale,
        -- state ids are configurable per shop: cancellation and refund are read from the state name
        regexp_matches(lower(coalesce(order_states.name ->> languages.language_id, '')), 'cancel|annul')
            as is_cancelled,
        regexp_matches(lower(coalesce(order_states.name ->> languages.language_id, '')), 'refund|rembours')
            as is_refunded,
        coalesce(order_states.hidden, false) as is_hidden,
        coalesce(order_states.deleted, false) or coalesce(order_states._deleted, false) as is_deleted
    from order_states
    left join languages on order_states.connection = languages.connection
)

select * from final
