"""Table and column descriptions reach DuckDB as comments, so an analyst sees them in duckdb_columns()."""

from __future__ import annotations

from pathlib import Path

import yaml
from fixtures_warehouse import BuiltWarehouse

MODELS_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "models"
DOCUMENTED = {
    model["name"]
    for folder in ("core", "costing", "marts")
    for model in yaml.safe_load((MODELS_DIR / folder / f"_{folder}__models.yml").read_text())["models"]
}


def test_every_core_costing_and_mart_model_and_column_has_a_comment(built_warehouse: BuiltWarehouse) -> None:
    relations = dict(
        built_warehouse.sql(
            "select table_name, comment from duckdb_tables() where schema_name in ('core', 'marts') "
            "union all select view_name, comment from duckdb_views() where schema_name in ('core', 'marts')"
        )
    )
    assert {"dim_products", "fct_order_lines", "fct_order_line_costs", "rpt_reconciliation"} <= DOCUMENTED
    assert DOCUMENTED <= set(relations)
    mine = {name: relations[name] for name in DOCUMENTED}
    assert {name for name, comment in mine.items() if not (comment or "").startswith("One row per")} == set()
    uncommented = [
        row
        for row in built_warehouse.sql(
            "select table_name, column_name from duckdb_columns() where schema_name in ('core', 'marts') "
            "and coalesce(comment, '') = ''"
        )
        if row[0] in DOCUMENTED
    ]
    assert uncommented == []
    assert built_warehouse.sql(
        "select comment from duckdb_columns() where schema_name = 'marts' and table_name = 'rpt_reconciliation' "
        "and column_name = 'status'"
    ) == [("agrees, differs, missing_in_channel or missing_in_erp.",)]
