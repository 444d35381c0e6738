{#
  The merchant's wall-clock time of a UTC timestamp: the costing engine orders movements and cuts months in
  local time (spec §1.3). The zone comes from the validated configuration (var merchant_timezone).
#}
{% macro merchant_local(timestamp_column) -%}
    timezone('{{ var("merchant_timezone") }}', {{ timestamp_column }})
{%- endmacro %}

{# The channel (web, store, marketplace) a channel connection sells through, from its settings. #}
{% macro connection_channel(system, connection_column='connection') -%}
    {%- set settings = var('connection_settings', {}) -%}
    case {{ connection_column }}
        {%- for conn in system_connections(system) %}
        when '{{ conn }}' then '{{ (settings.get(conn) or {}).get("channel") or "web" }}'
        {%- endfor %}
    end
{%- endmacro %}
