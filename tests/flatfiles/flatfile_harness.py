"""Running the flat-file source in tests: one dlt pipeline per connection into a private DuckDB file."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt
import duckdb

from sources.flatfiles import flatfiles_source, settle_drop_folder

SEED = 11
SMALL_SCALE = 0.3
FOLDERS = {"pos": "pos", "marketplace": "marketplace", "erp_export": "erp_export"}


def copy_drop_folder(world: Path, kind: str, target: Path) -> Path:
    """A private copy of one of the world's drop folders (`pos`, `marketplace`, `erp_export`)."""
    shutil.copytree(world / "files" / kind, target)
    return target


def csv_rows(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


@dataclass
class Loader:
    """Extracts drop folders into `data/work/omnicanal.duckdb`, one pipeline per connection name."""

    data_dir: Path

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "work" / "omnicanal.duckdb"

    def pipeline(self, name: str) -> dlt.Pipeline:
        return dlt.pipeline(
            pipeline_name=f"omnicanal_{name}",
            destination=dlt.destinations.duckdb(str(self.warehouse)),
            dataset_name=f"raw_{name}",
            pipelines_dir=str(self.data_dir / "work" / "dlt"),
        )

    def run(
        self, name: str, path: Path | str, layout: str, *, settle: bool = True, **options: Any
    ) -> dict[str, int]:
        """Load the folder (files of any age) and, unless told not to, move the files; rows per table."""
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        options.setdefault("min_age_seconds", 0)
        pipeline = self.pipeline(name)
        pipeline.run(
            flatfiles_source(path=str(path), layout=layout, connection=name, **options),
            loader_file_format="parquet",
        )
        if settle:
            settle_drop_folder(str(path), pipeline.state, options.get("storage_options"))
        counts = pipeline.last_trace.last_normalize_info.row_counts
        return {t: n for t, n in counts.items() if not t.startswith("_dlt")}

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(query, list(params)).fetchall()

    def files(self, name: str) -> dict[str, tuple[str, int, int, str | None]]:
        """`loaded_files` of a connection: name -> (status, rows loaded, lines quarantined, reason)."""
        rows = self.sql(
            f"select file_name, status, rows_loaded, lines_quarantined, reason from raw_{name}.loaded_files"
        )
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def state(self, name: str) -> dict[str, Any]:
        return dict(self.pipeline(name).state["sources"]["flatfiles"])


def tree(folder: Path) -> list[str]:
    """Every file under `folder`, relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
