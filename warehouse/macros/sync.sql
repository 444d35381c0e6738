{# The channel connections of one kind a sync model writes to: connection, channel, safety buffer. #}
{% macro sync_target_channels(kind) -%}
    select channel_key as connection, channel, coalesce(safety_buffer, 0) as safety_buffer
    from {{ ref('dim_channels') }}
    where source_role = 'channel' and connection_kind = '{{ kind }}'
{%- endmacro %}
