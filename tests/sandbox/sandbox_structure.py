"""Structural comparison of a recorded answer and an emulator answer: keys, nesting and value types.

Values are not compared (the emulator serves its own data). What the data decides is tolerated: `null`
against anything, an empty list against any list or object (PHP's empty array), lists compared element
by element against the recorded first element, maps keyed by ids compared by their values.
"""

from __future__ import annotations

from typing import Any

from defusedxml import ElementTree as SafeET


def json_differences(
    recorded: Any, actual: Any, path: str = "$", extra_keys_ok: set[str] | None = None
) -> list[str]:
    """Differences in shape between two JSON values (empty when they have the same structure)."""
    if recorded is None or actual is None or recorded == "" or actual == "":
        return []  # an unset value (null, or "" for an empty date or margin) says nothing of the type
    if isinstance(recorded, bool) or isinstance(actual, bool):
        return (
            []
            if type(recorded) is type(actual)
            else [f"{path}: {_kind(recorded)} recorded, {_kind(actual)} served"]
        )
    if isinstance(recorded, int | float) and isinstance(actual, int | float):
        return []
    if isinstance(recorded, str) and isinstance(actual, str):
        return []
    if (
        recorded == []
        and isinstance(actual, list | dict)
        or actual == []
        and isinstance(recorded, list | dict)
    ):
        return []
    if isinstance(recorded, list) and isinstance(actual, list):
        if not recorded or not actual:
            return []
        out: list[str] = []
        for i, item in enumerate(actual[:20]):
            out += json_differences(recorded[0], item, f"{path}[{i}]", extra_keys_ok)
        return out
    if isinstance(recorded, dict) and isinstance(actual, dict):
        if recorded and all(k.isdigit() for k in recorded) and all(k.isdigit() for k in actual):
            first = next(iter(recorded.values()))
            return [
                d
                for v in list(actual.values())[:5]
                for d in json_differences(first, v, f"{path}{{id}}", extra_keys_ok)
            ]
        out = []
        # A JSON association block appears only when it has items: which ones depends on the data.
        missing = set(recorded) - set(actual) if not path.endswith(".associations") else set()
        extra = set(actual) - set(recorded) - (extra_keys_ok or set())
        if missing:
            out.append(f"{path}: keys missing {sorted(missing)}")
        if extra:
            out.append(f"{path}: keys not in the real answer {sorted(extra)}")
        for key in recorded.keys() & actual.keys():
            out += json_differences(recorded[key], actual[key], f"{path}.{key}", extra_keys_ok)
        return out
    return [f"{path}: {_kind(recorded)} recorded, {_kind(actual)} served"]


def _kind(value: Any) -> str:
    return type(value).__name__


def xml_differences(recorded: str, actual: str, trimmed: bool = False) -> list[str]:
    """Differences in element structure (tags, attribute names, children) between two XML documents.

    `trimmed`: the recording kept only the first children of a long list (its note says so).
    """
    rec, act = SafeET.fromstring(recorded.encode()), SafeET.fromstring(actual.encode())
    return _xml(rec, act, rec.tag, trimmed)


def _xml(rec: Any, act: Any, path: str, trimmed: bool = False) -> list[str]:
    out = []
    if rec.tag != act.tag:
        return [f"{path}: <{rec.tag}> recorded, <{act.tag}> served"]
    if set(rec.attrib) != set(act.attrib) and not _href_only_difference(rec, act):
        out.append(f"{path}: attributes {sorted(rec.attrib)} recorded, {sorted(act.attrib)} served")
    rec_children, act_children = list(rec), list(act)
    if not rec_children or not act_children:
        return out
    rec_tags = [c.tag for c in rec_children]
    act_tags = [c.tag for c in act_children]
    if len(set(rec_tags)) == 1 and len(set(act_tags)) == 1:
        # A list of like elements: every served item against the recorded first one.
        for i, child in enumerate(act_children[:10]):
            out += _xml(rec_children[0], child, f"{path}/{child.tag}[{i}]", trimmed)
        return out
    if rec_tags != act_tags[: len(rec_tags)] or (len(rec_tags) < len(act_tags) and not trimmed):
        out.append(f"{path}: children {rec_tags} recorded, {act_tags} served")
        return out
    for r, a in zip(rec_children, act_children[: len(rec_children)], strict=True):
        out += _xml(r, a, f"{path}/{r.tag}", trimmed)
    return out


def _href_only_difference(rec: Any, act: Any) -> bool:
    """An xlink on a foreign key appears only when the key is not 0: a data difference."""
    href = "{http://www.w3.org/1999/xlink}href"
    return set(rec.attrib) ^ set(act.attrib) == {href}
