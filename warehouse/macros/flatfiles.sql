{#
  Flat-file connections (kind `flatfiles`) each fill one canonical layout (their `layout` setting:
  pos_sales, marketplace_orders, erp_products); a model reads the connections of its layout.
  `role` narrows them to the ERP or the channels (an ERP export is read only from an ERP connection).
#}
{% macro layout_connections(layout, role=none) -%}
    {%- set settings = var('connection_settings', {}) -%}
    {%- set found = [] -%}
    {%- for conn in system_connections('flatfiles') -%}
        {%- set conn_settings = settings.get(conn) or {} -%}
        {%- if conn_settings.get('layout') == layout and (role is none or conn_settings.get('role') == role) -%}
            {%- do found.append(conn) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{% macro has_layout(layout, role=none) -%}
    {{ return(layout_connections(layout, role) | length > 0) }}
{%- endmacro %}

{# Union one raw table over the connections of a layout, adding the connection name as `connection`. #}
{% macro union_layout(layout, table, role=none) -%}
    {%- set conns = layout_connections(layout, role) -%}
    {%- if conns | length == 0 -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error("no flatfiles connection of layout '" ~ layout ~ "' is configured; this model should be disabled") }}
        {%- endif -%}
        select null as connection limit 0
    {%- endif -%}
    {%- for conn in conns %}
    select '{{ conn }}' as connection, * from {{ adapter.quote('raw_' ~ conn) }}.{{ adapter.quote(table) }}
    {%- if not loop.last %}
    union all by name
    {%- endif -%}
    {%- endfor %}
{%- endmacro %}
