{#
  The calendar date of a UTC timestamp in the wall-clock zone of each connection of a system
  (the connection's `timezone` setting, else the merchant's), e.g. the day a Dolibarr order was dated.
  Zone names come from the validated configuration, never from data.
#}
{% macro connection_local_date(system, timestamp_column) -%}
    {%- set settings = var('connection_settings', {}) -%}
    case connection
        {%- for conn in system_connections(system) %}
        when '{{ conn }}' then cast(timezone('{{ (settings.get(conn) or {}).get("timezone") or var("merchant_timezone") }}', {{ timestamp_column }}) as date)
        {%- endfor %}
    end
{%- endmacro %}
