"""PrestaShop 8.1.2 output: XML (CDATA, xlink, notFilterable, <language>) and JSON with its typing rules."""

from __future__ import annotations

import functools
from typing import Any

from sandbox.prestashop.schema import Association, Field, Resource

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">\n'
XML_TAIL = "</prestashop>\n"


def cdata(value: Any) -> str:
    text = "" if value is None else str(value)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def scalar_text(f: Field, value: Any) -> str:
    """A stored value as the text PrestaShop prints (XML) and as the string of a JSON string field."""
    if value is None:
        return ""
    t = f.type
    if t == "dec":
        return f"{float(value):.6f}"
    if t == "dec3":
        return f"{float(value):.3f}"
    if t in ("id", "int", "bool", "nbool"):
        return str(int(value))
    if t == "defon":
        return "1" if value else ""
    return str(value)


def _dec6(value: Any) -> str:
    return f"{float(value):.6f}"


def _dec3(value: Any) -> str:
    return f"{float(value):.3f}"


def _bool_text(value: Any) -> str:
    return str(int(value))


def _DEFON(value: Any) -> str:  # noqa: N802 - a marker used by identity
    return "1" if value else ""


_CONVERTERS: dict[str, Any] = {
    "id": int,
    "int": int,
    "nbool": _bool_text,
    "defon": _DEFON,
    "dec": _dec6,
    "dec3": _dec3,
    "bool": _bool_text,
    "str": str,
    "date": str,
    "day": str,
}


@functools.lru_cache(maxsize=512)
def _json_plan(fields: tuple[Field, ...]) -> list[tuple[str, Any]]:
    """(name, converter) per field, None for multilingual ones: the 8.1.2 JSON typing, compiled once."""
    return [(f.name, None if f.lang else _CONVERTERS[f.type]) for f in fields]


# The 8.1.2 JSON typing as SQLite expressions, for lists rendered by SQLite's JSON functions (each one gives
# what the converter of `_CONVERTERS` gives for the values the schema stores: INTEGER, REAL and TEXT).
_SQL_JSON: dict[str, str] = {
    "id": "CAST({c} AS INTEGER)",
    "int": "CAST({c} AS INTEGER)",
    "nbool": "CAST(CAST({c} AS INTEGER) AS TEXT)",
    "bool": "CAST(CAST({c} AS INTEGER) AS TEXT)",
    "defon": "CASE WHEN {c} THEN '1' ELSE '' END",
    "dec": "CASE WHEN {c} IS NULL THEN NULL ELSE printf('%.6f', {c}) END",
    "dec3": "CASE WHEN {c} IS NULL THEN NULL ELSE printf('%.3f', {c}) END",
    "str": "CAST({c} AS TEXT)",
    "date": "CAST({c} AS TEXT)",
    "day": "CAST({c} AS TEXT)",
}


def _sql_string(text: str) -> str:
    """A name of the fixed schema as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _column(alias: str, name: str) -> str:
    return f'{alias}."{name}"'


def _json_object_sql(members: list[str]) -> str:
    """`json_object(members...)` for any number of members: SQLite takes at most 127 arguments per call,
    so a long object is joined from the texts of several."""
    parts = [f"json_object({', '.join(members[i : i + 60])})" for i in range(0, len(members), 60)]
    if len(parts) == 1:
        return parts[0]
    # each part evaluated once: its braces trimmed (a member's value is a scalar, a string or an array, so
    # the only `}` at the end and `{` at the start are the object's own)
    inner = " || ',' || ".join(f"ltrim(rtrim({p}, '}}'), '{{')" for p in parts)
    return f"'{{' || {inner} || '}}'"


def _assoc_sql_json(key: str, column: str) -> str:
    """`_assoc_json` as a SQLite expression."""
    if key in _ASSOC_DECIMALS:
        return f"printf('%.6f', {column})"
    if key in _ASSOC_STRINGS:
        return f"COALESCE(CAST({column} AS TEXT), '')"
    return f"CAST({column} AS INTEGER)"


class Renderer:
    """Renders rows of one request: base URL for xlinks, languages shown, output format."""

    def __init__(self, base: str, languages: list[int], shown_languages: list[int]) -> None:
        self.base = base  # "http://127.0.0.1:<port>/api/"
        self.languages = languages
        self.shown = shown_languages
        self.single_language = len(shown_languages) == 1

    # --------------------------------------------------------------------------------------- JSON
    def json_objects(
        self,
        res: Resource,
        rows: list[dict[str, Any]],
        langs: dict[int, dict[int, dict[str, Any]]],
        assocs: dict[str, dict[int, list[dict[str, Any]]]],
        fields: list[Field],
        assoc_fields: dict[str, list[str]],
    ) -> list[dict[str, Any]]:
        """The JSON objects of a list: the field plan and the association keys are worked out once."""
        plan = _json_plan(tuple(fields))
        shown = [
            (a, set(assoc_fields[a.name]), assocs.get(a.name) or {})
            for a in res.associations
            if a.name in assoc_fields
        ]
        return [
            self._json(
                plan,
                row,
                langs.get(row["id"], {}),
                [(a, keys, items.get(row["id"])) for a, keys, items in shown],
            )
            for row in rows
        ]

    def json_object(
        self,
        res: Resource,
        row: dict[str, Any],
        lang: dict[int, dict[str, Any]],
        assoc: dict[str, list[dict[str, Any]]],
        fields: list[Field],
        assoc_fields: dict[str, list[str]],
    ) -> dict[str, Any]:
        """One object as the JSON output shows it (`assoc`: its association rows by association name)."""
        rid = row["id"]
        by_owner = {name: {rid: items} for name, items in assoc.items()}
        return self.json_objects(res, [row], {rid: lang}, by_owner, fields, assoc_fields)[0]

    def _json(
        self,
        plan: list[tuple[str, Any]],
        row: dict[str, Any],
        lang: dict[int, dict[str, Any]],
        blocks: list[tuple[Association, set[str], list[dict[str, Any]] | None]],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        single = self.single_language
        first = (lang.get(self.shown[0]) or {}) if single else {}
        for name, convert in plan:
            if convert is None:
                if single:
                    out[name] = first.get(name) or ""
                else:
                    out[name] = [
                        {"id": lid, "value": (lang.get(lid) or {}).get(name) or ""} for lid in self.shown
                    ]
            else:
                value = row.get(name)
                out[name] = None if value is None and convert is not _DEFON else convert(value)
        associations = {
            a.name: [{k: _assoc_json(a, k, v) for k, v in item.items() if k in keys} for item in items]
            for a, keys, items in blocks
            if items
        }
        if associations:
            out["associations"] = associations
        return out

    def json_list_sql(
        self, res: Resource, fields: list[Field], assocs: list[tuple[str, str, list[str]]]
    ) -> tuple[str, str, list[int]]:
        """The SQLite expressions rendering a list's objects as `json_objects` does, row by row in C.

        Args:
            res: the resource, read as `main`.
            fields: the fields shown, in the server's order.
            assocs: `(name, correlated SQL, keys)` per association shown: the SQL selects the association's
                rows of `main.id` in their order, as columns named like the keys.

        Returns:
            The select list (the object without its associations, then one JSON array or NULL per
            association), the joins of the shown languages and their parameters.
        """
        shown = self.shown if any(f.lang for f in fields) else []
        joins = "".join(
            f' LEFT JOIN "{res.name}_lang" lg{i} ON lg{i}.id = main.id AND lg{i}.id_lang = ?'
            for i in range(len(shown))
        )
        members = []
        for f in fields:
            if not f.lang:
                value = _SQL_JSON[f.type].format(c=_column("main", f.name))
            elif self.single_language:
                value = f"COALESCE({_column('lg0', f.name)}, '')"
            else:
                value = (
                    "json_array("
                    + ", ".join(
                        f"json_object('id', {int(lid)}, 'value', COALESCE({_column(f'lg{i}', f.name)}, ''))"
                        for i, lid in enumerate(self.shown)
                    )
                    + ")"
                )
            members.append(f"{_sql_string(f.name)}, {value}")
        select = [_json_object_sql(members)]
        for _name, sql, keys in assocs:
            items = ", ".join(f"{_sql_string(k)}, {_assoc_sql_json(k, _column('a', k))}" for k in keys)
            select.append(f"(SELECT NULLIF(json_group_array(json_object({items})), '[]') FROM ({sql}) a)")  # noqa: S608
        return ", ".join(select), joins, list(shown)

    # ---------------------------------------------------------------------------------------- XML
    def xml_object(
        self,
        res: Resource,
        row: dict[str, Any],
        lang: dict[int, dict[str, Any]],
        assoc: dict[str, list[dict[str, Any]]],
        fields: list[Field],
        assoc_fields: dict[str, list[str]],
    ) -> str:
        parts = [f"<{res.node}>\n"]
        for f in fields:
            parts.append("\t")
            parts.append(self._xml_field(res, row, lang, f))
            parts.append("\n")
        if assoc_fields:
            parts.append("<associations>\n")
            for a in res.associations:
                if a.name not in assoc_fields:
                    continue
                parts.append(self._xml_assoc(a, assoc.get(a.name) or [], assoc_fields[a.name]))
            parts.append("</associations>\n")
        parts.append(f"</{res.node}>\n")
        return "".join(parts)

    def _xml_field(
        self, res: Resource, row: dict[str, Any], lang: dict[int, dict[str, Any]], f: Field
    ) -> str:
        if f.lang:
            inner = "".join(
                f'<language id="{lid}" xlink:href="{self.base}languages/{lid}">'
                + cdata((lang.get(lid) or {}).get(f.name) or "")
                + "</language>"
                for lid in self.shown
            )
            return f"<{f.name}>{inner}</{f.name}>"
        value = row.get(f.name)
        attrs = ""
        if f.href and value not in (None, 0, "0", ""):
            target = (
                f"images/products/{row.get('id')}/{value}"
                if f.name == "id_default_image"
                else f"{f.href}/{value}"
            )
            attrs += f' xlink:href="{self.base}{target}"'
        if f.getter:
            attrs += ' notFilterable="true"'
        return f"<{f.name}{attrs}>{cdata(scalar_text(f, value))}</{f.name}>"

    def _xml_assoc(self, a: Association, items: list[dict[str, Any]], wanted: list[str]) -> str:
        head = f'<{a.name} nodeType="{a.node}"' + (
            ' virtualEntity="true"' if a.virtual else f' api="{a.api}"'
        )
        if not items:
            return head + "/>\n"
        parts = [head, ">\n"]
        for item in items:
            href = "" if a.virtual or a.api is None else f' xlink:href="{self.base}{a.api}/{item.get("id")}"'
            parts.append(f"\t<{a.node}{href}>\n")
            for key, value in item.items():
                if key not in wanted:
                    continue
                sub_href = ""
                if key == "id_feature_value":
                    sub_href = f' xlink:href="{self.base}product_feature_values/{value}"'
                elif a.virtual and key == "product_id" and value:
                    sub_href = f' xlink:href="{self.base}products/{value}"'
                elif a.virtual and key == "product_attribute_id" and value:
                    sub_href = f' xlink:href="{self.base}combinations/{value}"'
                parts.append(f"\t<{key}{sub_href}>{cdata(_assoc_text(value))}</{key}>\n")
            parts.append(f"\t</{a.node}>\n")
        parts.append(f"</{a.name}>\n")
        return "".join(parts)

    def xml_blank(self, res: Resource, synopsis: bool) -> str:
        parts = [f"<{res.node}>\n"]
        for f in res.fields:
            attrs = ""
            if synopsis:
                attrs = _synopsis_attrs(f)
            if f.lang:
                inner = "".join(
                    f'<language id="{lid}"{attrs if synopsis else ""}></language>' for lid in self.shown
                )
                parts.append(f"\t<{f.name}>{inner}</{f.name}>\n")
            else:
                parts.append(f"\t<{f.name}{attrs}></{f.name}>\n")
        if res.associations:
            parts.append("<associations>\n")
            for a in res.associations:
                head = f'<{a.name} nodeType="{a.node}"' + (
                    ' virtualEntity="true"' if a.virtual else f' api="{a.api}"'
                )
                inner = "".join(f"\t<{k}></{k}>\n" for k in a.fields)
                parts.append(f"{head}>\n\t<{a.node}>\n{inner}\t</{a.node}>\n</{a.name}>\n")
            parts.append("</associations>\n")
        parts.append(f"</{res.node}>\n")
        return "".join(parts)


def _synopsis_attrs(f: Field) -> str:
    fmt = {
        "id": "isUnsignedId",
        "int": "isUnsignedInt",
        "bool": "isBool",
        "nbool": "isBool",
        "defon": "isBool",
        "dec": "isPrice",
        "dec3": "isFloat",
        "date": "isDate",
        "day": "isDateFormat",
        "lang": "isGenericName",
        "str": "isString",
    }[f.type]
    attrs = f' format="{fmt}"'
    if f.req:
        attrs += ' required="true"'
    if f.ro or f.getter:
        attrs += ' read_only="true"'
    return attrs


_ASSOC_STRINGS = {"product_name", "product_reference", "product_ean13", "product_isbn", "product_upc"}
_ASSOC_DECIMALS = {"product_price", "unit_price_tax_incl", "unit_price_tax_excl"}


def _assoc_json(a: Association, key: str, value: Any) -> Any:
    if key in _ASSOC_DECIMALS:
        return f"{float(value):.6f}"
    if key in _ASSOC_STRINGS:
        return "" if value is None else str(value)
    return None if value is None else int(value)


def _assoc_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6f}"
    return "" if value is None else str(value)
