"""Declared raw tables: column types for dlt and arrow, and the conversion of parsed JSON rows to typed arrow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

DELETED = "_deleted"

# Column kinds: how a JSON value becomes a typed column.
INT = "int"  # JSON number or numeric string -> BIGINT
TEXT = "text"  # string (numbers rendered as text) -> VARCHAR
BOOL = "bool"  # "0"/"1"/""/0/1/true/false -> BOOLEAN ("" is an unset flag: false)
MONEY = "money"  # decimal string or number -> DECIMAL(18, source money scale)
DEC = "dec"  # other decimals (quantities, rates, weights) -> DECIMAL(18, 6)
LOCAL_TS = "local_ts"  # "YYYY-MM-DD HH:MM:SS" wall-clock of the system's zone -> TIMESTAMPTZ (UTC)
UNIX_TS = "unix_ts"  # Unix seconds (number or string); a SQL date string is read as LOCAL_TS
DATE = "date"  # "YYYY-MM-DD" -> DATE ("0000-00-00" is null)
JSON = "json"  # any JSON value -> VARCHAR holding JSON (secret-looking keys removed)
LANG = "lang"  # multilingual value -> VARCHAR holding {"<language id>": "text", ...}

_KINDS = {INT, TEXT, BOOL, MONEY, DEC, LOCAL_TS, UNIX_TS, DATE, JSON, LANG}
_UTC_US = pa.timestamp("us", tz="UTC")
_TEXT_BOOLS = {"1": True, "0": False, "": False, "true": True, "false": False}
_BOOLS: dict[Any, bool] = {**_TEXT_BOOLS, 1: True, 0: False}


class ConversionError(ValueError):
    """One value could not be typed; names the column, the value and the record."""

    def __init__(self, column: str, value: Any, record: Any, expected: str) -> None:
        self.column = column
        super().__init__(f"record {record}, field {column!r}: {value!r} is not {expected}")


@dataclass(frozen=True)
class Column:
    """One raw column: its name (the API's own field name) and its kind."""

    name: str
    kind: str
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Conversion:
    """What typing needs to know about the system: its wall-clock zone, money scale and default language."""

    timezone: str = "UTC"
    money_scale: int = 6
    default_language: int = 1


@dataclass(frozen=True)
class TableSpec:
    """A raw table: name, typed columns, keys, and whether a sweep may mark its rows `_deleted`.

    Attributes:
        name: the table name (plural noun), also the dlt resource name.
        columns: the declared columns, in order; nothing else is ever loaded.
        primary_key: the key merged on.
        merge_key: for child rows, the parent key whose rows are replaced as a whole.
        soft_delete: adds the `_deleted` boolean set only by a full sweep.
        write_disposition: `merge` (entities) or `append`.
    """

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ("id",)
    merge_key: tuple[str, ...] = ()
    soft_delete: bool = True
    write_disposition: str = "merge"
    _names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate column names")
        missing = [k for k in (*self.primary_key, *self.merge_key) if k not in names]
        if missing:
            raise ValueError(f"{self.name}: key columns {missing} are not declared")
        secret = [n for n in names if is_secret_name(n)]
        if secret:
            raise ValueError(f"{self.name}: secret fields may never be columns: {secret}")
        object.__setattr__(self, "_names", frozenset(names))

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def _is_key(self, name: str) -> bool:
        return name in self.primary_key or name in self.merge_key

    def dlt_columns(self, conversion: Conversion) -> dict[str, dict[str, Any]]:
        """Column hints for dlt (types, nullability); `_deleted` included when the table has a sweep, and it
        decides between duplicates of a key in one load."""
        hints = {
            c.name: _dlt_type(c, conversion) | {"nullable": c.nullable and not self._is_key(c.name)}
            for c in self.columns
        }
        if self.soft_delete:
            # a row read in this run's window and found gone by its sweep meet in one load: the mark wins
            # (dlt keeps the highest `dedup_sort` value among duplicate keys; NULL sorts last in DuckDB)
            hints[DELETED] = {"data_type": "bool", "nullable": True, "dedup_sort": "desc"}
        return hints

    def arrow_schema(self, conversion: Conversion) -> pa.Schema:
        fields = [
            pa.field(c.name, _arrow_type(c, conversion), nullable=c.nullable and not self._is_key(c.name))
            for c in self.columns
        ]
        if self.soft_delete:
            fields.append(pa.field(DELETED, pa.bool_()))
        return pa.schema(fields)

    def to_arrow(self, rows: Sequence[Mapping[str, Any]], conversion: Conversion) -> pa.Table:
        """Type parsed JSON rows into an arrow table of exactly the declared columns.

        Undeclared fields (secrets included) are dropped; a value that cannot be typed raises
        `ConversionError` naming the record (its key) and the field. Columns whose values arrive as one
        JSON type (the usual case) are pulled out of the rows by arrow and typed by its kernels; the others,
        and any column a kernel refuses, are typed value by value, with the same result.
        """
        schema = self.arrow_schema(conversion)
        raw = _raw_arrays(self.columns, rows)
        arrays: list[pa.Array] = []
        for column in self.columns:
            array = _convert_array(column, raw[column.name], conversion) if column.name in raw else None
            if array is None:  # not one JSON type, or a value the vectorised kernels refuse: value by value
                values = [row.get(column.name) for row in rows]
                try:
                    array = _convert(column, values, conversion)
                except _BadValue as bad:
                    raise ConversionError(
                        column.name, bad.value, self._record(rows[bad.index]), bad.expected
                    ) from None
            if not schema.field(column.name).nullable and array.null_count:
                index = next(i for i, v in enumerate(array.to_pylist()) if v is None)
                raise ConversionError(column.name, None, self._record(rows[index]), "present (key column)")
            arrays.append(array)
        if self.soft_delete:
            arrays.append(pa.array([False] * len(rows), pa.bool_()))
        return pa.Table.from_arrays(arrays, schema=schema)

    def empty(self, conversion: Conversion) -> pa.Table:
        return self.arrow_schema(conversion).empty_table()

    def _record(self, row: Mapping[str, Any]) -> str:
        return " ".join(f"{k}={row.get(k)!r}" for k in self.primary_key)


def table(
    name: str,
    columns: Mapping[str, str],
    *,
    key: str | tuple[str, ...] = "id",
    merge_key: str | tuple[str, ...] = (),
    soft_delete: bool = True,
    write_disposition: str = "merge",
) -> TableSpec:
    """Declare a raw table from `{"field": KIND, ...}`."""
    return TableSpec(
        name=name,
        columns=tuple(Column(n, k) for n, k in columns.items()),
        primary_key=(key,) if isinstance(key, str) else key,
        merge_key=(merge_key,) if isinstance(merge_key, str) else merge_key,
        soft_delete=soft_delete,
        write_disposition=write_disposition,
    )


# Never a column, never inside a JSON column: PrestaShop customer and order secrets, Dolibarr keys and passwords.
SECRET_NAMES = frozenset(
    {"passwd", "secure_key", "reset_password_token", "reset_password_validity", "last_passwd_gen", "api_key"}
)


def is_secret_name(name: str) -> bool:
    """True for a field that must never be stored: the named secrets and every `pass*` field."""
    lowered = name.lower()
    return lowered in SECRET_NAMES or lowered.startswith("pass") or lowered.startswith("options_pass")


def scrub(value: Any) -> Any:
    """A JSON value with every secret-looking key removed, at any depth."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if not is_secret_name(str(k))}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _dlt_type(column: Column, conversion: Conversion) -> dict[str, Any]:
    kind = column.kind
    if kind == INT:
        return {"data_type": "bigint"}
    if kind == BOOL:
        return {"data_type": "bool"}
    if kind == MONEY:
        return {"data_type": "decimal", "precision": 18, "scale": conversion.money_scale}
    if kind == DEC:
        return {"data_type": "decimal", "precision": 18, "scale": 6}
    if kind in (LOCAL_TS, UNIX_TS):
        return {"data_type": "timestamp", "timezone": True}
    if kind == DATE:
        return {"data_type": "date"}
    return {"data_type": "text"}


def _arrow_type(column: Column, conversion: Conversion) -> pa.DataType:
    kind = column.kind
    if kind == INT:
        return pa.int64()
    if kind == BOOL:
        return pa.bool_()
    if kind == MONEY:
        return pa.decimal128(18, conversion.money_scale)
    if kind == DEC:
        return pa.decimal128(18, 6)
    if kind in (LOCAL_TS, UNIX_TS):
        return _UTC_US
    if kind == DATE:
        return pa.date32()
    return pa.string()


# Kinds typed from a column of JSON scalars by arrow's kernels, and the arrow type each JSON scalar type is
# pulled as (integers as doubles, made int64 by `_whole_numbers`: one pull that still sees a fraction).
_VECTOR_KINDS = frozenset({INT, TEXT, BOOL, MONEY, DEC, LOCAL_TS, UNIX_TS, DATE})
_RAW_TYPES: dict[type, pa.DataType] = {int: pa.float64(), str: pa.string()}
_NULL_TEXT = pa.scalar(None, pa.string())


def _raw_arrays(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> dict[str, pa.Array]:
    """The scalar columns of parsed rows as arrow arrays, pulled out of the dicts in one pass by arrow.

    A column's JSON type is read from the first row (an int or a string; the APIs keep one type per field);
    the columns of another type there and integer columns holding a fraction somewhere are left out (typed
    value by value), and so is every column of a batch where some row breaks the pattern or holds an integer
    beyond 2**53 (a double cannot hold it exactly).
    """
    if not rows:
        return {}
    first = rows[0]
    fields = [
        pa.field(c.name, raw)
        for c in columns
        if c.kind in _VECTOR_KINDS and (raw := _RAW_TYPES.get(type(first.get(c.name)))) is not None
    ]
    if not fields:
        return {}
    try:
        pulled = pa.array(rows, pa.struct(fields)).flatten()
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return {}
    arrays: dict[str, pa.Array] = {}
    for raw, array in zip(fields, pulled, strict=True):
        if raw.type == pa.float64():  # integers: pulled as doubles, which keep a fraction arrow would cut
            array = _whole_numbers(array)
        if array is not None:
            arrays[raw.name] = array
    return arrays


def _whole_numbers(doubles: pa.Array) -> pa.Array | None:
    """JSON integers pulled as doubles (exact up to 2**53: arrow refuses larger ones) as an int64 array;
    None when one is not whole (arrow would read a JSON 5.7 straight into an int64 array as 5, silently)."""
    try:
        return pc.cast(doubles, pa.int64())  # a safe cast: a fraction raises
    except pa.ArrowInvalid:
        return None


def _convert_array(column: Column, raw: pa.Array, conversion: Conversion) -> pa.Array | None:
    """A raw column typed by arrow's kernels; None when a value needs the value-by-value path (which
    rounds extra decimals, reads "5.0" as 5, or names the bad record)."""
    kind = column.kind
    if raw.type == pa.int64():
        if kind == INT:
            return raw
        if kind == UNIX_TS:
            return _unix_seconds(raw)
        if kind == BOOL and pc.all(pc.is_in(pc.drop_null(raw), pa.array([0, 1]))).as_py():
            return raw.cast(pa.bool_())
        return None
    try:
        if kind == TEXT:
            return raw
        if kind in (INT, MONEY, DEC):
            return pc.cast(_trimmed_numbers(raw), _arrow_type(column, conversion))
        if kind == LOCAL_TS:
            return _parse_local(_without_zero_dates(raw), conversion.timezone)
        if kind == DATE:
            return _parse_dates(_without_zero_dates(raw))
        if kind == UNIX_TS:
            # "" is unset; SQL date strings (a "-") and anything not an integer go value by value
            if pc.any(pc.match_substring(raw, "-")).as_py():
                return None
            return _unix_seconds(pc.cast(pc.if_else(pc.equal(raw, ""), _NULL_TEXT, raw), pa.int64()))
        return _bools_of_texts(raw)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None


def _bools_of_texts(raw: pa.Array) -> pa.Array | None:
    """Flags written as text: "1"/"true" true, "0"/"false"/"" false (any case, spaces around); None when
    another value is there."""
    keys = pc.utf8_lower(pc.utf8_trim_whitespace(raw))
    if not pc.all(pc.is_in(pc.drop_null(keys), pa.array(list(_TEXT_BOOLS)))).as_py():
        return None
    truth = pc.is_in(keys, pa.array([k for k, v in _TEXT_BOOLS.items() if v]))
    return pc.if_else(pc.is_valid(raw), truth, pa.scalar(None, pa.bool_()))


class _BadValue(Exception):
    def __init__(self, index: int, value: Any, expected: str) -> None:
        self.index, self.value, self.expected = index, value, expected


def _convert(column: Column, values: list[Any], conversion: Conversion) -> pa.Array:
    kind = column.kind
    if kind == INT:
        return _ints(values)
    if kind == TEXT:
        try:
            return pa.array(values, pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([v if v is None or type(v) is str else _as_text(v) for v in values], pa.string())
    if kind == BOOL:
        return _bools(values)
    if kind in (MONEY, DEC):
        return _decimals(values, conversion.money_scale if kind == MONEY else 6)
    if kind == LOCAL_TS:
        return _local_timestamps(values, conversion.timezone)
    if kind == UNIX_TS:
        return _unix_timestamps(values, conversion.timezone)
    if kind == DATE:
        return _dates(values)
    if kind == JSON:
        return pa.array([None if v is None else orjson.dumps(scrub(v)).decode() for v in values], pa.string())
    return pa.array([_languages(v, conversion.default_language) for v in values], pa.string())


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        return orjson.dumps(scrub(value)).decode()
    return str(value)


def _number_text(value: Any) -> str | None:
    """A number or numeric string as clean text (None for null and empty); anything else unchanged."""
    if value is None:
        return None
    if type(value) is str:
        stripped = value.strip()
        return stripped or None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return value  # left for the caller to reject


def _first_bad(values: Iterable[Any], check: Any, expected: str) -> _BadValue:
    for index, value in enumerate(values):
        if value is None:
            continue
        try:
            check(value)
        except (ValueError, TypeError, InvalidOperation):
            return _BadValue(index, value, expected)
    return _BadValue(0, None, expected)  # unreachable when the vectorised cast failed on a real value


def _clean_texts(values: list[Any]) -> pa.Array:
    """Numbers as a string array, blanks as nulls: vectorised when the API sent strings (Dolibarr always does)."""
    try:
        texts = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([_number_text(v) for v in values], pa.string())
    return _trimmed_numbers(texts)


def _trimmed_numbers(texts: pa.Array) -> pa.Array:
    """Numbers written as text, spaces around removed, blanks as nulls."""
    trimmed = pc.utf8_trim_whitespace(texts)
    return pc.if_else(pc.equal(trimmed, ""), _NULL_TEXT, trimmed)


def _ints(values: list[Any]) -> pa.Array:
    try:
        ints = _whole_numbers(pa.array(values, pa.float64()))
        if ints is not None:
            return ints
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    texts = _clean_texts(values)
    try:
        return pc.cast(texts, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    # integral decimals ("5.0", "3.00000000") are whole numbers written the Dolibarr way
    out: list[int | None] = []
    for index, text in enumerate(texts.to_pylist()):
        if text is None:
            out.append(None)
            continue
        try:
            number = Decimal(text)
        except (InvalidOperation, TypeError):
            raise _BadValue(index, values[index], "a whole number") from None
        if number != number.to_integral_value():
            raise _BadValue(index, values[index], "a whole number")
        out.append(int(number))
    return pa.array(out, pa.int64())


def _bools(values: list[Any]) -> pa.Array:
    out: list[bool | None] = []
    for index, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        key = value.strip().lower() if type(value) is str else value
        try:
            out.append(_BOOLS[key])
        except (KeyError, TypeError):
            raise _BadValue(index, value, "a boolean (0/1)") from None
    return pa.array(out, pa.bool_())


def _decimals(values: list[Any], scale: int) -> pa.Array:
    target = pa.decimal128(18, scale)
    array = _clean_texts(values)
    try:
        return pc.cast(array, target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    texts = array.to_pylist()
    # more decimals than the column keeps (rates like 0.1234567): round half-even, as the platforms do
    quantum = Decimal(1).scaleb(-scale)
    out: list[Decimal | None] = []
    for index, text in enumerate(texts):
        if text is None:
            out.append(None)
            continue
        try:
            out.append(Decimal(text).quantize(quantum, rounding=ROUND_HALF_EVEN))
        except (InvalidOperation, TypeError):
            raise _BadValue(index, values[index], "a decimal number") from None
    for index, number in enumerate(out):
        if number is not None and len(number.as_tuple().digits) > 18:
            raise _BadValue(index, values[index], "a decimal of at most 18 digits")
    return pa.array(out, target)


def _zero_date(value: Any) -> bool:
    return not value or (type(value) is str and value.startswith("0000-00-00"))


def _without_zero_dates(texts: pa.Array) -> pa.Array:
    """Blank and `0000-00-00...` dates (MySQL's unset date) as nulls."""
    unset = pc.or_(pc.equal(texts, ""), pc.starts_with(texts, "0000-00-00"))
    return pc.if_else(unset, _NULL_TEXT, texts)


def _parse_local(texts: pa.Array, timezone: str) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS' wall-clock times of `timezone` as UTC instants (raises ArrowInvalid)."""
    parsed = pc.strptime(texts, format="%Y-%m-%d %H:%M:%S", unit="us")
    # wall-clock times: the repeated autumn hour reads as its first occurrence, the skipped spring hour as its end
    zoned = pc.assume_timezone(parsed, timezone, ambiguous="earliest", nonexistent="latest")
    return pc.cast(zoned, _UTC_US)


def _parse_dates(texts: pa.Array) -> pa.Array:
    return pc.cast(pc.strptime(texts, format="%Y-%m-%d", unit="s"), pa.date32())


def _local_timestamps(values: list[Any], timezone: str) -> pa.Array:
    texts = [None if _zero_date(v) else v for v in values]
    try:
        return _parse_local(pa.array(texts, pa.string()), timezone)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise _first_bad(
            texts, lambda v: datetime.strptime(v, "%Y-%m-%d %H:%M:%S"), "a 'YYYY-MM-DD HH:MM:SS' time"
        ) from None


def _unix_timestamps(values: list[Any], timezone: str) -> pa.Array:
    seconds: list[int | None] = []
    local: dict[int, str] = {}
    for index, value in enumerate(values):
        if value is None or value == "":
            seconds.append(None)
        elif type(value) is str and "-" in value:
            local[index] = value  # Dolibarr gives some dates as SQL strings in the server's zone
            seconds.append(None)
        else:
            try:
                seconds.append(int(Decimal(_number_text(value))))  # type: ignore[arg-type]
            except (InvalidOperation, TypeError, ValueError):
                raise _BadValue(index, value, "a Unix timestamp") from None
    array = _unix_seconds(pa.array(seconds, pa.int64()))
    if not local:
        return array
    texts = [local.get(i) for i in range(len(values))]
    parsed = _local_timestamps(texts, timezone)
    return pc.if_else(pc.is_null(array), parsed, array)


def _unix_seconds(seconds: pa.Array) -> pa.Array:
    return pc.cast(seconds.cast(pa.timestamp("s", tz="UTC")), _UTC_US)


def _dates(values: list[Any]) -> pa.Array:
    texts = [None if _zero_date(v) else v for v in values]
    try:
        return _parse_dates(pa.array(texts, pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise _first_bad(texts, lambda v: datetime.strptime(v, "%Y-%m-%d"), "a 'YYYY-MM-DD' date") from None


def _languages(value: Any, default_language: int) -> str | None:
    """`[{"id": 1, "value": "..."}, ...]` or a plain string (one language) as `{"1": "...", ...}`."""
    if value is None:
        return None
    if isinstance(value, list):
        mapping = {str(item.get("id")): item.get("value") for item in value if isinstance(item, dict)}
    elif isinstance(value, dict) and "language" in value:  # XML-shaped {"language": [...]} answers
        return _languages(value["language"], default_language)
    else:
        mapping = {str(default_language): value if isinstance(value, str) else _as_text(value)}
    return orjson.dumps(mapping).decode()
