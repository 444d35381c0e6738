"""Run the costing engine once on the seven input models and keep every output table, stacked."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

# the column that names a record of each input in an error a person reads
RECORD_KEYS = {
    "products": "product_id",
    "fx_rates": "currency",
    "receipts": "line_id",
    "landed_costs": "landed_cost_id",
    "sales": "line_id",
    "returns": "return_id",
    "adjustments": "adjustment_id",
}
OUTPUTS = ("receipt_costs", "landed_cost_shares", "line_costs", "movement_costs", "kpis", "product_kpis")


def _arrow(relation: Any) -> pa.Table:
    """A DuckDB relation as one Arrow table (DuckDB 2 may hand back a record batch reader)."""
    data = relation.arrow()
    return data.read_all() if isinstance(data, pa.RecordBatchReader) else data


def _named(exc: Any, tables: dict[str, pa.Table]) -> Exception:
    """The engine's refusal with the input model and the record's key instead of a row number."""
    from warehouse.costing import CostingInputError

    table, _, place = exc.where.partition(", row ")
    if table in tables and place.isdigit() and 1 <= int(place) <= tables[table].num_rows:
        key = tables[table].column(RECORD_KEYS[table])[int(place) - 1].as_py()
        return CostingInputError(f"int_costing__{table}, record {key}", exc.reason)
    return CostingInputError(f"int_costing__{exc.where}", exc.reason)


def model(dbt: Any, session: Any) -> pa.Table:
    """One row per row of any engine output, tagged by `output`; the costing models split it by table.

    Stacking keeps a single engine run per build: a dbt Python model returns one table.
    """
    dbt.config(materialized="table")
    from warehouse.costing import CostingInputError, compute_costs

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
    try:
        result = compute_costs(tables)
    except CostingInputError as exc:
        raise _named(exc, tables) from exc
    parts = []
    for name in OUTPUTS:
        table = getattr(result, name)
        parts.append(table.append_column("output", pa.repeat(pa.scalar(name, pa.string()), table.num_rows)))
    return pa.concat_tables(parts, promote_options="default")
