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
    {%- set parts = [] -%}
    {%- for conn in layout_connections(layout, role) -%}
        {%- do parts.append("(select '" ~ conn ~ "' as connection, * from " ~ adapter.quote('raw_' ~ conn) ~ "." ~ adapter.quote(table) ~ ")") -%}
    {%- endfor -%}
    {{ union_system_models(parts, "the " ~ layout ~ " files (" ~ table ~ ")") }}
{%- endmacro %}

{#
  The rows of a layout table as of the latest file giving each key: a corrected re-export (a later file)
  replaces the rows of the earlier one.
#}
{% macro latest_file_rows(layout, table, key_columns) -%}
    select *
    from ({{ union_layout(layout, table) }}) as file_rows
    qualify row_number() over (
        partition by connection, {{ key_columns | join(', ') }}
        order by _file_id desc, _line desc
    ) = 1
{%- endmacro %}

{# `connection in (...)`: the rows of the connections of a layout (and role). #}
{% macro in_layout(layout, role=none) -%}
    connection in ({{ "'" ~ layout_connections(layout, role) | join("', '") ~ "'" }})
{%- endmacro %}

{#
  A file line's amounts from its unit price and line discount including tax: including tax, and excluding
  tax at the line's VAT rate (6 decimals).
#}
{% macro flatfile_line_amounts() -%}
    cast(quantity * unit_price_incl_tax - coalesce(discount_incl_tax, 0) as decimal(18, 6)) as line_total_incl_tax,
    cast(
        round((quantity * unit_price_incl_tax - coalesce(discount_incl_tax, 0)) / (1 + vat_rate_percent / 100), 6)
        as decimal(18, 6)
    ) as line_total_excl_tax
{%- endmacro %}

{#
  The identity of a customer named by a channel file (a ticket's loyalty e-mail, else its phone's digits):
  the key of its record, `<connection>:<identity>`, in int_customer_records__flatfiles and on its lines.
#}
{% macro flatfile_customer_identity(email_column, phone_column='null') -%}
    coalesce(
        {{ normalize_email(email_column) }},
        nullif(regexp_replace(coalesce({{ phone_column }}, ''), '[^0-9+]', '', 'g'), '')
    )
{%- endmacro %}
