{{ config(enabled=has_system('flatfiles')) }}

with files as (
    {{ union_connections('flatfiles', 'loaded_files') }}
),

final as (
    select
        connection,
        cast(file_id as integer) as file_id,
        file_name,
        file_size as file_size_bytes,
        modified_at,
        sha256,
        layout,
        status,
        cast(rows_loaded as integer) as rows_loaded,
        cast(lines_quarantined as integer) as lines_quarantined,
        reason,
        cast(duplicate_of as integer) as duplicate_of_file_id,
        picked_up_at
    from files
)

select * from final
