"""The shortcuts that make the engine scale give exactly what the plain definitions give (§2.3, §4, §6)."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from costing_builders import Dataset

from warehouse.costing import CostingInputError, compute_costs
from warehouse.costing.fixed import ratio_half_up, safe_ratio, to_decimal
from warehouse.costing.inputs import TABLES, lookup, sort_rows
from warehouse.costing.io import csv_bytes, read_input_dir

EXAMPLE = Path(__file__).resolve().parents[1] / "reference" / "examples" / "costing_small"
OUTPUTS = ("receipt_costs", "landed_cost_shares", "line_costs", "movement_costs", "kpis", "product_kpis")


def half_up(value: Fraction) -> int:
    """The reference rounding: half away from zero, on an exact rational."""
    magnitude = abs(value)
    whole = magnitude.numerator // magnitude.denominator
    whole += magnitude - whole >= Fraction(1, 2)
    return whole if value >= 0 else -whole


def test_ratios_are_exact_with_large_scales_and_beyond_64_bits() -> None:
    rng = random.Random(5)
    qty = np.array([rng.randint(1, 10**4) for _ in range(400)], dtype=np.int64)
    price = np.array([rng.randint(-(10**15), 10**15) for _ in range(400)], dtype=np.int64)  # DECIMAL(18,10)
    divisor = np.array([rng.randint(10**7, 2 * 10**7) for _ in range(400)], dtype=np.int64)
    # Gross HT in cents as the engine computes it: qty × P × 10^7 × 100 / (10^10 × (1 + t) × 10^7).
    got = ratio_half_up([qty, price, 10**9], [10**10, divisor])
    want = [
        half_up(Fraction(int(q) * int(p) * 10**9, 10**10 * int(d)))
        for q, p, d in zip(qty, price, divisor, strict=True)
    ]
    assert got.tolist() == want
    # Products far beyond int64 on some rows: those rows are computed with Python integers, still exactly.
    big = np.array([3, 2**40, -(2**50), 7], dtype=np.int64)
    dens = [2, 2**30, 2**50, 5]
    got = ratio_half_up([big, big], [np.array(dens, dtype=np.int64)])
    assert got.tolist() == [half_up(Fraction(int(b) * int(b), d)) for b, d in zip(big, dens, strict=True)]


def test_safe_ratio_moves_the_sign_and_is_null_over_zero() -> None:
    num = np.array([1, -1, 5, 2**61, 7], dtype=np.int64)
    den = np.array([3, 3, -2, 2**20, 0], dtype=np.int64)
    value, valid = safe_ratio(num, den)
    assert valid.tolist() == [True, True, True, True, False]
    assert value[:4].tolist() == [3333, -3333, -25000, half_up(Fraction(2**61 * 10**4, 2**20))]


def test_decimal_columns_widen_beyond_18_digits_and_keep_nulls() -> None:
    narrow = to_decimal(np.array([12345, -5], dtype=np.int64), 2, np.array([True, False]))
    assert narrow.type == pa.decimal128(18, 2)
    assert narrow.to_pylist() == [Decimal("123.45"), None]
    wide = to_decimal(np.array([10**18, -1], dtype=np.int64), 2)
    assert wide.type == pa.decimal128(38, 2)
    assert [str(v) for v in wide.to_pylist()] == ["10000000000000000.00", "-0.01"]


@pytest.mark.parametrize("time_step", [1, 1_000_000, 7], ids=["microseconds", "whole-seconds", "odd-step"])
def test_sorted_rows_match_a_plain_sort_of_the_keys_and_tie_breaks(time_step: int) -> None:
    rng = random.Random(time_step)
    n = 3000
    # Wide enough that (product, time, kind) cannot be packed in 63 bits before dividing by the time step.
    product = np.array([rng.randrange(70_000) for _ in range(n)], dtype=np.int64)
    when = np.array(
        [1_700_000_000_000_000 + rng.randrange(0, 2**45, time_step) for _ in range(n)], dtype=np.int64
    )
    when[::7] = when[0]  # plenty of ties on time
    product[::11] = product[0]
    kind = np.array([rng.randrange(6) for _ in range(n)], dtype=np.int64)
    ids = [f"id{rng.randrange(10**6)}" for _ in range(n)]
    order = sort_rows([product, when, kind], lambda rows: pa.table({"id": pa.array(ids).take(rows)}))
    want = sorted(range(n), key=lambda i: (product[i], when[i], kind[i], ids[i], i))
    assert order.tolist() == want


def test_lookup_finds_the_first_match_whichever_side_is_larger() -> None:
    keys = pa.array([f"L{i % 9000}" for i in range(20_000)])  # many keys, each repeated
    values = pa.array(["L5", None, "L8999", "nope", "L5", "L0"])
    assert lookup(values, keys).tolist() == [5, -1, 8999, -1, 5, 0]  # few values: probed the other way
    assert lookup(keys.slice(0, 3), values).tolist() == [5, -1, -1]


def test_a_lot_absorbed_by_the_backlog_has_nothing_left_to_return_whatever_came_before(
    dataset: Dataset,
) -> None:
    # GIVEN a first product whose second lot keeps stock, and a second product whose second event is a
    # receipt entirely absorbed by earlier negative stock (the walk reuses its scratch from one to the other)
    ds = dataset.product("P1").product("P2")
    ds.receipt("R1", 1, "2024-01-02 09:00:00", 10, "5.00")
    ds.receipt("R2", 1, "2024-01-03 09:00:00", 10, "5.00")
    ds.sale("O1", "2024-01-02 10:00:00", 4, "12.00", product="P2")
    ds.receipt("R3", 1, "2024-01-04 09:00:00", 4, "6.00", product="P2")
    # WHEN that receipt is returned to the supplier
    ds.supplier_return("SR1", "2024-01-05 09:00:00", "R3-1", 1, product="P2")
    # THEN the data set is refused: nothing is left of that lot
    with pytest.raises(CostingInputError, match=r"^returns, row 1: supplier return of 1 units is more than"):
        ds.cost()


def test_warehouse_decimal_scales_give_the_results_of_the_text_files() -> None:
    as_text = compute_costs(read_input_dir(EXAMPLE))
    tables = read_input_dir(EXAMPLE)
    # The dbt views hand over DECIMAL(18,10) prices, DECIMAL(10,7) tax rates and TIMESTAMP datetimes.
    wide = {"unit_price": 10, "unit_price_incl_tax": 10, "discount_incl_tax": 10, "tax_rate": 7, "amount": 8}
    for name in TABLES:
        table = tables[name]
        for column, scale in wide.items():
            if column in table.column_names:
                typed = table.column(column).cast(pa.decimal128(18 if scale > 7 else 10, scale))
                table = table.set_column(table.column_names.index(column), column, typed)
        if "datetime" in table.column_names:
            stamps = table.column("datetime").cast(pa.timestamp("s")).cast(pa.timestamp("us"))
            table = table.set_column(table.column_names.index("datetime"), "datetime", stamps)
        tables[name] = table
    typed_result = compute_costs(tables)
    for name in OUTPUTS:
        assert getattr(typed_result, name).equals(getattr(as_text, name)), name


def test_csv_files_are_written_as_pythons_csv_writer_writes_them() -> None:
    cells = ["x", "", "a,b", 'q"q', "line\nbreak", "cr\rx", " sp ", "é", "12.50"]
    table = pa.table({"id": cells, "amount": ["1.00"] * len(cells), "empty": [""] * len(cells)})
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows(zip(*(column.to_pylist() for column in table.columns), strict=True))
    assert bytes(csv_bytes(table)) == expected.getvalue().encode("utf-8")
    assert bytes(csv_bytes(table.slice(0, 0))) == b"id,amount,empty\n"


def test_tables_in_many_chunks_give_the_results_and_refusals_of_single_arrays() -> None:
    # GIVEN the worked example as DuckDB hands tables over: in record batches (here of 2 rows)
    tables = read_input_dir(EXAMPLE)
    chunked = {
        name: pa.Table.from_batches(table.to_batches(max_chunksize=2), table.schema)
        for name, table in tables.items()
    }
    assert chunked["sales"].column("line_id").num_chunks > 1
    # THEN every output is the same
    single, batched = compute_costs(tables), compute_costs(chunked)
    for name in OUTPUTS:
        assert getattr(batched, name).equals(getattr(single, name)), name
    # AND a refused row is named the same way
    sales = chunked["sales"]
    ids = sales.column("line_id").to_pylist()
    ids[2] = ids[0]
    column = pa.chunked_array([ids[i : i + 2] for i in range(0, len(ids), 2)], pa.string())
    chunked["sales"] = sales.set_column(sales.column_names.index("line_id"), "line_id", column)
    with pytest.raises(
        CostingInputError, match=rf"^sales, row 3: duplicate line_id {ids[0]} \(already at sales, row 1\)$"
    ):
        compute_costs(chunked)
