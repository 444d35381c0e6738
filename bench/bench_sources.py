"""Benchmark of the API sources: full extraction and load of the sandbox at scale 100 against a DuckDB floor.

For each source (PrestaShop, Dolibarr): a first full load into a fresh warehouse (a child process: wall
time, peak RSS, rows, requests; the load is timed inside the child once the libraries are imported, as the
floor's child imports `duckdb` before its clock); the floor, DuckDB `read_json` of the same rows dumped to
JSON lines; then 0.1 % of the records changed through the emulator and an incremental run, whose requests
are compared with the full load's. The CPU seconds of the connector's process and of the emulator serving
it are printed too: on a small machine both share the cores, and their sum bounds the wall time. So is a
ceiling of the ratio: replaying the load's GETs and only parsing them (the server and HTTP) plus the load's
own DuckDB step (dlt's staging and merge), i.e. the ratio if typing and dlt's extraction cost nothing. The
world is generated once under `data/bench/` and copied for each run.

Usage: `python -m bench sources` or `python -m bench.bench_sources [--scale 100] [--only prestashop]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import ROOT, Figure, import_libraries, record, run_measured

BENCH = "sources"
CACHE = ROOT / "data" / "bench"
CHANGED_SHARE = 0.001
# connection -> (emulator, tables changed before the incremental run: admin table, ground-truth count, stamp)
SYSTEMS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "webshop": (
        "prestashop",
        [
            ("products", "products", "date_upd"),
            ("customers", "customers", "date_upd"),
            ("addresses", "addresses", "date_upd"),
            ("orders", "orders", "date_upd"),
        ],
    ),
    "erp": (
        "dolibarr",
        [
            ("product", "products", "tms"),
            ("societe", "thirdparties", "tms"),
            ("socpeople", "contacts", "tms"),
            ("commande", "orders", "tms"),
            ("facture", "invoices", "tms"),
            ("commande_fournisseur", "supplier_orders", "tms"),
            ("reception", "receptions", "tms"),
            ("facture_fourn", "supplier_invoices", "tms"),
        ],
    ),
}


# ---------------------------------------------------------------- child steps (measured processes)


def child_extract(config: Path, name: str, data_dir: Path) -> None:
    """Extract one connection and print rows, requests, seconds and the CPU seconds of this process (every
    thread: fetching, typing, DuckDB's load) as JSON (libraries imported first)."""
    from flows.config import load_settings
    from flows.extract import extract_connection

    settings = load_settings(config, data_dir=data_dir, environ={})
    import_libraries(f"sources.{settings.connections[name].kind}")
    cpu = time.process_time()
    result = extract_connection(settings.connections[name], settings)
    cpu = time.process_time() - cpu
    print(
        json.dumps(
            {
                "rows": result.total_rows,
                "requests": result.requests,
                "seconds": result.seconds,
                "load_seconds": result.load_seconds,
                "cpu": cpu,
                "line": result.render(),
            }
        )
    )


def child_replay(config: Path, name: str, requests_file: Path, concurrency: int) -> None:
    """GET again every request of a full load and parse each body, with the same concurrency: the bound
    the emulator and HTTP set, whatever the client does with the rows."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlsplit

    import orjson
    import requests

    from flows.config import load_settings

    conn = load_settings(config, environ={}).connections[name]
    assert conn.url and conn.api_key
    root = "{0.scheme}://{0.netloc}".format(urlsplit(conn.url))
    session = requests.Session()
    if conn.kind == "prestashop":
        session.auth = (conn.api_key.get(), "")
    else:
        session.headers["DOLAPIKEY"] = conn.api_key.get()
    targets = [line for line in requests_file.read_text(encoding="utf-8").splitlines() if line]

    def fetch(target: str) -> int:
        body = session.get(root + target, timeout=120).content
        orjson.loads(body)
        return len(body)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        size = sum(pool.map(fetch, targets))
    print(json.dumps({"seconds": time.perf_counter() - started, "bytes": size, "requests": len(targets)}))


def child_floor(warehouse: Path, schema: str, scratch: Path) -> None:
    """Dump the loaded rows of every raw table to JSON lines, then time DuckDB reading them back."""
    import duckdb

    scratch.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? and table_name not like '\\_dlt%' escape '\\'",
                [schema],
            ).fetchall()
        ]
        for table in tables:
            target = scratch / f"{table}.jsonl"
            con.execute(f"copy (select * from {schema}.{table}) to '{target}' (format json)")  # noqa: S608 - bench paths
    rows = 0
    started = time.perf_counter()
    with duckdb.connect(str(scratch / "floor.duckdb")) as con:
        for table in tables:
            source = scratch / f"{table}.jsonl"
            con.execute(f"create table {table} as select * from read_json('{source}')")  # noqa: S608 - bench paths
            rows += con.execute(f"select count(*) from {table}").fetchall()[0][0]  # noqa: S608
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


# ---------------------------------------------------------------- driver


def _world(scale: float, seed: int) -> Path:
    """The generated world, made once and kept under data/bench/ (generating scale 100 takes minutes)."""
    from sandbox.generator import generate_world

    world = CACHE / f"sources-world-seed{seed}-scale{scale:g}"
    if not (world / "world.json").exists():
        started = time.perf_counter()
        generate_world(world, seed=seed, scale=scale)
        print(f"generated the scale {scale:g} world in {time.perf_counter() - started:.0f} s", flush=True)
    return world


def _config(connections: dict[str, dict[str, Any]], path: Path) -> Path:
    lines = []
    for name, table in connections.items():
        lines.append(f"[connections.{name}]")
        for key, value in {**table, "sweep_every_hours": 100000}.items():
            lines.append(f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _change_records(sandbox: Any, name: str) -> int:
    """Change 0.1 % of the rows of each incremental table (ids 1..n are generated) through the admin API."""
    system, tables = SYSTEMS[name]
    admin = sandbox.admin(system)
    counts = sandbox.ground_truth()["counts"][system]
    now = datetime.now(UTC)
    if system == "prestashop":
        now = now.astimezone(ZoneInfo(sandbox.world().get("timezone", "Europe/Paris")))
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    step = round(1 / CHANGED_SHARE)
    changed = 0
    for table, truth_key, field in tables:
        for row_id in range(1, counts[truth_key] + 1, step):
            changed += admin.set_row(table, row_id, **{field: stamp})
    return changed


def _cpu_seconds(pid: int) -> float:
    """CPU seconds a process has used so far (user + system, from /proc; NaN where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_child(args: list[str]) -> tuple[float, int, dict[str, Any]]:
    wall, rss, out = run_measured(["-m", "bench.bench_sources", *args], cwd=ROOT)
    return wall, rss, json.loads(out.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    """Run the benchmark and record its figures (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="bench sources")
    parser.add_argument("--scale", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", choices=["webshop", "erp"], action="append")
    args, _ = parser.parse_known_args(argv)

    from sandbox.testing import sandbox_on_copy

    world = _world(args.scale, args.seed)
    run_dir = CACHE / "sources-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    sandbox = sandbox_on_copy(world, run_dir / "sandbox")
    figures: list[Figure] = []
    try:
        config = _config(sandbox.connections(), run_dir / "config.toml")
        for name in args.only or ["webshop", "erp"]:
            system = SYSTEMS[name][0]
            data_dir = run_dir / f"data-{name}"
            emulator = getattr(sandbox, system).process.pid
            emulator_cpu = _cpu_seconds(emulator)
            wall, rss, full = _run_child(["--child", "extract", str(config), name, str(data_dir)])
            emulator_cpu = _cpu_seconds(emulator) - emulator_cpu
            print(f"  {full['line']}", flush=True)
            requests_file = run_dir / f"requests-{name}.txt"
            logged = sandbox.admin(system).requests()
            requests_file.write_text(
                "\n".join(e["path_and_query"] for e in logged if e["method"] == "GET" and e["status"] == 200),
                encoding="utf-8",
            )
            _, _, replay = _run_child(["--child", "replay", str(config), name, str(requests_file), "3"])
            _, _, floor = _run_child(
                [
                    "--child",
                    "floor",
                    str(data_dir / "work" / "omnicanal.duckdb"),
                    f"raw_{name}",
                    str(run_dir / f"floor-{name}"),
                ]
            )
            changed = _change_records(sandbox, name)
            _, incr_rss, incremental = _run_child(["--child", "extract", str(config), name, str(data_dir)])
            print(f"  {incremental['line']}", flush=True)
            rate = full["rows"] / full["seconds"]
            floor_rate = floor["rows"] / floor["seconds"]
            fetch_rate = full["rows"] / replay["seconds"]
            extra = {"scale": args.scale, "rows": full["rows"]}
            figures += [
                Figure(BENCH, f"{system} full load rows/s", rate, "rows/s", extra),
                Figure(BENCH, f"{system} full load requests", full["requests"], "requests"),
                Figure(BENCH, f"{system} full load wall", wall, "s"),
                Figure(BENCH, f"{system} full load peak RSS", rss / 2**20, "MiB"),
                Figure(
                    BENCH, f"{system} full load, connector CPU", full["cpu"], "s", {"cores": os.cpu_count()}
                ),
                Figure(
                    BENCH, f"{system} full load, emulator CPU", emulator_cpu, "s", {"cores": os.cpu_count()}
                ),
                Figure(
                    BENCH, f"{system} DuckDB read_json floor", floor_rate, "rows/s", {"rows": floor["rows"]}
                ),
                Figure(BENCH, f"{system} ratio to the floor", rate / floor_rate, "x", {"target": ">= 0.25"}),
                Figure(
                    BENCH,
                    f"{system} rows per connector CPU second / floor",
                    full["rows"] / full["cpu"] / floor_rate,
                    "x",
                    {"note": "the connector alone on a free core, the server costing nothing"},
                ),
                Figure(
                    BENCH,
                    f"{system} same requests, fetch+parse only",
                    fetch_rate,
                    "rows/s",
                    {"requests": replay["requests"], "MB": round(replay["bytes"] / 1e6)},
                ),
                Figure(BENCH, f"{system} fetch+parse bound / floor", fetch_rate / floor_rate, "x"),
                Figure(BENCH, f"{system} extraction / fetch+parse bound", rate / fetch_rate, "x"),
                Figure(BENCH, f"{system} full load, DuckDB load step", full["load_seconds"], "s"),
                Figure(
                    BENCH,
                    f"{system} ceiling: fetch+parse bound + DuckDB load step / floor",
                    full["rows"] / (replay["seconds"] + full["load_seconds"]) / floor_rate,
                    "x",
                    {"note": "the ratio if typing and dlt's extraction cost nothing"},
                ),
                Figure(
                    BENCH,
                    f"{system} incremental requests",
                    incremental["requests"],
                    "requests",
                    {"changed": changed},
                ),
                Figure(
                    BENCH,
                    f"{system} incremental / full requests",
                    incremental["requests"] / full["requests"],
                    "x",
                    {"target": "<= 0.02"},
                ),
                Figure(BENCH, f"{system} incremental peak RSS", incr_rss / 2**20, "MiB"),
            ]
    finally:
        sandbox.stop()
    record(figures)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        step, rest = sys.argv[2], sys.argv[3:]
        if step == "extract":
            child_extract(Path(rest[0]), rest[1], Path(rest[2]))
        elif step == "replay":
            child_replay(Path(rest[0]), rest[1], Path(rest[2]), int(rest[3]))
        else:
            child_floor(Path(rest[0]), rest[1], Path(rest[2]))
    else:
        main(sys.argv[1:])
