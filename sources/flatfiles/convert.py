"""Typing text cells from files into arrow columns, vectorised, with the rows and fields that do not fit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sources._common.columns import DATE, DEC, INT, LOCAL_TS, MONEY, TEXT
from sources.flatfiles.mapping import ColumnRule
from sources.flatfiles.settings import MONEY_SCALE

_UTC_US = pa.timestamp("us", tz="UTC")
_WIDE = pa.decimal128(38, 18)
_INT_RE = r"^[+-]?\d{1,18}$"
_DEC_RE = r"^[+-]?(\d{1,20}(\.\d{0,18})?|\.\d{1,18})$"
# Spaces a spreadsheet writes as thousands separators besides the configured one.
_SPACES = ("\u00a0", "\u202f")


@dataclass(frozen=True)
class NumberFormat:
    """How numbers are written in a file: the decimal mark and the thousands separator (may be empty)."""

    decimal: str = "."
    thousands: str = ""


@dataclass
class Problems:
    """Cells that did not fit, by row index: the first field and reason per row, and a row mask."""

    rows: int
    reasons: dict[int, tuple[str, str]] = field(default_factory=dict)

    def add(self, mask: pa.Array, field_name: str, describe: str, values: pa.Array) -> None:
        """Record every row where `mask` is true: `field_name` holds a value that is not `describe`."""
        if not pc.any(mask).as_py():
            return
        indices = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        shown = values.take(pa.array(indices)).to_pylist()
        for index, value in zip(indices.tolist(), shown, strict=True):
            if index not in self.reasons:
                reason = f"{describe}" if value is None else f"{value!r} is not {describe}"
                self.reasons[index] = (field_name, reason)

    def good_mask(self) -> pa.Array | None:
        """True for the rows that typed cleanly; None when every row did."""
        if not self.reasons:
            return None
        keep = np.ones(self.rows, dtype=bool)
        keep[list(self.reasons)] = False
        return pa.array(keep)


# Trimmed around every cell: ASCII whitespace and the no-break spaces spreadsheets write (an explicit set
# trims ten times faster than Unicode whitespace classification).
_BLANKS = " \t\r\n\v\f\u00a0\u202f"


def clean(values: pa.Array) -> pa.Array:
    """Trimmed text with empty cells as null."""
    trimmed = pc.utf8_trim(values, characters=_BLANKS)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def type_column(
    rule: ColumnRule,
    texts: pa.Array | None,
    rows: int,
    *,
    timezone: str,
    numbers: NumberFormat,
    problems: Problems,
    required: bool = False,
) -> pa.Array:
    """One typed column from its text cells; cells that do not fit become null and are recorded.

    Args:
        rule: the canonical column and how to read it.
        texts: the cells (string array), or None when the file has no such column.
        rows: the number of rows (for a column the file lacks).
        timezone: the connection's zone, for wall-clock times without one of their own.
        numbers: the file's decimal mark and thousands separator.
        problems: collects the rows whose cell does not fit (the field named by the rule's source).
        required: an empty cell is a problem too.

    Returns:
        The typed array (null where the cell was empty or did not fit).
    """
    if texts is None:
        texts = pa.nulls(rows, pa.string())
    else:
        texts = clean(texts)
    if rule.default is not None:
        texts = pc.fill_null(texts, rule.default)
    field_name = rule.source or rule.name
    if required:
        problems.add(pc.is_null(texts), field_name, "present (required)", texts)
    kind = rule.kind
    if kind == TEXT:
        typed = texts if rule.values is None else _mapped(texts, rule.values)
        expected = "one of " + ", ".join(repr(v) for v in rule.values or ())
    elif kind == INT:
        typed, expected = _integers(texts), "a whole number"
    elif kind in (DEC, MONEY):
        scale = MONEY_SCALE if kind == MONEY else 6
        typed, expected = _decimals(texts, scale, numbers), "a decimal number"
    elif kind == LOCAL_TS:
        typed = _timestamps(texts, rule.formats, rule.timezone or timezone)
        expected = "a time as " + " or ".join(rule.formats)
    elif kind == DATE:
        typed = pc.cast(_timestamps(texts, rule.formats, "UTC"), pa.date32())
        expected = "a date as " + " or ".join(rule.formats)
    else:  # the mapping refuses other kinds
        raise ValueError(f"column {rule.name}: kind {kind} cannot be read from a file")
    problems.add(pc.and_(pc.is_valid(texts), pc.is_null(typed)), field_name, expected, texts)
    return typed


def _mapped(texts: pa.Array, values: dict[str, str]) -> pa.Array:
    keys = pa.array(list(values), pa.string())
    index = pc.index_in(texts, value_set=keys)
    return pc.take(pa.array(list(values.values()), pa.string()), index)


def _integers(texts: pa.Array) -> pa.Array:
    valid = pc.match_substring_regex(texts, _INT_RE)
    # Arrow reads "-3" but not "+2"
    return pc.cast(pc.utf8_ltrim(pc.if_else(valid, texts, pa.scalar(None, pa.string())), "+"), pa.int64())


def _decimals(texts: pa.Array, scale: int, numbers: NumberFormat) -> pa.Array:
    target = pa.decimal128(18, scale)
    if numbers.thousands:
        separators = {numbers.thousands, *(_SPACES if numbers.thousands.isspace() else ())}
        for separator in separators:
            texts = pc.replace_substring(texts, separator, "")
    if numbers.decimal != ".":
        # with a decimal comma, a point is no number's part ("12.5" is not 12,5 misread)
        points = pc.match_substring(texts, ".")
        if pc.any(points).as_py():
            texts = pc.if_else(points, pa.scalar(None, pa.string()), texts)
        texts = pc.replace_substring(texts, numbers.decimal, ".")
    try:
        return pc.cast(texts, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # a bad cell, or more decimals than the column keeps: the careful path below
    valid = pc.match_substring_regex(texts, _DEC_RE)
    checked = pc.utf8_ltrim(pc.if_else(valid, texts, pa.scalar(None, pa.string())), "+")
    wide = pc.cast(checked, _WIDE)
    # more decimals than kept: rounded half-even, as the platforms round
    rounded = pc.round(wide, ndigits=scale, round_mode="half_to_even")
    limit = pa.scalar(Decimal(10) ** (18 - scale), _WIDE)
    fits = pc.less(pc.abs(rounded), limit)
    return pc.cast(pc.if_else(fits, rounded, pa.scalar(None, _WIDE)), target)


def _timestamps(texts: pa.Array, formats: tuple[str, ...], zone: str) -> pa.Array:
    result: pa.Array | None = None
    for fmt in formats:
        parsed = pc.strptime(texts, format=fmt, unit="us", error_is_null=True)
        if "%d" in fmt and "%z" not in fmt:
            parsed = _without_day_overflow(parsed, texts, fmt)
        if parsed.type.tz is None:
            if zone == "UTC":
                parsed = pc.cast(parsed, _UTC_US)
            else:
                # wall-clock times: the repeated autumn hour reads as its first occurrence, the skipped
                # spring hour as its end (as the API sources do)
                parsed = pc.assume_timezone(parsed, zone, ambiguous="earliest", nonexistent="latest")
        parsed = pc.cast(parsed, _UTC_US)
        result = parsed if result is None else pc.coalesce(result, parsed)
    if result is None:
        return pa.nulls(len(texts), _UTC_US)
    return result


def _without_day_overflow(parsed: pa.Array, texts: pa.Array, fmt: str) -> pa.Array:
    """Null where strptime rolled an impossible day over (Arrow reads 2026-02-31 as 2026-03-03).

    Rolled-over values land on days 1 to 3; for those, the day written in the text must be the parsed
    day. In a text as wide as the format's fully padded output the day sits at a known place; any other
    text is written back with the format and compared (leading zeros aside).
    """
    suspicious = pc.fill_null(pc.less_equal(pc.day(parsed), 3), False)
    if not pc.any(suspicious).as_py():
        return parsed
    indices = np.flatnonzero(suspicious.to_numpy(zero_copy_only=False))
    candidates = pa.array(indices)
    days = pc.day(parsed.take(candidates))
    shown = texts.take(candidates)
    probe = datetime(2001, 11, 22, 13, 44, 55).strftime(fmt)
    place = probe.find("22") if probe.count("22") == 1 else -1
    fixed = (
        pc.equal(pc.utf8_length(shown), len(probe)).to_numpy(zero_copy_only=False)
        if place >= 0
        else np.zeros(len(indices), dtype=bool)
    )
    wrong = np.zeros(len(indices), dtype=bool)
    if fixed.any():
        written_day = pc.utf8_slice_codeunits(shown.filter(pa.array(fixed)), place, place + 2)
        same = pc.equal(pc.cast(written_day, pa.int64()), days.filter(pa.array(fixed)))
        wrong[np.flatnonzero(fixed)] = ~same.to_numpy(zero_copy_only=False)
    if not fixed.all():
        others = pa.array(np.flatnonzero(~fixed))
        # in seconds: %S of a microsecond timestamp would print the fraction
        seconds = pc.cast(parsed.take(candidates).take(others), pa.timestamp("s", parsed.type.tz))
        same = pc.equal(_unpadded(pc.strftime(seconds, format=fmt)), _unpadded(shown.take(others)))
        wrong[np.flatnonzero(~fixed)] = ~same.to_numpy(zero_copy_only=False)
    bad = np.zeros(len(parsed), dtype=bool)
    bad[indices[wrong]] = True
    return pc.if_else(pa.array(bad), pa.scalar(None, parsed.type), parsed)


def _unpadded(values: pa.Array) -> pa.Array:
    return pc.utf8_lower(pc.replace_substring_regex(values, r"(^|[^0-9])0+([0-9])", r"\1\2"))
