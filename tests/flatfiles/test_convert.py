"""Typing rules of file cells and the checks of mapping files, value by value."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from sources._common.columns import DATE, DEC, INT, LOCAL_TS, MONEY, TEXT
from sources.flatfiles.convert import NumberFormat, Problems, type_column
from sources.flatfiles.mapping import ColumnRule, MappingError, load_mapping, parse_mapping
from sources.flatfiles.settings import POS_SALES


def _typed(
    rule: ColumnRule, cells: list[str | None], **kw: object
) -> tuple[list[object], dict[int, tuple[str, str]]]:
    problems = Problems(len(cells))
    values = type_column(
        rule,
        pa.array(cells, pa.string()),
        len(cells),
        timezone=str(kw.get("timezone", "Europe/Paris")),
        numbers=kw.get("numbers", NumberFormat()),  # type: ignore[arg-type]
        problems=problems,
        required=bool(kw.get("required", False)),
    )
    return values.to_pylist(), problems.reasons


def test_french_decimals_with_thousands_and_no_break_spaces() -> None:
    rule = ColumnRule("price", MONEY, "t", "Prix")
    values, problems = _typed(
        rule,
        ["1 234,50", "1\u00a0234,5", "1\u202f000", " 12,3456789 ", "-0,5", "", "12.5", "1,2,3"],
        numbers=NumberFormat(decimal=",", thousands=" "),
    )
    assert values[:6] == [
        Decimal("1234.5"),
        Decimal("1234.5"),
        Decimal(1000),
        Decimal("12.345679"),
        Decimal("-0.5"),
        None,
    ]
    # a point is a thousands mark nowhere here: "12.5" and "1,2,3" are not numbers in this format
    assert values[6:] == [None, None]
    assert problems == {
        6: ("Prix", "'12.5' is not a decimal number"),
        7: ("Prix", "'1,2,3' is not a decimal number"),
    }


def test_decimals_round_half_even_and_refuse_what_does_not_fit() -> None:
    values, problems = _typed(
        ColumnRule("q", DEC, "t", "q"), ["0.0000005", "0.0000015", "1e3", "123456789012345"]
    )
    assert values == [Decimal(0), Decimal("0.000002"), None, None]
    assert sorted(problems) == [2, 3]


def test_whole_numbers_and_required_values() -> None:
    values, problems = _typed(
        ColumnRule("n", INT, "t", "line_no"), ["1", "+2", "-3", "4.0", "", "x"], required=True
    )
    assert values == [1, 2, -3, None, None, None]
    assert problems == {
        3: ("line_no", "'4.0' is not a whole number"),
        4: ("line_no", "present (required)"),
        5: ("line_no", "'x' is not a whole number"),
    }


def test_mapped_values_and_defaults() -> None:
    rule = ColumnRule(
        "nature", TEXT, "t", "Nature", values={"Produit": "product", "Variante": "variant"}, default="Produit"
    )
    values, problems = _typed(rule, ["Produit", " Variante ", "", None, "Kit"])
    assert values == ["product", "variant", "product", "product", None]
    assert problems == {4: ("Nature", "'Kit' is not one of 'Produit', 'Variante'")}


def test_wall_clock_times_to_utc_across_daylight_saving() -> None:
    rule = ColumnRule("sold_at", LOCAL_TS, "t", "when", formats=("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"))
    values, problems = _typed(
        rule,
        [
            "2026-07-01 12:00:00",  # summer: UTC+2
            "2026-12-01 12:00:00",  # winter: UTC+1
            "2026-10-25 02:30:00",  # the repeated autumn hour: its first occurrence
            "2026-03-29 02:30:00",  # the skipped spring hour: its end
            "01/07/2026 12:00",  # the second format
            "2026-02-29 10:00:00",  # not a leap year: not rolled over to 1 March
            "31/04/2026 10:00",
            "2026-06-31 10:00:00",
        ],
    )
    assert values[:5] == [
        datetime(2026, 7, 1, 10, tzinfo=UTC),
        datetime(2026, 12, 1, 11, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 10, tzinfo=UTC),
    ]
    assert values[5:] == [None, None, None]
    assert sorted(problems) == [5, 6, 7]
    assert problems[5] == (
        "when",
        "'2026-02-29 10:00:00' is not a time as %Y-%m-%d %H:%M:%S or %d/%m/%Y %H:%M",
    )


def test_times_with_their_own_offset_or_in_utc_and_dates() -> None:
    offset = ColumnRule("at", LOCAL_TS, "t", "at", formats=("%Y-%m-%dT%H:%M:%S%z",))
    assert _typed(offset, ["2026-05-01T07:19:59+02:00"])[0] == [datetime(2026, 5, 1, 5, 19, 59, tzinfo=UTC)]
    utc = ColumnRule("at", LOCAL_TS, "t", "at", formats=("%Y-%m-%dT%H:%M:%SZ",), timezone="UTC")
    assert _typed(utc, ["2026-05-01T07:19:59Z"])[0] == [datetime(2026, 5, 1, 7, 19, 59, tzinfo=UTC)]
    day = ColumnRule("on", DATE, "t", "on", formats=("%d/%m/%Y",))
    values, problems = _typed(day, ["1/3/2026", "31/2/2026", "29/02/2028"])
    assert [v.isoformat() if v else None for v in values] == ["2026-03-01", None, "2028-02-29"]
    assert list(problems) == [1]


def test_ready_mappings_fit_their_layouts() -> None:
    for layout in ("pos_sales", "marketplace_orders", "erp_products"):
        mapping = load_mapping(layout)
        assert mapping.layout.name == layout and mapping.columns
    assert (
        load_mapping("marketplace_orders", "marketplace_orders_xml").record == "OrderReport/Order/Items/Item"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"layout": "erp_products"}, "fills layout 'erp_products', the connection expects 'pos_sales'"),
        ({"columns": {"colour": "Couleur"}}, "columns.colour is not a column of layout pos_sales"),
        ({"columns": {"ticket_id": "t"}}, "layout pos_sales needs columns store_code, line_number, sold_at"),
        ({"format": "json"}, "format must be 'csv' or 'xml'"),
        ({"csv": {"encoding": "klingon"}}, "csv.encoding: unknown encoding 'klingon'"),
        ({"csv": {"delimiter": ";;"}}, "csv.delimiter: expected one character"),
        ({"format": "xml"}, "xml.record (the element path of one record) is required"),
    ],
)
def test_mapping_errors_name_the_file_and_the_key(raw: dict[str, object], message: str) -> None:
    complete = {
        "columns": {
            "store_code": "s",
            "ticket_id": "t",
            "line_number": "l",
            "sold_at": "d",
            "quantity": "q",
            "unit_price_incl_tax": "p",
        }
    }
    with pytest.raises(MappingError) as caught:
        parse_mapping({**complete, **raw}, POS_SALES, Path("/etc/omnicanal/my_pos.toml"))
    assert str(caught.value).startswith("mapping /etc/omnicanal/my_pos.toml: ")
    assert message in str(caught.value)
