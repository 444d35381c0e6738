"""Benchmark of the flat-file source: a 1M-line POS CSV loaded through the source against DuckDB's `read_csv`.

The file is in the sandbox's POS daily sales layout (14 columns, UTF-8, store wall-clock times), generated
once under `data/bench/flatfiles/`. Each repetition runs, in fresh child processes, DuckDB's own
`create table ... as select * from read_csv(file)` into a new DuckDB file (the floor), then the source as
a sync runs it: `flows.extract.extract_connection` on a `flatfiles` connection (dlt pipeline with
`flatfiles_source`: parse and hash, type every column, all-or-nothing buffering, Parquet, load into
DuckDB; then the move of the file to `processed/`). Times are taken inside the children around the work
(the extraction step's own timing), once the libraries are imported on both sides (the floor's child
imports `duckdb` before its clock; the source's child imports duckdb, dlt, pandas, SQLAlchemy and the
source); the best repetition of each is compared, and the medians (the machines are shared and noisy).
The peak RSS is the source child's own.

Usage: `python -m bench flatfiles` or `python -m bench.bench_flatfiles [--lines 1000000] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import ROOT, Figure, import_libraries, record, run_measured

BENCH = "flatfiles"
CACHE = ROOT / "data" / "bench" / "flatfiles"
HEADER = (
    "store_code,ticket_id,ticket_datetime,line_no,sku,ean13,quantity,unit_price_incl_tax,discount_incl_tax,"
    "vat_rate,payment_method,customer_email,customer_phone,original_ticket_id"
)


def make_file(path: Path, lines: int, seed: int = 7) -> Path:
    """A POS export of `lines` ticket lines (1 to 5 lines per ticket, a loyalty e-mail on one ticket in 4)."""
    rng = random.Random(seed)
    start = datetime(2026, 5, 1, 9, 0, 0)
    tmp = path.with_suffix(".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\n")
        written = ticket = 0
        while written < lines:
            ticket += 1
            when = start + timedelta(seconds=ticket * 37)
            store = "PARIS" if ticket % 3 else "LYON"
            ticket_id = f"T-{store}-{when:%Y%m%d}-{ticket:07d}"
            email = f"client{ticket % 5000}@exemple.fr" if ticket % 4 == 0 else ""
            for line in range(1, min(1 + int(rng.expovariate(0.8)), 5) + 1):
                if written >= lines:
                    break
                sku = rng.randrange(1, 3000)
                fh.write(
                    f"{store},{ticket_id},{when:%Y-%m-%d %H:%M:%S},{line},MX-ART-{sku:05d},37604200{sku:05d},"
                    f"{rng.choice((1, 1, 1, 2))},{rng.randrange(300, 25000) / 100:.2f},0.00,"
                    f"{rng.choice(('20', '5.5', '10'))},{rng.choice(('CB', 'ESPECES', 'CHEQUE'))},{email},,\n"
                )
                written += 1
    tmp.rename(path)
    return path


# ---------------------------------------------------------------- child steps (measured processes)


def child_source(source_file: Path, work: Path) -> None:
    """Extract the file as a `flatfiles` connection through the flows' extraction step; print rows and seconds."""
    from flows.config import Connection, Merchant, Settings
    from flows.extract import extract_connection

    import_libraries("sources.flatfiles")

    drop = work / "drop"
    drop.mkdir(parents=True)
    os.link(source_file, drop / source_file.name)  # the step moves it to processed/ afterwards
    conn = Connection(
        name="pos",
        kind="flatfiles",
        role="channel",
        channel="store",
        timezone="Europe/Paris",
        options={"path": str(drop), "layout": "pos_sales", "min_age_seconds": 0},
    )
    settings = Settings(data_dir=work / "data", merchant=Merchant(), connections={"pos": conn})
    result = extract_connection(conn, settings)
    if not (drop / "processed" / source_file.name).exists():
        raise RuntimeError(f"{source_file.name} was not moved to processed/")
    print(json.dumps({"rows": result.rows["pos_sales_lines"], "seconds": result.seconds}))


def child_floor(source_file: Path, work: Path) -> None:
    """DuckDB reading the same file into a table of a fresh DuckDB file; print rows and seconds."""
    import duckdb

    work.mkdir(parents=True)
    with duckdb.connect(str(work / "floor.duckdb")) as con:
        started = time.perf_counter()
        con.execute("create table pos as select * from read_csv(?)", [str(source_file)])
        seconds = time.perf_counter() - started
        rows = con.execute("select count(*) from pos").fetchall()[0][0]
    print(json.dumps({"rows": rows, "seconds": seconds}))


# ---------------------------------------------------------------- driver


def _run_child(step: str, source_file: Path, work: Path) -> tuple[float, int, dict[str, Any]]:
    shutil.rmtree(work, ignore_errors=True)
    try:
        wall, rss, out = run_measured(
            ["-m", "bench.bench_flatfiles", "--child", step, str(source_file), str(work)], cwd=ROOT
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return wall, rss, json.loads(out.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    """Run the benchmark and record its figures (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="bench flatfiles")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args, _ = parser.parse_known_args(argv)

    source_file = CACHE / f"pos_{args.lines}.csv"
    if not source_file.exists():
        started = time.perf_counter()
        make_file(source_file, args.lines)
        print(f"wrote {source_file} in {time.perf_counter() - started:.0f} s", flush=True)
    size_mib = source_file.stat().st_size / 2**20

    floors: list[float] = []
    loads: list[float] = []
    walls: list[float] = []
    peaks: list[int] = []
    for _ in range(args.repeat):
        _, _, floor = _run_child("floor", source_file, CACHE / "run-floor")
        wall, rss, load = _run_child("source", source_file, CACHE / "run-source")
        if load["rows"] != args.lines or floor["rows"] != args.lines:
            raise RuntimeError(
                f"rows differ: source {load['rows']}, floor {floor['rows']}, file {args.lines}"
            )
        floors.append(floor["seconds"])
        loads.append(load["seconds"])
        walls.append(wall)
        peaks.append(rss)
        print(
            f"  floor {floor['seconds']:.2f} s, source {load['seconds']:.2f} s, peak RSS {rss / 2**20:.0f} MiB",
            flush=True,
        )
    best_load, best_floor = min(loads), min(floors)
    extra = {"lines": args.lines, "file_mib": round(size_mib), "repeat": args.repeat}
    record(
        [
            Figure(
                BENCH, f"source, {args.lines:,}-line POS CSV (best)", args.lines / best_load, "rows/s", extra
            ),
            Figure(BENCH, "DuckDB read_csv floor (best)", args.lines / best_floor, "rows/s", extra),
            Figure(
                BENCH, "ratio to the floor (best / best)", best_floor / best_load, "x", {"target": ">= 0.5"}
            ),
            Figure(
                BENCH,
                "ratio to the floor (median / median)",
                statistics.median(floors) / statistics.median(loads),
                "x",
            ),
            Figure(BENCH, "source load seconds (best)", best_load, "s"),
            Figure(BENCH, "source child wall incl. imports (best)", min(walls), "s"),
            Figure(BENCH, "source peak RSS (max)", max(peaks) / 2**20, "MiB", {"file_mib": round(size_mib)}),
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        step, file_arg, work_arg = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        if step == "source":
            child_source(file_arg, work_arg)
        else:
            child_floor(file_arg, work_arg)
    else:
        main(sys.argv[1:])
