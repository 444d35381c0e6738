{{ config(enabled=has_system('flatfiles')) }}

with lines as (
    {{ union_connections('flatfiles', 'quarantined_lines') }}
),

final as (
    select
        connection,
        cast(file_id as integer) as file_id,
        file_name,
        cast(line as integer) as file_line,
        field,
        reason,
        content
    from lines
)

select * from final
