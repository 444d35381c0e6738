"""One file read in many blocks: typed on a worker thread, buffered in file order, bad lines numbered."""

from __future__ import annotations

import io
import tempfile
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sources.flatfiles.convert as convert
from sources.flatfiles import csvfile
from sources.flatfiles.loading import Spilled, read_file
from sources.flatfiles.mapping import load_mapping

HEADER = (
    "store_code,ticket_id,ticket_datetime,line_no,sku,ean13,quantity,unit_price_incl_tax,"
    "discount_incl_tax,vat_rate,payment_method,customer_email,customer_phone,original_ticket_id"
)
LINES = 6_000
# data lines (file line numbers: the header is line 1) whose cell does not type, spread over the blocks
BAD = {
    17: ("quantity", "'un' is not a decimal number"),
    2_503: ("unit_price_incl_tax", "'12,50' is not a decimal number"),
    5_998: ("ticket_datetime", "'2026-02-31 10:00:00' is not a time as %Y-%m-%d %H:%M:%S"),
}


def _line(number: int) -> str:
    """The text of file line `number` (>= 2); a few carry a bad cell."""
    quantity, price, when = str(number % 3 + 1), f"{number % 997 + 1}.25", "2026-06-01 10:15:00"
    if number == 17:
        quantity = "un"
    if number == 2_503:
        price = "12,50"
    if number == 5_998:
        when = "2026-02-31 10:00:00"
    return f'PARIS,T-{number:06d},{when},1,MX-ART-{number % 300:05d},,{quantity},"{price}",0.00,20,CB,,,'


def _file() -> bytes:
    return ("\n".join([HEADER, *(_line(n) for n in range(2, LINES + 2))]) + "\n").encode()


def _read(spill_bytes: int) -> tuple[pa.Table, list[tuple[int, str | None, str]]]:
    result = read_file(
        io.BytesIO(_file()),
        load_mapping("pos_sales", None),
        file_id=7,
        timezone="Europe/Paris",
        spill_bytes=spill_bytes,
    )
    tables = []
    for name, table in result.buffer.drain():
        assert name == "pos_sales_lines"
        tables.append(pq.read_table(table.path) if isinstance(table, Spilled) else table)
    return pa.concat_tables(tables), [(b.line, b.field, b.reason) for b in result.bad]


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 16 KiB: the 6,000-line file is read in about 40 batches."""
    monkeypatch.setattr(csvfile, "BLOCK_BYTES", 16 * 1024)


@pytest.mark.parametrize("spill_bytes", [1, 1 << 30], ids=["spilled", "in_memory"])
def test_a_file_read_in_many_blocks_keeps_its_lines_in_order_and_numbers_its_bad_ones(
    small_blocks: None, spill_bytes: int
) -> None:
    # GIVEN a 6,000-line POS file read in ~40 blocks, three lines of different blocks with a bad cell
    # WHEN it is read (typed on a worker thread, buffered in file order)
    table, bad = _read(spill_bytes)

    # THEN every other line is there, once, in file order, each with its file line number
    expected_lines = [n for n in range(2, LINES + 2) if n not in BAD]
    assert table.column("_line").to_pylist() == expected_lines
    assert table.column("ticket_id").to_pylist() == [f"T-{n:06d}" for n in expected_lines]
    assert set(table.column("_file_id").to_pylist()) == {7}
    assert table.column("quantity").to_pylist()[:3] == [Decimal(3), Decimal(1), Decimal(2)]
    # AND the bad lines are reported by line and field, in line order
    assert bad == [(line, field, reason) for line, (field, reason) in sorted(BAD.items())]


def test_a_failure_while_typing_leaves_no_spill_file_behind(
    small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN typing that fails on the 10th batch, after earlier batches were spilled to disk
    calls = {"n": 0}
    real = convert.clean

    def failing_clean(values: pa.Array) -> pa.Array:
        calls["n"] += 1
        if calls["n"] == 10 * 14:  # 14 columns per batch
            raise RuntimeError("disk full while typing")
        return real(values)

    monkeypatch.setattr(convert, "clean", failing_clean)
    before = set(Path(tempfile.gettempdir()).glob("omnicanal-flatfile-*"))

    # WHEN the file is read, THEN the worker's error reaches the caller
    with pytest.raises(RuntimeError, match="disk full while typing"):
        _read(spill_bytes=1)
    # AND the temporary spill folder is gone
    assert set(Path(tempfile.gettempdir()).glob("omnicanal-flatfile-*")) == before
