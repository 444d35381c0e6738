"""A corpus of bad files, each handled as specified: a clear reason per file and line, never half-loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flatfile_harness import Loader, tree

HEADER = (
    "store_code,ticket_id,ticket_datetime,line_no,sku,ean13,quantity,unit_price_incl_tax,"
    "discount_incl_tax,vat_rate,payment_method,customer_email,customer_phone,original_ticket_id"
)
LINES = [
    "PARIS,T-PARIS-20260601-0001,2026-06-01 10:15:00,1,MX-VAI-00040,3760420000635,1,9.60,0.00,20,CB,,,",
    "PARIS,T-PARIS-20260601-0001,2026-06-01 10:15:00,2,MX-BOU-00009,3760420000123,2,28.79,0.00,20,CB,,,",
    "PARIS,T-PARIS-20260601-0002,2026-06-01 11:40:00,1,MX-LIN-00158,3760420003124,1,117.48,0.00,20,ESPECES,,,",
]
GOOD = "\n".join([HEADER, *LINES]) + "\n"


def _pos(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Case:
    """A bad file, and what each policy must make of it."""

    content: bytes
    status: dict[str, str]  # on_error -> loaded_files.status
    reason: str  # in loaded_files.reason (and the reason file)
    quarantined: list[tuple[int, str | None]]  # (line, field) of the bad lines
    loaded: int  # rows loaded under skip_line


CASES = {
    # a spreadsheet saved the file as CP1252 where the POS writes UTF-8: the file is refused whole
    "wrong_encoding": Case(
        ("\n".join([HEADER, LINES[0], LINES[1].replace("CB,,,", "CB,andr\xe9@exemple.fr,,")]) + "\n").encode(
            "cp1252"
        ),
        {"reject_file": "rejected", "skip_line": "rejected"},
        "line 3: byte 0xE9 at offset",
        [],
        0,
    ),
    # the export was cut in the middle of its last line
    "truncated_line": Case(
        _pos(LINES[0], LINES[1], LINES[2][:40]),
        {"reject_file": "rejected", "skip_line": "partial"},
        "line 4: 3 fields where the header has 14 (truncated line?)",
        [(4, None)],
        2,
    ),
    "extra_column": Case(
        _pos(LINES[0], LINES[1] + ",surprise", LINES[2]),
        {"reject_file": "rejected", "skip_line": "partial"},
        "line 3: 15 fields where the header has 14",
        [(3, None)],
        2,
    ),
    "missing_column": Case(
        _pos(LINES[0].replace(",CB,", ",", 1), LINES[1], LINES[2]),
        {"reject_file": "rejected", "skip_line": "partial"},
        "line 2: 13 fields where the header has 14 (truncated line?)",
        [(2, None)],
        2,
    ),
    "missing_required_header": Case(
        _pos(
            *[line.replace(",1,9.60,", ",9.60,") for line in LINES[:1]],
            header=HEADER.replace(",quantity", ""),
        ),
        {"reject_file": "rejected", "skip_line": "rejected"},
        "missing column 'quantity' (canonical quantity)",
        [],
        0,
    ),
    "bad_values": Case(
        _pos(
            LINES[0].replace(",1,9.60,", ",deux,9.60,"),
            LINES[1].replace("2026-06-01 10:15:00", "2026-02-31 10:15:00"),
            LINES[2],
        ),
        {"reject_file": "rejected", "skip_line": "partial"},
        "line 2, field 'quantity': 'deux' is not a decimal number",
        [(2, "quantity"), (3, "ticket_datetime")],
        1,
    ),
    "empty_required_value": Case(
        _pos(LINES[0], LINES[1].replace("T-PARIS-20260601-0001", ""), LINES[2]),
        {"reject_file": "rejected", "skip_line": "partial"},
        "line 3, field 'ticket_id': present (required)",
        [(3, "ticket_id")],
        2,
    ),
    "unbalanced_quote": Case(
        _pos(LINES[0], LINES[1].replace("MX-BOU-00009", '"MX-BOU-00009'), LINES[2]),
        {"reject_file": "rejected", "skip_line": "partial"},
        "line 3: 5 fields where the header has 14",
        [(3, None)],
        1,
    ),
    "empty_file": Case(
        b"", {"reject_file": "rejected", "skip_line": "rejected"}, "empty file: no header line", [], 0
    ),
}


@pytest.mark.parametrize("on_error", ["reject_file", "skip_line"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_csv_file(name: str, on_error: str, loader: Loader, tmp_path: Path) -> None:
    case = CASES[name]
    # GIVEN a bad file dropped next to a good one
    drop = tmp_path / "pos"
    drop.mkdir()
    (drop / "good.csv").write_text(GOOD, encoding="utf-8")
    (drop / "bad.csv").write_bytes(case.content)

    # WHEN the connection runs with this error policy
    loader.run("pos", drop, "pos_sales", on_error=on_error, timezone="Europe/Paris")

    # THEN the good file loads whatever happens to the bad one
    files = loader.files("pos")
    assert files["good.csv"] == ("loaded", 3, 0, None)
    status, rows, bad_lines, reason = files["bad.csv"]
    assert status == case.status[on_error]
    assert case.reason in reason
    quarantined = loader.sql(
        "select line, field from raw_pos.quarantined_lines where file_name = 'bad.csv' order by line"
    )
    assert quarantined == case.quarantined and bad_lines == len(case.quarantined)
    # never half-loaded: either every good line of the bad file, or none
    expected_rows = case.loaded if status == "partial" else 0
    assert rows == expected_rows
    loaded = loader.sql(
        "select count(*) from raw_pos.pos_sales_lines join raw_pos.loaded_files on _file_id = file_id"
        " where file_name = 'bad.csv'"
    )[0][0]
    assert loaded == expected_rows
    # the file leaves the inbox, to rejected/ or processed/, with its reason beside it
    folder = "processed" if status == "partial" else "rejected"
    assert tree(drop) == sorted([f"{folder}/bad.csv", f"{folder}/bad.csv.reason.txt", "processed/good.csv"])
    note = (drop / folder / "bad.csv.reason.txt").read_text()
    assert case.reason in note
    for line, _field in case.quarantined:
        assert f"line {line}" in note


def test_quarantined_line_keeps_its_text(loader: Loader, tmp_path: Path) -> None:
    drop = tmp_path / "pos"
    drop.mkdir()
    bad = LINES[1].replace(",2,28.79,", ",2,28;79,")
    (drop / "bad.csv").write_bytes(_pos(LINES[0], bad))
    loader.run("pos", drop, "pos_sales", on_error="skip_line")
    assert loader.sql("select line, field, reason, content from raw_pos.quarantined_lines") == [
        (3, "unit_price_incl_tax", "'28;79' is not a decimal number", bad)
    ]


def test_an_extra_header_column_is_ignored_and_named(loader: Loader, tmp_path: Path) -> None:
    drop = tmp_path / "pos"
    drop.mkdir()
    (drop / "more.csv").write_bytes(
        _pos(*[line + ",12" for line in LINES], header=HEADER + ",loyalty_points")
    )
    loader.run("pos", drop, "pos_sales")
    assert loader.files("pos")["more.csv"] == (
        "loaded",
        3,
        0,
        "headers not in the mapping (ignored): loyalty_points",
    )


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
XML_ORDER = (
    '<Order id="MKE-1" status="shipped"><OrderDate>2026-05-01T07:19:59Z</OrderDate><Currency>EUR</Currency>'
    '<Items><Item id="MKE-1-1"><Sku>{sku}</Sku><Quantity>1</Quantity><UnitPrice>9.60</UnitPrice></Item></Items>'
    "</Order>"
)


def _xml(body: str, doctype: str = "") -> bytes:
    return (XML_HEAD + doctype + "<OrderReport>" + body + "</OrderReport>\n").encode()


BILLION_LAUGHS = (
    '<!DOCTYPE OrderReport [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def test_billion_laughs_is_refused_before_any_expansion(loader: Loader, tmp_path: Path) -> None:
    drop = tmp_path / "marketplace"
    drop.mkdir()
    (drop / "laughs.xml").write_bytes(_xml(XML_ORDER.format(sku="&lol9;"), BILLION_LAUGHS))
    loader.run("marketplace", drop, "marketplace_orders", mapping="marketplace_orders_xml")
    status, rows, _, reason = loader.files("marketplace")["laughs.xml"]
    assert (status, rows) == ("rejected", 0)
    assert reason.startswith("line 3: the XML declares entity 'lol'") and "billion laughs" in reason
    assert loader.sql("select count(*) from raw_marketplace.marketplace_order_lines")[0][0] == 0
    assert tree(drop) == ["rejected/laughs.xml", "rejected/laughs.xml.reason.txt"]


def test_an_external_entity_is_never_read(loader: Loader, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-42")
    drop = tmp_path / "marketplace"
    drop.mkdir()
    doctype = f'<!DOCTYPE OrderReport [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    (drop / "xxe.xml").write_bytes(_xml(XML_ORDER.format(sku="&xxe;"), doctype))
    loader.run("marketplace", drop, "marketplace_orders", mapping="marketplace_orders_xml")
    status, rows, _, reason = loader.files("marketplace")["xxe.xml"]
    assert (status, rows) == ("rejected", 0)
    assert "declares entity 'xxe'" in reason and "XXE" in reason
    # the secret appears nowhere in the warehouse
    for schema, table, column in loader.sql(
        "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
    ):
        found = loader.sql(
            f'select count(*) from "{schema}"."{table}" where "{column}" like ?', "%TOPSECRET%"
        )
        assert found == [(0,)], (schema, table, column)


def test_an_external_reference_without_entity_declaration_is_refused(loader: Loader, tmp_path: Path) -> None:
    drop = tmp_path / "marketplace"
    drop.mkdir()
    doctype = '<!DOCTYPE OrderReport SYSTEM "http://127.0.0.1:9/report.dtd">\n'
    (drop / "dtd.xml").write_bytes(_xml(XML_ORDER.format(sku="MX-1") + "&ext;", doctype))
    loader.run("marketplace", drop, "marketplace_orders", mapping="marketplace_orders_xml")
    status, rows, _, reason = loader.files("marketplace")["dtd.xml"]
    assert (status, rows) == ("rejected", 0)
    # the DTD is never fetched: its entity stays unknown
    assert reason.startswith("line 3, column ") and "not well-formed XML (undefined entity" in reason


def test_a_truncated_xml_loads_nothing_even_its_complete_records(loader: Loader, tmp_path: Path) -> None:
    drop = tmp_path / "marketplace"
    drop.mkdir()
    complete = _xml(XML_ORDER.format(sku="MX-1") * 3)
    (drop / "cut.xml").write_bytes(complete[: len(complete) - 40])
    loader.run("marketplace", drop, "marketplace_orders", mapping="marketplace_orders_xml")
    status, rows, _, reason = loader.files("marketplace")["cut.xml"]
    assert (status, rows) == ("rejected", 0)
    assert "not well-formed XML" in reason
    assert loader.sql("select count(*) from raw_marketplace.marketplace_order_lines")[0][0] == 0


def test_an_xml_of_another_kind_is_refused_by_its_root(loader: Loader, tmp_path: Path) -> None:
    drop = tmp_path / "marketplace"
    drop.mkdir()
    (drop / "invoices.xml").write_bytes(b'<?xml version="1.0"?>\n<Invoices><Invoice/></Invoices>\n')
    loader.run("marketplace", drop, "marketplace_orders", mapping="marketplace_orders_xml")
    status, _, _, reason = loader.files("marketplace")["invoices.xml"]
    assert status == "rejected"
    assert (
        reason
        == "line 2: the root element is <Invoices>, the mapping reads records at OrderReport/Order/Items/Item"
    )


def test_a_rejected_file_fixed_and_dropped_again_loads(loader: Loader, tmp_path: Path) -> None:
    drop = tmp_path / "pos"
    drop.mkdir()
    (drop / "day.csv").write_bytes(_pos(LINES[0], LINES[1][:30]))
    loader.run("pos", drop, "pos_sales")
    assert loader.files("pos")["day.csv"][:2] == ("rejected", 0)

    # the till exports the day again, complete, under the same name
    (drop / "day.csv").write_bytes(_pos(*LINES))
    loader.run("pos", drop, "pos_sales")

    statuses = loader.sql("select file_id, status, rows_loaded from raw_pos.loaded_files order by file_id")
    assert statuses == [(1, "rejected", 0), (2, "loaded", 3)]
    assert tree(drop) == ["processed/day.csv", "rejected/day.csv", "rejected/day.csv.reason.txt"]
