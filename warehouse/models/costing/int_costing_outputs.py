"""Run the costing engine once on the seven input models and keep every output table, stacked."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

OUTPUTS = ("receipt_costs", "landed_cost_shares", "line_costs", "movement_costs", "kpis", "product_kpis")


def _arrow(relation: Any) -> pa.Table:
    """A DuckDB relation as one Arrow table (DuckDB 2 may hand back a record batch reader)."""
    data = relation.arrow()
    return data.read_all() if isinstance(data, pa.RecordBatchReader) else data


def model(dbt: Any, session: Any) -> pa.Table:
    """One row per row of any engine output, tagged by `output`; the costing models split it by table.

    Stacking keeps a single engine run per build: a dbt Python model returns one table.
    """
    dbt.config(materialized="table")
    from warehouse.costing import compute_costs

    # dbt reads the refs from the source text, so each input is named literally (spec §2.1 order)
    relations = {
        "products": dbt.ref("int_costing__products"),
        "fx_rates": dbt.ref("int_costing__fx_rates"),
        "receipts": dbt.ref("int_costing__receipts"),
        "landed_costs": dbt.ref("int_costing__landed_costs"),
        "sales": dbt.ref("int_costing__sales"),
        "returns": dbt.ref("int_costing__returns"),
        "adjustments": dbt.ref("int_costing__adjustments"),
    }
    tables = {name: _arrow(relation) for name, relation in relations.items()}
    result = compute_costs(tables)
    parts = []
    for name in OUTPUTS:
        table = getattr(result, name)
        parts.append(table.append_column("output", pa.array([name] * table.num_rows, pa.string())))
    return pa.concat_tables(parts, promote_options="default")
