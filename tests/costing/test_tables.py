"""The table-level API (what the dbt model calls) gives the CSV path's results from typed columns too."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from warehouse.costing import compute_costs
from warehouse.costing.inputs import TABLES
from warehouse.costing.io import read_input_dir

EXAMPLE = Path(__file__).resolve().parents[1] / "reference" / "examples" / "costing_small"
OUTPUTS = ("receipt_costs", "landed_cost_shares", "line_costs", "movement_costs", "kpis", "product_kpis")


def test_typed_arrow_tables_and_dataframes_give_the_same_results_as_text() -> None:
    as_text = compute_costs(read_input_dir(EXAMPLE))
    # Arrow's own inference: integers, doubles, timestamps, dates, nulls for empty cells.
    typed = {name: pacsv.read_csv(EXAMPLE / f"{name}.csv") for name in TABLES}
    assert pa.types.is_timestamp(typed["sales"].schema.field("datetime").type)
    assert pa.types.is_floating(typed["sales"].schema.field("unit_price_incl_tax").type)
    # pandas' inference: float64 prices, object strings, NaN for empty cells.
    frames = {name: pd.read_csv(EXAMPLE / f"{name}.csv") for name in TABLES}
    for result in (compute_costs(typed), compute_costs(frames)):
        for name in OUTPUTS:
            assert getattr(result, name).equals(getattr(as_text, name)), name


def test_result_tables_carry_exact_decimal_money() -> None:
    result = compute_costs(read_input_dir(EXAMPLE))
    schema = result.line_costs.schema
    assert schema.field("fifo_cost").type == pa.decimal128(18, 2)
    assert schema.field("fifo_unit_cost").type == pa.decimal128(18, 4)
    assert schema.field("datetime").type == pa.timestamp("us")
    shares = result.landed_cost_shares.to_pylist()
    assert shares == [
        {"landed_cost_id": "LCA", "receipt_id": "E2", "line_id": "E2-1", "share_eur": Decimal("24.60")}
    ]
    assert set(result.timings) == {"check", "lots", "walk", "lines", "kpis"}
