{#
  Generic data tests written here because `dbt deps` cannot reach the package hub (no dbt_utils).
  unique_combination: the listed columns together identify a row.
  expression_is_true: an arithmetic rule holds on every row (null results count as holding only when
  the expression itself handles nulls, e.g. with `is not distinct from`).
#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test expression_is_true(model, expression, where_clause=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}
