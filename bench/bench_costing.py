"""Costing engine benchmark: FIFO + perpetual and periodic CMUP over ≥ 1M stock movements against a DuckDB pass.

`python -m bench costing [--movements N] [--repeat 3]` generates a deterministic data set (receipts with
landed costs and USD lines, sales with some negative stock, customer and supplier returns, gains and losses,
over many products and 24 months) with the column types of the warehouse's `int_costing__*` views, then
runs measured child processes on the same rows, interleaved because the machine is shared:

* the engine: `compute_costs` on the typed Arrow tables (what the dbt model passes), every output and KPI;
  each child reports its first run (numba's compiled code loaded from its on-disk cache) and a warm run,
  and one more child starts with an empty numba cache (its first run compiles);
* the floor: one DuckDB window pass, a running sum of quantity and value per product in time order.

What was measured (1.1M movements, 990k sale lines, 2 cores shared with other work, so best of interleaved
runs; pyinstrument, cProfile with CPU time, line_profiler, and a tracemalloc/RSS sampler per stage):

* before (5c71eff), same bench: warm 9.5-10.3 s (12x to 24x the DuckDB pass, depending on the load), peak
  RSS 1.17 GB. 7.6 s were the revenue's half-up ratios: a DECIMAL(18,10) price times 10^9 overflowed int64,
  so every sale line fell back to Python integers (the warehouse at sandbox scale 100: 5-7 s of its 6-7 s
  engine run, and 0.4 s more in the lots). With 2-decimal inputs the engine took 2.5 s (3.5x): checks 0.75
  (string hashing, a 1M-key `index_in` for the return references), walk 0.5 (a 3-key lexsort: the packed
  sort key counted times from 1970), lines 0.33 (stacked copies for every ratio), KPIs 0.95 (phones and
  e-mails normalised twice, customer counts by two sorts and four searchsorted per row set).
* after: warm 1.4-1.9 s (700k movements/s; 2x the pass with both under the same load, 3.6x against the
  best pass seen on a quiet moment, 0.40 s): checks 0.55 (Arrow hashing the 1M line and order ids, the
  product references and the choices: the floor of the string work), walk 0.4 (one argsort of the packed
  key 0.15, the compiled walk 0.1), KPIs 0.5 (identity 0.3: encoding the raw e-mails and phones of 600k
  orders), lines 0.1. A process's first run takes 2.7 s: numba's start (LLVM and the cached code, 0.4-0.7 s)
  and first-touch page faults, which are slow on these shared machines; compiling from an empty numba cache
  adds about 5.5 s. Peak RSS 0.89-0.94 GB (was 1.16), of which 0.44 GB are the input tables read from
  Parquet and 0.34 GB the results (the contract's DECIMAL(18,2) is a 16-byte decimal128, 14 per sale line).
* the warehouse at sandbox scale 100 (313k movements, 60k products), first run in a process: engine
  4.0-4.5 s -> 1.2-1.6 s, RSS after the engine 0.82 -> 0.72 GB; the dbt model's stacking of the six outputs
  into one 95-column table (0.96 GB, 1.5-2.9 s) and its write then dominate that model's time and peak.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.common import Figure, record, run_measured

BENCH = "costing"
START = np.datetime64("2023-01-01T00:00:00", "s")
MONTHS = 24
TABLES = ("products", "fx_rates", "receipts", "landed_costs", "sales", "returns", "adjustments")
# DuckDB types of the dbt views: wide decimal scales (ERP unit prices with 8-10 decimals), microseconds.
WAREHOUSE_TYPES = {
    "weight_kg": pa.decimal128(18, 6),
    "fallback_unit_cost": pa.decimal128(18, 4),
    "units_per_eur": pa.decimal128(18, 6),
    "unit_price": pa.decimal128(18, 8),
    "amount": pa.decimal128(18, 8),
    "unit_price_incl_tax": pa.decimal128(18, 10),
    "discount_incl_tax": pa.decimal128(18, 10),
    "tax_rate": pa.decimal128(10, 7),
    "datetime": pa.timestamp("us"),
}
OUTPUTS = ("receipt_costs", "landed_cost_shares", "line_costs", "movement_costs", "kpis", "product_kpis")


def _cents_to_decimal(cents: np.ndarray) -> pa.Array:
    from warehouse.costing.fixed import to_decimal

    return to_decimal(np.asarray(cents, dtype=np.int64), 2)


def _ids(prefix: str, n: int) -> pa.Array:
    return pa.array(np.char.add(prefix, np.arange(n).astype(str)).astype(object), pa.string())


def generate(n_movements: int, seed: int = 7) -> dict[str, pa.Table]:
    """A valid data set of about `n_movements` stock movements (typed columns, as the warehouse gives them)."""
    rng = np.random.default_rng(seed)
    n_orders = int(n_movements * 0.6)
    n_products = max(20, n_movements // 500)
    month_start = (START.astype("datetime64[M]") + np.arange(MONTHS + 1)).astype("datetime64[s]")
    span = int((month_start[-1] - START).astype(np.int64))

    # Sales: orders of 1 or 2 lines (same time, channel, customer), 1-3 units each.
    order_time = START + rng.integers(0, span, n_orders).astype("timedelta64[s]")
    lines_per_order = rng.integers(1, 3, n_orders)
    line_order = np.repeat(np.arange(n_orders), lines_per_order)
    n_lines = line_order.size
    sale_product = rng.integers(0, n_products, n_lines)
    sale_qty = rng.integers(1, 4, n_lines)
    sale_time = order_time[line_order]
    channel = np.array(["web", "store", "marketplace"], dtype=object)[rng.integers(0, 3, n_orders)]
    fulfillment = np.where(
        channel == "store", "in_store", np.where(rng.random(n_orders) < 0.2, "click_collect", "ship")
    ).astype(object)
    fulfillment[channel == "marketplace"] = "ship"
    customer = rng.integers(0, n_orders // 3, n_orders)
    email = np.char.add(np.char.add("c", customer.astype(str)), "@example.com").astype(object)
    email[rng.random(n_orders) < 0.3] = None
    phone = np.char.add("06", np.char.zfill(customer.astype(str), 8)).astype(object)
    phone[rng.random(n_orders) < 0.5] = None

    # Receipts: one per product and month on day 1 at 09:00, grouped 5 products per receipt; the quantity
    # covers the month's sales plus half the next month's, so negative stock happens only early on day 1.
    month_of_sale = (sale_time.astype("datetime64[M]") - START.astype("datetime64[M]")).astype(np.int64)
    sold = np.zeros((n_products, MONTHS + 1), np.int64)
    np.add.at(sold, (sale_product, month_of_sale), sale_qty)
    rec_product = np.tile(np.arange(n_products), MONTHS)
    rec_month = np.repeat(np.arange(MONTHS), n_products)
    rec_qty = sold[rec_product, rec_month] + sold[rec_product, rec_month + 1] // 2 + 10
    rec_time = month_start[rec_month] + np.timedelta64(9 * 3600, "s")
    group = rec_month * ((n_products + 4) // 5) + rec_product // 5
    receipt_id = np.char.add("R", group.astype(str)).astype(object)
    base_price = rng.integers(300, 5000, n_products)
    rec_price = base_price[rec_product] + rng.integers(-100, 100, rec_product.size)
    usd = (group % 5) == 0
    rec_currency = np.where(usd, "USD", "EUR").astype(object)

    # Customer returns: 5% of sale lines, 1 unit, 1 to 15 days later; supplier returns: 2% of receipt lines,
    # 1 unit, an hour after the receipt; losses 1 unit two hours after a receipt, gains at any time.
    back = rng.choice(n_lines, n_lines // 20, replace=False)
    back_time = sale_time[back] + rng.integers(86400, 15 * 86400, back.size).astype("timedelta64[s]")
    to_supplier = rng.choice(rec_product.size, max(1, rec_product.size // 50), replace=False)
    n_ret = back.size + to_supplier.size
    n_adj = max(10, n_movements - n_lines - rec_product.size - n_ret)
    loss_of = rng.choice(rec_product.size, n_adj // 2, replace=False)
    gain_product = rng.integers(0, n_products, n_adj - loss_of.size)
    gain_time = START + rng.integers(0, span, gain_product.size).astype("timedelta64[s]")

    days = np.arange(START, month_start[-1] + np.timedelta64(31, "D"), np.timedelta64(1, "D"))
    costs = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])[::5]  # one landed cost per fifth receipt

    ts = pa.timestamp("s")
    tables = {
        "products": pa.table(
            {
                "product_id": _ids("P", n_products),
                "weight_kg": _cents_to_decimal(rng.integers(10, 500, n_products) * 10),
                "fallback_unit_cost": _cents_to_decimal(base_price),
                "active_from": pa.array(np.full(n_products, START.astype("datetime64[D]")), pa.date32()),
            }
        ),
        "fx_rates": pa.table(
            {
                "date": pa.array(days.astype("datetime64[D]"), pa.date32()),
                "currency": pa.array(np.full(days.size, "USD", dtype=object), pa.string()),
                "units_per_eur": pa.array(1.05 + 0.05 * np.sin(np.arange(days.size) / 30)).cast(
                    pa.decimal128(18, 4), safe=False
                ),
            }
        ),
        "receipts": pa.table(
            {
                "receipt_id": pa.array(receipt_id, pa.string()),
                "line_no": pa.array(rec_product % 5 + 1),
                "line_id": _ids("RL", rec_product.size),
                "datetime": pa.array(rec_time, ts),
                "product_id": pa.array(np.char.add("P", rec_product.astype(str)).astype(object), pa.string()),
                "qty": pa.array(rec_qty),
                "unit_price": _cents_to_decimal(rec_price),
                "currency": pa.array(rec_currency, pa.string()),
            }
        ),
        "landed_costs": pa.table(
            {
                "landed_cost_id": _ids("LC", costs.size),
                "date": pa.array(
                    (rec_time[costs] + np.timedelta64(5, "D")).astype("datetime64[D]"), pa.date32()
                ),
                "receipt_id": pa.array(receipt_id[costs], pa.string()),
                "amount": _cents_to_decimal(rng.integers(1000, 50000, costs.size)),
                "currency": pa.array(
                    np.where(rng.random(costs.size) < 0.3, "USD", "EUR").astype(object), pa.string()
                ),
                "split_method": pa.array(
                    np.array(["by_value", "by_quantity", "by_weight", "equal"], dtype=object)[costs % 4],
                    pa.string(),
                ),
            }
        ),
        "sales": pa.table(
            {
                "order_id": pa.array(np.char.add("O", line_order.astype(str)).astype(object), pa.string()),
                "line_id": _ids("SL", n_lines),
                "datetime": pa.array(sale_time, ts),
                "channel": pa.array(channel[line_order], pa.string()),
                "fulfillment": pa.array(fulfillment[line_order], pa.string()),
                "customer_email": pa.array(email[line_order], pa.string()),
                "customer_phone": pa.array(phone[line_order], pa.string()),
                "product_id": pa.array(
                    np.char.add("P", sale_product.astype(str)).astype(object), pa.string()
                ),
                "qty": pa.array(sale_qty),
                "unit_price_incl_tax": _cents_to_decimal(base_price[sale_product] * 2),
                "discount_incl_tax": _cents_to_decimal(np.where(rng.random(n_lines) < 0.1, 100, 0)),
                "tax_rate": _cents_to_decimal(np.full(n_lines, 20)),  # 0.20
            }
        ),
        "returns": pa.table(
            {
                "return_id": _ids("RT", n_ret),
                "datetime": pa.array(
                    np.concatenate([back_time, rec_time[to_supplier] + np.timedelta64(3600, "s")]), ts
                ),
                "return_type": pa.array(
                    np.array(["customer"] * back.size + ["supplier"] * to_supplier.size, dtype=object),
                    pa.string(),
                ),
                "ref_line_id": pa.array(
                    np.concatenate(
                        [np.char.add("SL", back.astype(str)), np.char.add("RL", to_supplier.astype(str))]
                    ).astype(object),
                    pa.string(),
                ),
                "product_id": pa.array(
                    np.char.add(
                        "P", np.concatenate([sale_product[back], rec_product[to_supplier]]).astype(str)
                    ).astype(object),
                    pa.string(),
                ),
                "qty": pa.array(np.ones(n_ret, np.int64)),
            }
        ),
        "adjustments": pa.table(
            {
                "adjustment_id": _ids("A", n_adj),
                "datetime": pa.array(
                    np.concatenate([rec_time[loss_of] + np.timedelta64(7200, "s"), gain_time]), ts
                ),
                "product_id": pa.array(
                    np.char.add("P", np.concatenate([rec_product[loss_of], gain_product]).astype(str)).astype(
                        object
                    ),
                    pa.string(),
                ),
                "qty_delta": pa.array(
                    np.concatenate([-np.ones(loss_of.size, np.int64), np.ones(gain_product.size, np.int64)])
                ),
            }
        ),
    }
    return {name: _as_in_the_warehouse(table) for name, table in tables.items()}


def _as_in_the_warehouse(table: pa.Table) -> pa.Table:
    """The columns cast to the types of the warehouse's `int_costing__*` views (what the dbt model passes)."""
    for column, kind in WAREHOUSE_TYPES.items():
        if column in table.column_names:
            table = table.set_column(
                table.column_names.index(column), column, table.column(column).cast(kind)
            )
    return table


def _events(tables: dict[str, pa.Table]) -> pa.Table:
    """The same movements as one table (product, time, signed quantity, value) for the DuckDB floor."""
    parts = []
    for name, qty, sign in (
        ("receipts", "qty", 1),
        ("sales", "qty", -1),
        ("returns", "qty", 1),
        ("adjustments", "qty_delta", 1),
    ):
        table = tables[name]
        q = table.column(qty).to_numpy() * sign
        parts.append(
            pa.table(
                {
                    "product_id": table.column("product_id"),
                    "datetime": table.column("datetime"),
                    "movement_id": table.column(table.column_names[0]),
                    "qty": q,
                    "value": _cents_to_decimal(q * 1000),
                }
            )
        )
    return pa.concat_tables(parts)


def _rss_bytes() -> int:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def step_engine(folder: Path) -> None:
    """Child process: cost the data set twice, the process's first run (numba code loaded or compiled) then warm.

    The first result is dropped before the second run, so the child's peak RSS is that of one run.
    """
    started = time.perf_counter()
    from warehouse.costing import compute_costs

    tables = {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}
    report: dict[str, object] = {
        "import_and_read_s": time.perf_counter() - started,
        "rss_inputs_mib": _rss_bytes() / 2**20,
    }
    for run in ("first", "warm"):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = compute_costs(tables)
        report[run] = {
            "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu,
            "stages": {stage: round(seconds, 3) for stage, seconds in result.timings.items()},
            "sale_lines": result.line_costs.num_rows,
            "product_month_rows": result.product_kpis.num_rows,
            "result_mib": sum(getattr(result, name).nbytes for name in OUTPUTS) / 2**20,
        }
        del result
    print(json.dumps(report))


def step_duckdb(folder: Path) -> None:
    """Child process: one window pass, running quantity and value per product in time order (twice)."""
    import duckdb

    con = duckdb.connect()
    con.execute("create table events as select * from read_parquet(?)", [str(folder / "events.parquet")])
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        con.execute(
            """
            create or replace table running as
            select product_id, datetime, movement_id,
                   sum(qty) over w as qty_on_hand,
                   sum(value) over w as value_on_hand
            from events
            window w as (partition by product_id order by datetime, movement_id
                         rows between unbounded preceding and current row)
            """
        )
        seconds.append(time.perf_counter() - started)
    rows = con.execute("select count(*) from running").fetchall()[0][0]
    print(json.dumps({"seconds": seconds, "rows": rows}))


def _child(step: str, folder: Path, env: dict[str, str] | None = None) -> tuple[int, dict]:
    _, rss, out = run_measured(["-m", "bench.bench_costing", f"--step={step}", str(folder)], env=env)
    return rss, json.loads(out.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    """Generate ≥ 1M movements, cost them in child processes, and compare with a DuckDB window pass."""
    parser = argparse.ArgumentParser(prog="bench costing")
    parser.add_argument("--movements", type=int, default=1_100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args, _ = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-costing-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        tables = generate(args.movements)
        for name, table in tables.items():
            pq.write_table(table, folder / f"{name}.parquet")
        events = _events(tables)
        pq.write_table(events, folder / "events.parquet")
        movements = events.num_rows
        del tables, events
        print(f"generated {movements:,} movements in {time.perf_counter() - started:.1f} s", flush=True)
        # Numba compiles on a first run whose on-disk cache is empty (a fresh install or a changed engine).
        compile_env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}
        _, compiling = _child("engine", folder, compile_env)
        duck, engine, engine_rss, duck_rss = [], [], [], []
        for _ in range(args.repeat):  # interleaved: the machine is shared, so both see the same load
            rss, out = _child("duckdb", folder)
            duck.append(min(out["seconds"]))
            duck_rss.append(rss)
            if out["rows"] != movements:
                raise RuntimeError(f"DuckDB pass saw {out['rows']} rows, not {movements}")
            rss, out = _child("engine", folder)
            engine.append(out)
            engine_rss.append(rss)
            print(
                f"  duckdb {duck[-1]:.2f} s, engine first {out['first']['seconds']:.2f} s, warm "
                f"{out['warm']['seconds']:.2f} s ({out['warm']['stages']}), peak RSS {rss / 2**20:.0f} MiB",
                flush=True,
            )
    best = min(engine, key=lambda out: out["warm"]["seconds"])
    warm = best["warm"]
    first = min(out["first"]["seconds"] for out in engine)
    floor = min(duck)
    median_ratio = statistics.median(out["warm"]["seconds"] for out in engine) / statistics.median(duck)
    extra = {"movements": movements, "sale_lines": warm["sale_lines"], "repeat": args.repeat}
    record(
        [
            Figure(
                BENCH,
                "engine warm: FIFO + WAC + periodic + KPIs",
                movements / warm["seconds"],
                "mov/s",
                extra,
            ),
            Figure(BENCH, "engine warm: compute_costs seconds (best)", warm["seconds"], "s", warm["stages"]),
            Figure(BENCH, "engine warm: CPU seconds of that run", warm["cpu_seconds"], "s"),
            Figure(BENCH, "engine first run in a process (numba cache)", first, "s"),
            Figure(BENCH, "engine first run, numba compiling", compiling["first"]["seconds"], "s"),
            Figure(
                BENCH,
                "duckdb one window pass seconds (best)",
                floor,
                "s",
                {"mov/s": round(movements / floor)},
            ),
            Figure(
                BENCH,
                "ratio engine warm / duckdb pass (best)",
                warm["seconds"] / floor,
                "x",
                {"target": "<= 5"},
            ),
            Figure(BENCH, "ratio engine warm / duckdb pass (median)", median_ratio, "x"),
            Figure(BENCH, "ratio engine first run / duckdb pass (best)", first / floor, "x"),
            Figure(
                BENCH,
                "engine child peak RSS (max)",
                max(engine_rss) / 2**20,
                "MiB",
                {
                    "inputs_loaded_mib": round(best["rss_inputs_mib"]),
                    "result_mib": round(warm["result_mib"]),
                    "duckdb_child_mib": round(max(duck_rss) / 2**20),
                },
            ),
        ]
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0].startswith("--step="):
        {"engine": step_engine, "duckdb": step_duckdb}[args[0].split("=", 1)[1]](Path(args[1]))
    else:
        main(args)
