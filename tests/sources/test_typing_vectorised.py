"""The vectorised typing path (columns pulled out of the rows by arrow) gives what the value-by-value path gives."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from sources._common import columns
from sources._common.columns import Conversion, ConversionError, table

PARIS = Conversion(timezone="Europe/Paris", money_scale=6, default_language=1)

SPEC = table(
    "documents",
    {
        "id": "int",
        "ref": "text",
        "qty": "int",
        "paid": "bool",
        "valid": "bool",
        "total": "money",
        "rate": "dec",
        "date_upd": "local_ts",
        "tms": "unix_ts",
        "due": "date",
        "name": "lang",
        "extra": "json",
    },
)


def _row(i: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": i,
        "ref": f"R{i}",
        "qty": str(i % 7),
        "paid": "1" if i % 2 else "0",
        "valid": i % 2,
        "total": f"{i}.500000",
        "rate": "20.000",
        "date_upd": f"2026-03-{1 + i % 28:02d} 10:{i % 60:02d}:00",
        "tms": 1_767_225_600 + i,
        "due": f"2026-04-{1 + i % 28:02d}",
        "name": [{"id": "1", "value": f"N{i}"}],
        "extra": {"k": i, "passwd": "secret"},
        "secure_key": "s" * 32,
    }
    row.update(values)
    return row


def _value_by_value(rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> pa.Table:
    with monkeypatch.context() as patch:
        patch.setattr(columns, "_raw_arrays", lambda specs, batch: {})
        return SPEC.to_arrow(rows, PARIS)


def test_the_api_shapes_are_pulled_out_by_arrow():
    # GIVEN rows shaped as the APIs send them (integer ids, strings, nested languages and objects)
    rows = [_row(i) for i in range(1, 50)]
    # WHEN the raw arrays are pulled out
    raw = columns._raw_arrays(SPEC.columns, rows)
    # THEN every scalar column is, with the JSON type of its values; nested ones are left to the values path
    assert {name: str(array.type) for name, array in raw.items()} == {
        "id": "int64",
        "ref": "string",
        "qty": "string",
        "paid": "string",
        "valid": "int64",
        "total": "string",
        "rate": "string",
        "date_upd": "string",
        "tms": "int64",
        "due": "string",
    }
    assert raw["qty"].to_pylist()[:3] == ["1", "2", "3"]


EDGES = [
    # blanks, unset MySQL dates and flags, spaces around numbers, upper-case flags
    {"qty": " 4 ", "paid": "", "total": " 12.5 ", "date_upd": "0000-00-00 00:00:00", "due": "0000-00-00"},
    {"qty": "", "paid": " TRUE ", "total": "", "rate": "", "date_upd": "", "due": "", "tms": None},
    {"qty": None, "paid": None, "valid": None, "total": None, "rate": None, "date_upd": None, "due": None},
    # the autumn repeated hour and the spring skipped hour of Paris
    {"date_upd": "2026-10-25 02:30:00"},
    {"date_upd": "2026-03-29 02:30:00"},
]
# values the kernels refuse and the value-by-value path reads: that column falls back, with the same result
REFUSED = [
    {"qty": "5.0"},  # an integral decimal, the Dolibarr way
    {"rate": "5.5000015"},  # more decimals than kept: rounded half-even
]
# values the kernels read as the value-by-value path does: nothing falls back
ACCEPTED = [
    {"valid": True},  # a JSON boolean among 0/1 integers reads as 1
    {"id": 2.0},  # an integral JSON number written with a decimal point
]
# a row breaking its column's JSON type: arrow cannot pull the batch, every column falls back
TYPE_BREAKS = [
    {"tms": "1767225600"},  # a Unix time as a string among integers
    {"tms": "2026-01-01 10:00:00"},  # a SQL date string among Unix times
    {"ref": 12},  # a number among strings
    {"id": 2**53 + 1},  # an integer a double cannot hold exactly (integers are pulled as doubles)
]


@pytest.mark.parametrize(
    "edge",
    EDGES + REFUSED + ACCEPTED + TYPE_BREAKS,
    ids=lambda e: ",".join(f"{k}={v!r}" for k, v in e.items()),
)
def test_vectorised_and_value_by_value_paths_agree(edge: dict[str, Any], monkeypatch: pytest.MonkeyPatch):
    # GIVEN a batch with one unusual row in the middle
    rows = [_row(1), _row(2, **edge), _row(3)]
    # WHEN typed both ways
    by_value: list[str] = []
    with monkeypatch.context() as patch:
        convert = columns._convert
        patch.setattr(columns, "_convert", lambda c, v, conv: by_value.append(c.name) or convert(c, v, conv))
        fast = SPEC.to_arrow(rows, PARIS)
    slow = _value_by_value(rows, monkeypatch)
    # THEN the tables are equal, value for value and type for type
    assert fast.schema == slow.schema
    assert fast.to_pylist() == slow.to_pylist()
    # AND the usual values were typed by the kernels: only the nested columns, and the column holding a
    # value the kernels refuse, went value by value (every column when a row breaks its column's JSON type)
    if edge in TYPE_BREAKS:
        assert by_value == SPEC.column_names
    else:
        assert set(by_value) == {"name", "extra", *(edge if edge in REFUSED else ())}


def test_edge_values_read_as_the_platforms_mean_them():
    rows = [_row(1, **EDGES[0]), _row(2, **EDGES[1]), _row(3, **EDGES[3]), _row(4, **EDGES[4])]
    typed = SPEC.to_arrow(rows, PARIS).to_pylist()
    assert [r["qty"] for r in typed] == [4, None, 3, 4]
    assert [r["paid"] for r in typed] == [False, True, True, False]
    assert [r["total"] for r in typed] == [
        Decimal("12.500000"),
        None,
        Decimal("3.500000"),
        Decimal("4.500000"),
    ]
    assert typed[0]["date_upd"] is None and typed[0]["due"] is None
    assert typed[2]["date_upd"] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, first occurrence
    assert typed[3]["date_upd"] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # skipped hour: its end
    assert typed[0]["tms"] == datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert typed[0]["name"] == '{"1":"N1"}' and typed[0]["extra"] == '{"k":1}'
    assert "secure_key" not in typed[0]


def test_a_bad_value_in_a_vectorised_column_still_names_its_record_and_field():
    rows = [_row(1), _row(2, total="12,50"), _row(3)]
    with pytest.raises(ConversionError, match=r"record id=2, field 'total': '12,50' is not a decimal"):
        SPEC.to_arrow(rows, PARIS)
    with pytest.raises(ConversionError, match=r"record id=3, field 'paid': 2 is not a boolean"):
        SPEC.to_arrow([_row(1), _row(2), _row(3, paid=2)], PARIS)
    with pytest.raises(
        ConversionError, match=r"record id=2, field 'tms': '-5' is not a 'YYYY-MM-DD HH:MM:SS'"
    ):
        SPEC.to_arrow([_row(1, tms="1"), _row(2, tms="-5")], PARIS)


def test_a_fraction_in_a_whole_number_column_is_refused_not_truncated():
    # arrow reads a JSON 5.7 into an int64 array as 5: both paths must see it
    spec = table("stock", {"id": "int", "quantity": "int", "active": "bool"})
    for rows in ([{"id": 1, "quantity": 3}, {"id": 2, "quantity": 5.7}], [{"id": 2, "quantity": 5.7}]):
        with pytest.raises(
            ConversionError, match=r"record id=2, field 'quantity': 5.7 is not a whole number"
        ):
            spec.to_arrow(rows, PARIS)
    with pytest.raises(ConversionError, match=r"record id=2, field 'active': 0.5 is not a boolean"):
        spec.to_arrow([{"id": 1, "active": 1}, {"id": 2, "active": 0.5}], PARIS)
    typed = spec.to_arrow([{"id": 1, "quantity": 3}, {"id": 2, "quantity": 5.0}], PARIS).to_pylist()
    assert [r["quantity"] for r in typed] == [3, 5]
    # ids beyond a double's 53 bits stay exact
    typed = spec.to_arrow([{"id": 2**60 + 1, "quantity": 1}, {"id": 3, "quantity": 2}], PARIS).to_pylist()
    assert [r["id"] for r in typed] == [2**60 + 1, 3]
