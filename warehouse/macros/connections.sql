{# The connections of a system come from the `connections` var the flow passes: {"prestashop": ["webshop"]}. #}
{% macro system_connections(system) -%}
    {{ return(var('connections', {}).get(system) or []) }}
{%- endmacro %}

{% macro has_system(system) -%}
    {{ return(system_connections(system) | length > 0) }}
{%- endmacro %}

{#
  Union one raw table over every connection of a system, adding the connection name as `connection`.
  Columns are matched by name, so a column a connection lacks comes back NULL.
#}
{% macro union_connections(system, table) -%}
    {%- set conns = system_connections(system) -%}
    {%- if conns | length == 0 -%}
        {#- parsing renders disabled models too: only a model that actually runs must have a connection -#}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error("no connection of system '" ~ system ~ "' is configured; this model should be disabled") }}
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

{#
  Union the per-system intermediate models of one core model (`int_order_lines__prestashop`, ...), matching
  columns by name. Call it with the relations of the systems that are configured, e.g.
  `{% set parts = [] %}{% if has_system('dolibarr') %}{% do parts.append(ref('int_products__dolibarr')) %}{% endif %}`.
#}
{% macro union_system_models(relations, what) -%}
    {%- if relations | length == 0 -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error("no configured system provides " ~ what) }}
        {%- endif -%}
        select null as none_configured limit 0
    {%- endif -%}
    {%- for relation in relations %}
    select * from {{ relation }}
    {%- if not loop.last %}
    union all by name
    {%- endif -%}
    {%- endfor %}
{%- endmacro %}

{#
  For a core model that only one system feeds so far: at execution, fail clearly when that system has no
  connection (parsing renders every model, so the check waits for `execute`).
#}
{% macro require_system(system, what) -%}
    {%- if execute and not has_system(system) -%}
        {{ exceptions.raise_compiler_error(what ~ " come from a " ~ system ~ " connection, and none is configured") }}
    {%- endif -%}
{%- endmacro %}
