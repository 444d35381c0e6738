"""Push benchmark: API calls per record changed, per entity, and the time to push 1,000 stock changes.

`python -m bench push [--stock=1000] [--no-entities]`

* Entities: the sandbox world (seed 42, scale 1) is extracted and built as `omnicanal run` does, then each
  sync model is pushed on its own through `flows.push` (plan, execute): records written, HTTP calls made
  (retries included: none here) and calls per record, per entity.
* Stock: on a larger world (scale 3, about 1,300 stock records), `--stock` quantities are pushed through the
  PrestaShop destination three ways: read-modify-write PUT with 4 writes in flight, the same one at a time,
  and PATCH (the key granted it) with 4 in flight. Each way sends one PUT or PATCH per record and reads each
  batch of 100 records in one call before writing and once after (the re-read): about 1.02 calls per record.

Times are those of the emulators on this machine (a PHP shop answers writes slower): read them as ratios.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Figure, record

BENCH = "push"


def _settings(sandbox: Any, data_dir: Path) -> Any:
    from flows.config import load_settings, write_connections_config

    config = write_connections_config(data_dir.parent / "config" / "config.toml", sandbox.connections())
    return load_settings(config, data_dir=data_dir, environ={})


def _entities(root: Path) -> list[Figure]:
    """Extract and build the scale-1 world, then push one entity at a time and count calls per record."""
    from flows.build import build_warehouse
    from flows.extract import extract_connections
    from flows.push import SELECTORS, execute_push, plan_push
    from sandbox.testing import pristine_world, sandbox_on_copy

    sandbox = sandbox_on_copy(pristine_world(42, 1.0, cache=root / "worlds"), root / "entities")
    figures = []
    try:
        settings = _settings(sandbox, root / "entities-data")
        started = time.perf_counter()
        extract_connections(settings, full=True)
        build_warehouse(settings)
        print(f"world extracted and built in {time.perf_counter() - started:.1f} s", flush=True)
        for selector in SELECTORS:
            plan = plan_push(settings, f"bench-{selector}", only=[selector])
            result = execute_push(settings, plan, dry_run=False)
            calls = sum(result.calls.values())
            if not result.writes:
                continue
            figures.append(
                Figure(
                    BENCH,
                    f"{selector} calls per record written",
                    calls / result.writes,
                    "calls",
                    {"records": result.writes, "calls": calls, "seconds": round(result.seconds, 2)},
                )
            )
    finally:
        sandbox.stop()
    return figures


def _stock_records(sandbox: Any, count: int) -> list[Any]:
    """`count` stock records of sellable items (combinations, simple products), each to raise by one."""
    from destinations._common.http import RetryPolicy
    from destinations._common.records import FieldChange, SyncRecord
    from destinations.prestashop.helpers import PrestaShopClient

    client = PrestaShopClient(
        sandbox.prestashop.url,
        sandbox.prestashop.key,
        connection="webshop",
        policy=RetryPolicy(),
        pool_size=1,
    )
    try:
        rows = client.list("stock_availables", {}, "[id,id_product,id_product_attribute,quantity]")
    finally:
        client.close()
    with_combinations = {r["id_product"] for r in rows if int(r["id_product_attribute"])}
    items = [r for r in rows if int(r["id_product_attribute"]) or r["id_product"] not in with_combinations]
    if len(items) < count:
        raise SystemExit(f"the world has {len(items)} sellable stock records, fewer than --stock={count}")
    return [
        SyncRecord(
            model="sync_prestashop__stock",
            target="prestashop",
            connection="webshop",
            entity="stock",
            record_key=f"webshop:{row['id']}",
            target_id=str(row["id"]),
            changes=[FieldChange("quantity", str(row["quantity"]), str(int(row["quantity"]) + 1))],
        )
        for row in items[:count]
    ]


def _stock(root: Path, count: int) -> list[Figure]:
    """Push `count` stock changes three ways on a scale-3 world."""
    from destinations.prestashop import PrestaShopDestination
    from sandbox.testing import pristine_world, sandbox_on_copy

    sandbox = sandbox_on_copy(pristine_world(42, 3.0, cache=root / "worlds"), root / "stock")
    figures = []
    try:
        for label, concurrency, patch in (
            ("PUT, 4 in flight", 4, False),
            ("PUT, 1 in flight", 1, False),
            ("PATCH, 4 in flight", 4, True),
        ):
            sandbox.admin("prestashop").settings(patch_allowed=patch)
            records = _stock_records(sandbox, count)
            destination = PrestaShopDestination(
                connection="webshop",
                base_url=sandbox.prestashop.url,
                api_key=sandbox.prestashop.key,
                concurrency=concurrency,
            )
            started = time.perf_counter()
            try:
                outcomes = [o for batch in destination.write(records) for o in batch]
            finally:
                destination.close()
            seconds = time.perf_counter() - started
            written = sum(1 for o in outcomes if o.status == "written")
            if written != count:
                raise RuntimeError(f"{label}: {written} of {count} stock records written")
            extra: dict[str, object] = {
                "records": count,
                "calls": destination.calls,
                "calls_per_record": round(destination.calls / count, 3),
            }
            figures.append(Figure(BENCH, f"{count} stock changes, {label}", seconds, "s", extra))
            figures.append(Figure(BENCH, f"stock records per second, {label}", count / seconds, "rec/s"))
    finally:
        sandbox.stop()
    return figures


def main(argv: list[str]) -> None:
    """Run the measures (`--stock=N` stock changes, `--no-entities` to skip the per-entity push)."""
    count, entities = 1000, True
    for arg in argv:
        if arg.startswith("--stock="):
            count = int(arg.split("=", 1)[1])
        elif arg == "--no-entities":
            entities = False
    with tempfile.TemporaryDirectory(prefix="omnicanal-bench-push-") as tmp:
        root = Path(tmp)
        figures = _entities(root) if entities else []
        figures += _stock(root, count)
    record(figures)
