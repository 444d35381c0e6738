"""Dolibarr's universal search criteria (`sqlfilters`) compiled to parameterised SQLite.

The validation follows `forgeSQLFromUniversalSearchCriteria` of 23.0.1: the string is wrapped in
parentheses when it is not already, the parentheses must balance, and once every `(field:op:value)`
criterion is removed only `and`, `or`, spaces and parentheses may remain. Those failures are 400s.
A column that does not exist, or a dangling `and`, passes validation and fails in the database: 503.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CRITERION = re.compile(r"\(([a-zA-Z0-9_.]+:[<>!=insotlke]+:[^()]+)\)", re.I)
# Before Dolibarr 20 (issue #29292) the value could not hold a colon: a time in a date broke the filter.
CRITERION_BEFORE_20 = re.compile(r"\(([a-zA-Z0-9_.]+:[<>!=insotlke]+:[^:()]+)\)", re.I)
OPERATORS = {
    "=": "=",
    "!=": "<>",
    "<>": "<>",
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "like": "LIKE",
    "notlike": "NOT LIKE",
    "in": "IN",
    "notin": "NOT IN",
    "is": "IS",
    "isnot": "IS NOT",
}
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")


class FilterSyntaxError(Exception):
    """400: the string does not follow the grammar (message as Dolibarr words it)."""


class FilterSqlError(Exception):
    """503: the database refuses the SQL (unknown column, dangling operator)."""


@dataclass
class Compiled:
    sql: str
    params: list[Any]


def check_balance(text: str) -> None:
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth < 0:
            break
    if depth != 0:
        raise FilterSyntaxError(f"Wrong balance of parenthesis in sqlfilters={text}")


def compile_filters(
    text: str,
    column_kind: Callable[[str, str], str | None],
    now: str,
    colon_bug: bool = False,
) -> Compiled:
    """Compile `text`; `column_kind(alias, column)` gives 'date', 'day', 'num', 'text' or None (unknown).

    `colon_bug` reproduces versions before 20, where a colon inside a value is a syntax error.
    """
    if not (text.startswith("(") and text.endswith(")")):
        text = f"({text})"
    check_balance(text)
    skeleton = (CRITERION_BEFORE_20 if colon_bug else CRITERION).sub("", text)
    skeleton = re.sub(r"(?i)and|or| ", "", skeleton)
    if re.search(r"[^()]", skeleton):
        raise FilterSyntaxError(f"Bad syntax of the search string: {text}")
    params: list[Any] = []
    unknown: list[str] = []

    def criterion(match: re.Match[str]) -> str:
        field, op, value = match.group(1).split(":", 2)
        field = re.sub(r"[^a-z0-9_.]", "", field, flags=re.I)
        alias, _, column = field.rpartition(".")
        kind = column_kind(alias, column)
        if kind is None:
            unknown.append(field)
            return "(1)"
        operator = OPERATORS.get(op.lower())
        if operator is None:
            raise FilterSyntaxError(f"Bad syntax of the search string: {text}")
        target = f'{alias + "." if alias else ""}"{column}"'
        value = value.strip().replace("__NOW__", f"'{now}'").replace("__USER_ID__", "1")
        if operator in ("IS", "IS NOT"):
            return f"({target} {operator} NULL)"
        if operator in ("IN", "NOT IN"):
            items = [_literal(v.strip(), kind) for v in _split_list(value)]
            params.extend(items)
            return f"({target} {operator} ({', '.join('?' for _ in items)}))"
        params.append(_literal(value, kind))
        return f"({target} {operator} ?)"

    sql = CRITERION.sub(criterion, text)
    if unknown:
        raise FilterSqlError(f"Unknown column '{unknown[0]}' in 'WHERE'")
    # Only and/or/parentheses remain between criteria: map them to SQL and let SQLite judge the rest.
    sql = re.sub(r"(?i)\band\b", " AND ", sql)
    sql = re.sub(r"(?i)\bor\b", " OR ", sql)
    return Compiled(sql, params)


def _split_list(value: str) -> list[str]:
    return [v for v in re.findall(r"'(?:[^'\\]|\\.)*'|[^,]+", value) if v.strip()]


def _literal(value: str, kind: str) -> Any:
    if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
        text = value[1:-1].replace("\\'", "'")
        if kind in ("date", "day"):
            m = _DATE.match(text)
            if m:
                y, mo, d, h, mi, s = m.groups()
                day = f"{y}-{mo}-{d}"
                return day if kind == "day" else f"{day} {h or '00'}:{mi or '00'}:{s or '00'}"
        return text
    if value.upper() == "NULL":
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value
