{#
  Customer identity keys of the costing spec §7.1, shared by dim_customers and the costing sales input.
  E-mail: trimmed, lower-case, nothing else (Gmail dots are kept); blank gives null.
  Phone: E.164 with France as the default country: a leading + is kept, 00... becomes +..., an 11-digit
  33... becomes +33..., a 10-digit 0... becomes +33 and its last 9 digits, anything else + and the digits;
  a value with no digit gives null.
#}
{% macro normalize_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{% macro normalize_phone(column) -%}
    case
        when nullif(regexp_replace(coalesce({{ column }}, ''), '[^0-9]', '', 'g'), '') is null then null
        when starts_with(trim({{ column }}), '+') then '+' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
        when starts_with(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '00')
            then '+' || substr(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 3)
        when length(regexp_replace({{ column }}, '[^0-9]', '', 'g')) = 11
            and starts_with(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '33')
            then '+' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
        when length(regexp_replace({{ column }}, '[^0-9]', '', 'g')) = 10
            and starts_with(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '0')
            then '+33' || substr(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 2)
        else '+' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}
