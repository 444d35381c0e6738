{#
  Customer identity keys of the costing spec §7.1, used by dim_customer_links to link customer records.
  E-mail: trimmed, lower-case, nothing else (Gmail dots are kept); blank gives null.
  Phone: E.164 with France as the default country: a leading + is kept, 00... becomes +..., an 11-digit
  33... becomes +33..., a 10-digit 0... becomes +33 and its last 9 digits, anything else + and the digits;
  a value with no digit gives null.
#}
{% macro normalize_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{#
  The phone macro works on two columns computed once per value (regular expressions are the costly part):
  `trimmed` = trim(raw) and `digits` = regexp_replace(raw, '[^0-9]', '', 'g').
#}
{% macro normalize_phone(trimmed, digits) -%}
    case
        when coalesce({{ digits }}, '') = '' then null
        when starts_with({{ trimmed }}, '+') then '+' || {{ digits }}
        when starts_with({{ digits }}, '00') then '+' || substr({{ digits }}, 3)
        when length({{ digits }}) = 11 and starts_with({{ digits }}, '33') then '+' || {{ digits }}
        when length({{ digits }}) = 10 and starts_with({{ digits }}, '0') then '+33' || substr({{ digits }}, 2)
        else '+' || {{ digits }}
    end
{%- endmacro %}
