"""A row read in a run's window and the sweep's mark of the same record (deleted between the two reads) meet
in one load: the mark wins whatever their order, through dlt's real merge into DuckDB."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
import pyarrow as pa
import pytest

from sources._common.columns import Conversion, table
from sources._common.families import table_resource

SPEC = table("products", {"id": "int", "reference": "text"})
UTC = Conversion()


def _batch(ids: list[int], deleted: bool | None) -> pa.Table:
    return pa.Table.from_pydict(
        {"id": ids, "reference": [f"REF-{i}" for i in ids], "_deleted": [deleted] * len(ids)},
        schema=SPEC.arrow_schema(UTC),
    )


def _load(tmp_path: Path, *batches: pa.Table) -> list[tuple[int, bool | None]]:
    pipeline = dlt.pipeline(
        pipeline_name="marks",
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        dataset_name="raw",
        pipelines_dir=str(tmp_path / "dlt"),
    )

    def rows():
        yield from batches

    pipeline.run(table_resource(SPEC, rows, UTC), loader_file_format="parquet")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        return con.execute("select id, _deleted from raw.products order by id").fetchall()


@pytest.mark.parametrize("mark_first", [False, True], ids=["row, then mark", "mark, then row"])
def test_the_mark_of_a_deleted_record_wins_over_its_row_in_the_same_load(tmp_path: Path, mark_first: bool):
    # GIVEN products 1-3 loaded earlier
    assert _load(tmp_path, _batch([1, 2, 3], None)) == [(1, None), (2, None), (3, None)]
    # WHEN one load holds product 2 as read in the window and product 2's deletion mark from the sweep
    row, mark = _batch([2], False), _batch([2], True)
    loaded = _load(tmp_path, *((mark, row) if mark_first else (row, mark)))
    # THEN product 2 is marked deleted, once; the others are untouched
    assert loaded == [(1, None), (2, True), (3, None)]
