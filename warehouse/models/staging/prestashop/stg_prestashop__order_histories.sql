{{ config(enabled=has_system('prestashop')) }}

with order_histories as (
    {{ union_connections('prestashop', 'order_histories') }}
),

final as (
    select
        connection,
        cast(id as varchar) as order_history_id,
        cast(id_order as varchar) as order_id,
        cast(id_order_state as varchar) as order_state_id,
        cast(nullif(id_employee, 0) as varchar) as employee_id,
        date_add as changed_at
    from order_histories
)

select * from final
