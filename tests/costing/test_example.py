"""`omnicanal costing` on the public worked example reproduces every expected file within its tolerances."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from flows.cli import main

# a verbatim copy of shared/examples/costing_small (see tests/reference/README.md)
EXAMPLE = Path(__file__).resolve().parents[1] / "reference" / "examples" / "costing_small"
KEYS = {
    "receipt_costs": ("line_id",),
    "line_costs": ("line_id",),
    "movement_costs": ("movement_id",),
    "kpis": ("month", "channel"),
    "product_kpis": ("month", "product_id"),
}
# README tolerances: line money ±0.01, unit costs ±0.001, aggregated money ±0.05, ratios ±0.0005, counts exact.
LINE_FILES = {"receipt_costs", "line_costs", "movement_costs"}
COUNT_COLUMNS = {
    "qty", "negative_stock_qty", "returned_qty", "orders", "units_sold", "units_returned", "identified_customers",
    "new_customers", "returning_customers", "click_collect_orders", "opening_qty", "closing_qty", "oos_days",
    "active_days",
}  # fmt: skip


def tolerance(name: str, column: str, expected: str) -> Decimal:
    if column in COUNT_COLUMNS:
        return Decimal(0)
    if "unit_cost" in column or column in ("cmup_periodic", "fx_units_per_eur"):
        return Decimal("0.001")
    if len(expected.partition(".")[2]) == 4:  # ratios are printed with 4 decimals
        return Decimal("0.0005")
    return Decimal("0.01") if name in LINE_FILES else Decimal("0.05")


def read(path: Path, key: tuple[str, ...]) -> tuple[list[str], dict[tuple[str, ...], dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    return list(reader.fieldnames or []), {tuple(row[k] for k in key): row for row in rows}


def assert_same(name: str, expected_path: Path, actual_path: Path) -> None:
    key = KEYS[name]
    exp_cols, expected = read(expected_path, key)
    act_cols, actual = read(actual_path, key)
    assert act_cols == exp_cols, f"{name}: columns"
    assert sorted(actual) == sorted(expected), f"{name}: keys"
    for k, exp_row in expected.items():
        for col, exp in exp_row.items():
            got = actual[k][col]
            if exp == "" or got == "":
                assert got == exp, f"{name} {k} {col}: expected {exp!r}, got {got!r}"
            else:
                try:
                    exp_num, got_num = Decimal(exp), Decimal(got)
                except ArithmeticError:
                    assert got == exp, f"{name} {k} {col}"
                    continue
                assert abs(exp_num - got_num) <= tolerance(name, col, exp), (
                    f"{name} {k} {col}: {exp} vs {got}"
                )


def test_cli_reproduces_the_worked_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the public example, WHEN the real CLI entry point costs it
    out = tmp_path / "out"
    code = main(["costing", "--input", str(EXAMPLE), "--output", str(out)])

    # THEN it succeeds, lists the five files, and each matches its expected_*.csv by key
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert [Path(p).name for p in printed] == [f"{name}.csv" for name in KEYS]
    for name in KEYS:
        assert_same(name, EXAMPLE / f"expected_{name}.csv", out / f"{name}.csv")


def test_other_files_in_the_input_folder_are_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in EXAMPLE.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "notes.csv").write_text("not,a,costing,file\n", encoding="utf-8")
    out = tmp_path / "out"

    assert main(["costing", "--input", str(folder), "--output", str(out)]) == 0
    assert_same("line_costs", EXAMPLE / "expected_line_costs.csv", out / "line_costs.csv")
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.csv" for name in KEYS)
