"""The webservice's list parameters (`display`, `filter[...]`, `sort`, `limit`, `date`, `language`) as
parameterised SQL, with PrestaShop 8.1.2's error codes and its quirks (`[a,]` is an equality test)."""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.prestashop.schema import Resource

_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)")
_DATETIME = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(\s+\d{2}:\d{2}:\d{2})?")
_INTERVAL = re.compile(r"^([\d.:\-\s]+),([\d.:\-\s]+)$")


class WsError(Exception):
    """A webservice error: HTTP status and one or more (code, message) pairs."""

    def __init__(self, status: int, *errors: tuple[int, str]) -> None:
        super().__init__(errors[0][1] if errors else "")
        self.status = status
        self.errors = list(errors)


def closest(value: str, words: list[str]) -> str:
    """PrestaShop's `getClosest`: the last word with the smallest Levenshtein distance."""
    best, shortest = "", -1
    for word in words:
        lev = _levenshtein(value, word)
        if lev == 0:
            return word
        if lev <= shortest or shortest < 0:
            best, shortest = word, lev
    return best


def did_you_mean(label: str, value: str, words: list[str]) -> str:
    message = f'{label}. Did you mean: "{closest(value, words)}"?'
    if len(words) > 1:
        message += ' The full list is: "' + '", "'.join(words) + '"'
    return message


def _levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def php_int(text: str) -> int:
    """PHP's `(int)` cast of a string: the leading integer, else 0."""
    m = re.match(r"^\s*[+-]?\d+", text)
    return int(m.group(0)) if m else 0


def coerce(ftype: str, value: str) -> Any:
    """A filter value as MySQL compares it with a column of this type."""
    if ftype in ("id", "int", "bool", "nbool", "defon", "dec", "dec3"):
        m = _NUMBER.match(value)
        if not m:
            return 0
        number = float(m.group(0))
        return int(number) if number.is_integer() and ftype not in ("dec", "dec3") else number
    if ftype in ("date", "day"):
        m = _DATETIME.match(value)
        if m:
            return (
                m.group(1) + (m.group(2) or " 00:00:00").replace("\t", " ") if ftype == "date" else m.group(1)
            )
    return value


@dataclass
class Display:
    """What to render: `None` fields = ids only; `full`; or named fields and association sub-fields."""

    mode: str  # ids | full | some
    fields: list[str] = field(default_factory=list)
    associations: dict[str, list[str]] = field(default_factory=dict)


def parse_display(res: Resource, raw: str | None) -> Display:
    if raw is None:
        return Display("ids")
    if raw in ("full", "minimum"):
        return Display("full" if raw == "full" else "ids")
    names = [f.name for f in res.fields]
    m = re.match(r"^\[(.*)\]$", raw, re.S)
    if not m:
        raise WsError(
            400,
            (
                36,
                "The 'display' syntax is wrong. You can set 'full' or '[field_1,field_2,field_3,...]'. "
                "These are available: " + ", ".join(names),
            ),
        )
    parts, depth, cur = [], 0, ""
    for ch in m.group(1):
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        depth += ch == "["
        depth -= ch == "]"
    if cur:
        parts.append(cur)
    display = Display("some")
    for part in parts:
        name = part.split("[", 1)[0].strip()
        if "[" in part:
            subs = part[part.index("[") + 1 : -1].split(",")
            assoc = res.association(name)
            if assoc is None or any(s != "id" and s not in assoc.fields for s in subs):
                detail = (
                    " (details : array (\n" + "".join(f"  {i} => '{s}',\n" for i, s in enumerate(subs)) + "))"
                )
                raise WsError(
                    400,
                    (
                        35,
                        f'Unable to display this field "{name}{detail}". However, these are '
                        "available: " + ", ".join(names),
                    ),
                )
            display.associations.setdefault(name, []).extend(subs)
        else:
            if name not in res.field_map:
                raise WsError(
                    400,
                    (
                        35,
                        f'Unable to display this field "{name}". However, these are available: '
                        + ", ".join(names),
                    ),
                )
            if name not in display.fields:
                display.fields.append(name)
    return display


@dataclass
class ListQuery:
    """A compiled list query: SQL WHERE/ORDER/LIMIT parts and their parameters."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    order_params: list[Any] = field(default_factory=list)
    join: str = ""
    limit: tuple[int, int | None] | None = None


def filter_lists(res: Resource, date_on: bool) -> tuple[list[str], list[str]]:
    """The plain and the multilingual filterable fields, as `manageFilters` builds them."""
    plain = [f.name for f in res.fields if not f.lang]
    if date_on:
        plain += [d for d in ("date_add", "date_upd") if d not in plain]
    else:
        plain = [n for n in plain if n not in ("date_add", "date_upd")]
    return plain, [f.name for f in res.fields if f.lang]


def compile_list(
    res: Resource,
    filters: dict[str, str],
    sort: str | None,
    limit: str | None,
    date_on: bool,
    languages: list[int],
) -> ListQuery:
    """Translate the list parameters into SQL, raising the webservice's errors on bad input."""
    plain, i18n = filter_lists(res, date_on)
    q = ListQuery()
    for name, value in filters.items():
        if name in ("sort", "limit"):
            continue
        if name not in plain:
            if value != "" and name in i18n:
                cond, params = _condition(f'l."{name}"', "str", value)
                if cond:
                    marks = ",".join("?" for _ in languages)
                    q.where.append(
                        f'main.id IN (SELECT l.id FROM "{res.name}_lang" l WHERE {cond} AND l.id_lang IN ({marks}))'
                    )
                    q.params += params + languages
                continue
            raise WsError(400, (32, did_you_mean("This filter does not exist", name, plain)))
        if value == "":
            raise WsError(400, (33, f'The filter "{name}" is malformed.'))
        fdef = res.field_map.get(name)
        if fdef is not None and fdef.getter:
            raise WsError(
                400,
                (
                    34,
                    f'The field "{name}" is dynamic. It is not possible to filter GET query with this field.',
                ),
            )
        cond, params = _condition(f'main."{name}"', fdef.type if fdef else "date", value)
        if cond:
            q.where.append(cond)
            q.params += params
    if sort is not None:
        m = re.match(r"^\[(.*)\]$", sort)
        for item in m.group(1).split(",") if m else [sort]:
            pos = item.rfind("_")
            fname, direction = (item[:pos], item[pos + 1 :].upper()) if pos >= 0 else ("", "")
            if pos < 0 or direction not in ("ASC", "DESC"):
                raise WsError(
                    400,
                    (
                        37,
                        'The "sort" value has to be formed as this example: "field_ASC" or '
                        "'[field_1_DESC,field_2_ASC,field_3_ASC,...]' (\"field\" has to be an "
                        "available field)",
                    ),
                )
            if fname not in plain and fname not in i18n:
                raise WsError(
                    400,
                    (
                        38,
                        "Unable to filter by this field. However, these are available: "
                        + ", ".join(plain)
                        + ", for i18n fields:"
                        + ", ".join(i18n),
                    ),
                )
            if fname in i18n:
                if not q.join:
                    q.join = f'LEFT JOIN "{res.name}_lang" s ON s.id = main.id AND s.id_lang = ?'
                    q.order_params.append(languages[0] if languages else 1)
                q.order.append(f's."{fname}" {direction}')
            else:
                q.order.append(f'main."{fname}" {direction}')
    if limit is not None:
        args = limit.split(",")
        if len(args) > 2:
            raise WsError(400, (39, 'The "limit" value has to be formed as this example: "5,25" or "10"'))
        q.limit = (php_int(args[0]), php_int(args[1])) if len(args) == 2 else (0, php_int(args[0]))
    return q


def _condition(column: str, ftype: str, value: str) -> tuple[str, list[Any]]:
    """SQLUtils::getSQLRetrieveFilter as parameterised SQL."""
    m = re.match(r"^(.*)\[(.*)\](.*)$", value, re.S)
    nocase = " COLLATE NOCASE" if ftype in ("str", "lang") else ""
    if not m:
        return f"{column} = ?{nocase}", [coerce(ftype, value)]
    prefix, inner, suffix = m.groups()
    if prefix == "%" or suffix == "%":
        return f"{column} LIKE ?", [prefix + inner + suffix]
    if prefix == "" and suffix == "":
        if inner.find("|") > 0:
            values = inner.split("|")
            return "(" + " OR ".join(f"{column} = ?{nocase}" for _ in values) + ")", [
                coerce(ftype, v) for v in values
            ]
        interval = _INTERVAL.match(inner)
        if interval:
            low, high = interval.group(1), interval.group(2)
            if _is_numeric(low) and _is_numeric(high):
                low, high = sorted((low, high), key=float)
            else:
                low, high = sorted((low, high))
            return f"{column} BETWEEN ? AND ?", [coerce(ftype, low), coerce(ftype, high)]
        # Anything else, the open interval `[a,]` included, is an equality test on the whole text.
        return f"{column} = ?{nocase}", [coerce(ftype, inner)]
    if prefix == ">":
        return f"{column} > ?", [coerce(ftype, inner)]
    if prefix == "<":
        return f"{column} < ?", [coerce(ftype, inner)]
    if prefix == "!":
        values = inner.split("|")
        return " AND ".join(f"{column} != ?{nocase}" for _ in values), [coerce(ftype, v) for v in values]
    return "", []  # an unknown prefix is silently ignored, as the real server does


def _is_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_languages(raw: str | None, available: list[int]) -> list[int]:
    """`language=1`, `[1|2]` (list) or `[1,3]` (range); unknown ids are dropped (`filterLanguage`)."""
    if raw is None:
        return list(available)
    if raw.isdigit():
        wanted = [int(raw)]
    elif raw.startswith("[") and raw.endswith("]"):
        inner = raw[1:-1]
        if ("|" in inner) != ("," in inner):
            if "|" in inner:
                parts = inner.split("|")
            else:
                bounds = inner.split(",")
                if len(bounds) != 2:
                    raise WsError(400, (78, "A range value for a language must contains only 2 values"))
                parts = [str(i) for i in range(php_int(bounds[0]), php_int(bounds[1]) + 1)]
            if not all(p.strip().isdigit() for p in parts):
                raise WsError(400, (80, "Language ID must be numeric"))
            wanted = [int(p) for p in parts]
        elif re.fullmatch(r"\d+", inner):
            wanted = [int(inner)]
        else:
            wanted = []
    else:
        raise WsError(400, (79, "language value is wrong"))
    return [lang for lang in wanted if lang in available]
