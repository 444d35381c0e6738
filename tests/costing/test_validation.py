"""Every rule of §2.2 and §11.1 refuses the whole data set with the file, the line and the reason, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from costing_builders import Dataset

from flows.cli import main
from warehouse.costing import CostingInputError, compute_costs


def base() -> Dataset:
    """A valid data set; each case below breaks one rule (CSV line 2 is the first data row)."""
    ds = Dataset().product("P1").product("P2")
    ds.fx("2024-01-01", "USD", "1.1000")
    ds.receipt("R1", 1, "2024-01-02 09:00:00", 10, "10.00")
    ds.receipt("R1", 2, "2024-01-02 09:00:00", 5, "4.00", product="P2", currency="USD")
    ds.landed("LC1", "2024-01-03", "R1", "6.00", "by_quantity")
    ds.sale("O1", "2024-01-05 10:00:00", 3, "24.00", email="a@x.fr")
    ds.sale("O1", "2024-01-05 10:00:00", 1, "12.00", product="P2", line_id="O1-2", email="a@x.fr")
    ds.customer_return("CR1", "2024-01-06 10:00:00", "O1-1", 1)
    ds.supplier_return("SR1", "2024-01-07 10:00:00", "R1-1", 2)
    ds.adjustment("A1", "2024-01-08 10:00:00", -1)
    return ds


def set_value(table: str, row: int, **values: str) -> Callable[[Dataset], None]:
    def mutate(ds: Dataset) -> None:
        ds.rows[table][row].update(values)

    return mutate


def append(method: str, *args: object, **kwargs: object) -> Callable[[Dataset], None]:
    def mutate(ds: Dataset) -> None:
        getattr(ds, method)(*args, **kwargs)

    return mutate


def free_receipt_with_landed_cost_by_value(ds: Dataset) -> None:
    ds.receipt("R0", 1, "2024-01-02 09:00:00", 2, "0.00")
    ds.landed("LC2", "2024-01-03", "R0", "5.00", "by_value")


CASES = [
    ("unknown product", set_value("sales", 1, product_id="NOPE"), "sales.csv, line 3: unknown product_id 'NOPE'"),
    ("unknown receipt", set_value("landed_costs", 0, receipt_id="R9"), "landed_costs.csv, line 2: unknown receipt_id 'R9'"),
    (
        "FX rate missing on or before the receipt date",
        set_value("receipts", 1, datetime="2023-12-31 09:00:00"),
        "receipts.csv, line 3: no USD rate in fx_rates on or before 2023-12-31",
    ),
    (
        "FX rate missing for the landed cost's own date",
        set_value("landed_costs", 0, currency="GBP"),
        "landed_costs.csv, line 2: no GBP rate in fx_rates on or before 2024-01-03",
    ),
    (
        "returned more than sold (cumulative)",
        append("customer_return", "CR2", "2024-01-09 10:00:00", "O1-1", 3),
        "returns.csv, line 4: customer returns of sale line 'O1-1' exceed the quantity sold",
    ),
    (
        "customer return at the time of its sale",
        set_value("returns", 0, datetime="2024-01-05 10:00:00"),
        "returns.csv, line 2: customer return dated at or before its sale line 'O1-1'",
    ),
    (
        "customer return before its sale",
        set_value("returns", 0, datetime="2024-01-04 10:00:00"),
        "returns.csv, line 2: customer return dated at or before its sale line 'O1-1'",
    ),
    (
        "supplier return beyond what is left of the lot",
        set_value("returns", 1, qty="8"),  # R1-1: 10 − 3 sold = 7 (the customer return is a lot of its own)
        "returns.csv, line 3: supplier return of 8 units is more than what is left of lot R1-1",
    ),
    (
        "supplier return before its receipt",
        set_value("returns", 1, datetime="2024-01-01 10:00:00"),
        "returns.csv, line 3: supplier return of 2 units is more than what is left of lot R1-1",
    ),
    (
        "loss beyond on-hand",
        set_value("adjustments", 0, qty_delta="-7"),  # on hand: 10 − 3 + 1 − 2 = 6
        "adjustments.csv, line 2: loss of 7 units is more than the stock on hand",
    ),
    (
        "landed cost whose basis sums to 0",
        free_receipt_with_landed_cost_by_value,
        "landed_costs.csv, line 3: the allocation basis of receipt 'R0' adds up to 0",
    ),
    (
        "order-level field differs between lines",
        set_value("sales", 1, channel="store"),
        "sales.csv, line 3: channel differs between the lines of order 'O1'",
    ),
    ("fractional quantity", set_value("sales", 0, qty="1.5"), "sales.csv, line 2: qty must be a whole number of units"),
    ("zero quantity", set_value("receipts", 0, qty="0"), "receipts.csv, line 2: qty must be > 0, got 0"),
    ("negative price", set_value("receipts", 0, unit_price="-1"), "receipts.csv, line 2: unit_price must be >= 0"),
    ("tax rate as a percentage", set_value("sales", 0, tax_rate="20"), "sales.csv, line 2: tax_rate must be a fraction"),
    ("zero adjustment", set_value("adjustments", 0, qty_delta="0"), "adjustments.csv, line 2: qty_delta must not be 0"),
    ("not a number", set_value("sales", 0, unit_price_incl_tax="12,50"), "sales.csv, line 2: unit_price_incl_tax is not a number"),
    ("bad datetime", set_value("sales", 0, datetime="2024-01-05"), "sales.csv, line 2: datetime is not a datetime"),
    ("unknown channel", set_value("sales", 0, channel="phone"), "sales.csv, line 2: channel must be one of web, store"),
    ("unknown split method", set_value("landed_costs", 0, split_method="by_volume"), "landed_costs.csv, line 2: split_method"),
    (
        "return referencing no sale line",
        set_value("returns", 0, ref_line_id="O9-1"),
        "returns.csv, line 2: customer return: ref_line_id 'O9-1' is not a sale line",
    ),
    (
        "return of another product",
        set_value("returns", 1, product_id="P2"),
        "returns.csv, line 3: product_id differs from the product of the referenced line (P1)",
    ),
    ("duplicate sale line", set_value("sales", 1, line_id="O1-1"), "sales.csv, line 3: duplicate line_id"),
    ("missing column", lambda ds: ds.drop_column("sales", "tax_rate"), "sales.csv, line 1: missing column 'tax_rate'"),
]  # fmt: skip


def test_the_base_data_set_is_valid(tmp_path: Path) -> None:
    assert (
        main(["costing", "--input", str(base().write(tmp_path / "in")), "--output", str(tmp_path / "out")])
        == 0
    )


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_file_line_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: Callable[[Dataset], None], message: str
) -> None:
    # GIVEN a data set that breaks one rule
    ds = base()
    mutate(ds)
    out = tmp_path / "out"
    # WHEN it is costed through the CLI
    code = main(["costing", "--input", str(ds.write(tmp_path / "in")), "--output", str(out)])
    # THEN the command fails with one line naming the file, the line and the rule, and writes nothing
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1
    assert err[0].startswith(f"omnicanal: {message}"), err[0]
    assert not out.exists()


def test_table_inputs_name_rows_and_raise(tmp_path: Path) -> None:
    ds = base()
    set_value("sales", 1, product_id="NOPE")(ds)
    with pytest.raises(CostingInputError) as info:
        compute_costs(ds.frames())
    assert str(info.value).startswith("sales, row 2: unknown product_id 'NOPE'")


def test_wac_supplier_return_cannot_drive_the_stock_value_below_zero(tmp_path: Path) -> None:
    ds = Dataset().product("P1")
    ds.receipt("RA", 1, "2024-01-01 09:00:00", 3, "0.00")  # free units: lot A
    ds.receipt("RB", 1, "2024-01-02 09:00:00", 2, "100.00")  # lot B, 200.00
    ds.sale("O1", "2024-01-03 09:00:00", 3, "10.00")  # FIFO takes lot A; WAC: 3 × 200 / 5 = 120.00 → V 80.00
    # Returning 1 unit of lot B takes 100.00 out of a WAC stock worth 80.00.
    ds.supplier_return("SR1", "2024-01-04 09:00:00", "RB-1", 1)
    with pytest.raises(CostingInputError) as info:
        compute_costs(ds.frames(), csv=True)
    assert (
        str(info.value)
        == "returns.csv, line 2: supplier return of 1 units would drive the WAC stock value below 0"
    )
