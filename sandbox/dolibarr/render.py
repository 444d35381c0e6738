"""Dolibarr 23.0.1 JSON objects: the recorded shapes (key order, constant defaults) filled from the tables.

`shapes.json` holds, per object kind, the keys of a real 23.0.1 answer in their order with the values
that never vary; everything else is null there and filled here from the row. Numbers come out as
strings with 8 decimals, ids as strings, dates as Unix timestamps (SQL strings for warehouses).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

SHAPES: dict[str, list[tuple[str, Any]]] = {
    name: [(k, v) for k, v in items]
    for name, items in json.loads(
        (Path(__file__).with_name("shapes.json")).read_text(encoding="utf-8")
    ).items()
}
_EPOCH = datetime(1970, 1, 1)
COUNTRY_CODES = {1: "FR", 3: "IT", 4: "ES", 5: "DE", 7: "GB", 11: "US", 25: "PT"}


_TEMPLATES = {name: dict(items) for name, items in SHAPES.items()}


def build(shape: str, values: dict[str, Any]) -> dict[str, Any]:
    """The object of kind `shape`: its keys in order, `values` over the constant defaults.

    The defaults are shared between objects (empty lists included): callers replace keys, never mutate.
    """
    template = _TEMPLATES[shape]
    obj = template.copy()
    if values.keys() <= template.keys():
        obj.update(values)
    else:
        obj.update((key, value) for key, value in values.items() if key in template)
    return obj


def money(value: Any) -> str | None:
    return None if value is None else f"{float(value):.8f}"


def rate(value: Any) -> str | None:
    return None if value is None else f"{float(value):.4f}"


def num(value: Any) -> str | None:
    """A quantity or a float column as MariaDB prints it: no trailing zeros."""
    if value is None:
        return None
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def sid(value: Any) -> str | None:
    return None if value is None else str(int(value))


def unix(sql_utc: str | None) -> int | str:
    """A UTC `YYYY-MM-DD[ HH:MM:SS]` as a Unix timestamp; "" when empty (as Dolibarr's jdate gives)."""
    if not sql_utc or sql_utc.startswith("0000"):
        return ""
    since = datetime.fromisoformat(sql_utc) - _EPOCH  # exact whole seconds, parsed in C
    return since.days * 86400 + since.seconds


def unix_or_none(sql_utc: str | None) -> int | None:
    value = unix(sql_utc)
    return None if value == "" else int(value)
