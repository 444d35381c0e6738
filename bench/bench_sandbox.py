"""Sandbox emulator benchmark: requests/s and rows/s the PrestaShop and Dolibarr emulators serve.

`python -m bench sandbox [--scale=100] [--seconds=3]` starts both emulators (child processes, as tests and
connectors use them) on a cached world in `data/bench/sandbox-scale<scale>` (generated when absent; the
write measures change it a little), then times typical connector calls from this process over keep-alive
connections: small GETs, large pages with every field, id sweeps, and writes. The point is that the
emulators are not the bottleneck of a connector benchmark: compare these figures with the connectors' own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import requests

from bench.common import ROOT, Figure, record

if TYPE_CHECKING:
    from sandbox import Sandbox

BENCH = "sandbox"


def _timed(seconds: float, step: Callable[[int], int]) -> tuple[int, int, float]:
    """Call `step(i)` (it returns rows read) until `seconds` pass or it returns -1; (calls, rows, elapsed)."""
    started = time.perf_counter()
    calls = rows = 0
    while time.perf_counter() - started < seconds:
        got = step(calls)
        if got < 0:
            break
        calls += 1
        rows += got
    return calls, rows, time.perf_counter() - started


def main(argv: list[str]) -> None:
    """Start the emulators on the cached world of `--scale` and record their throughput."""
    from sandbox import Sandbox

    scale, seconds = 100.0, 3.0
    for arg in argv:
        if arg.startswith("--scale="):
            scale = float(arg.split("=", 1)[1])
        elif arg.startswith("--seconds="):
            seconds = float(arg.split("=", 1)[1])
    data_dir = ROOT / "data" / "bench" / f"sandbox-scale{scale:g}"
    started = time.perf_counter()
    sb = Sandbox(data_dir, seed=42, scale=scale, settings={"dolibarr": {"auth_delay": 0.0}})
    sb.start()
    print(f"sandbox ready in {time.perf_counter() - started:.1f} s ({data_dir})", flush=True)
    try:
        figures = _measure(sb, seconds, scale)
    finally:
        sb.stop()
    record(figures)


def _measure(sb: Sandbox, seconds: float, scale: float) -> list[Figure]:
    ps, erp = sb.prestashop, sb.dolibarr
    counts = sb.ground_truth()["counts"]
    pss = requests.Session()
    pss.auth = (ps.key, "")
    ds = requests.Session()
    ds.headers["DOLAPIKEY"] = erp.key
    extra = {"scale": scale}
    figures: list[Figure] = []

    def rate(name: str, step: Callable[[int], int], unit: str = "rows/s") -> None:
        calls, rows, elapsed = _timed(seconds, step)
        value = (rows if unit == "rows/s" else calls) / elapsed
        figures.append(Figure(BENCH, name, value, unit, {**extra, "calls": calls, "rows": rows}))
        print(figures[-1].line(), flush=True)

    n_products = counts["prestashop"]["products"]

    def ps_page(resource: str, display: str, size: int, total: int) -> Callable[[int], int]:
        def step(i: int) -> int:
            offset = (i * size) % max(total, 1)
            resp = pss.get(
                f"{ps.url}/{resource}",
                params={
                    "output_format": "JSON",
                    "display": display,
                    "limit": f"{offset},{size}",
                    "sort": "[id_ASC]",
                },
            )
            resp.raise_for_status()
            body = resp.json()
            return len(body[resource]) if body else 0

        return step

    rate(
        "prestashop GET one product (JSON)",
        lambda i: _ok(pss.get(f"{ps.url}/products/{1 + i % n_products}", params={"output_format": "JSON"})),
        "req/s",
    )
    rate("prestashop products display=full, pages of 100", ps_page("products", "full", 100, n_products))
    rate(
        "prestashop orders display=full (order_rows), pages of 100",
        ps_page("orders", "full", 100, counts["prestashop"]["orders"]),
    )
    rate(
        "prestashop stock sweep [id,quantity], pages of 1000",
        ps_page(
            "stock_availables",
            "[id,id_product,id_product_attribute,quantity]",
            1000,
            counts["prestashop"]["stock_availables"],
        ),
    )
    rate(
        "prestashop customers display=[5 fields], pages of 500",
        ps_page(
            "customers", "[id,email,firstname,lastname,date_upd]", 500, counts["prestashop"]["customers"]
        ),
    )

    def erp_page(resource: str, size: int, total: int) -> Callable[[int], int]:
        def step(i: int) -> int:
            page = i % max(1, total // size)
            params: dict[str, str | int] = {"limit": size, "page": page, "sortfield": "t.rowid"}
            resp = ds.get(f"{erp.url}/{resource}", params=params)
            resp.raise_for_status()
            return len(resp.json())

        return step

    rate("dolibarr GET /status", lambda i: _ok(ds.get(f"{erp.url}/status")), "req/s")
    rate(
        "dolibarr products (163 keys), pages of 100",
        erp_page("products", 100, counts["dolibarr"]["products"]),
    )
    rate("dolibarr orders with lines, pages of 100", erp_page("orders", 100, counts["dolibarr"]["orders"]))
    rate(
        "dolibarr stock movements, pages of 1000",
        erp_page("stockmovements", 1000, counts["dolibarr"]["stock_movements"]),
    )

    # Four clients at once: the server's own ceiling, not the client's.
    def parallel(i: int) -> int:
        with ThreadPoolExecutor(4) as pool:
            return sum(pool.map(ps_page("products", "full", 100, n_products), range(i * 4, i * 4 + 4)))

    rate("prestashop products display=full, 4 clients in parallel", parallel)

    sb.admin("prestashop").settings(patch_allowed=True)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><prestashop><stock_available><id>{}</id>'
        "<quantity>{}</quantity></stock_available></prestashop>"
    )
    n_stock = counts["prestashop"]["stock_availables"]
    rate(
        "prestashop PATCH stock_available (writes)",
        lambda i: _ok(
            pss.patch(f"{ps.url}/stock_availables/{1 + i % n_stock}", data=body.format(1 + i % n_stock, 5))
        ),
        "req/s",
    )
    rate(
        "dolibarr POST stockmovements (writes)",
        lambda i: _ok(
            ds.post(
                f"{erp.url}/stockmovements",
                json={
                    "product_id": 1,
                    "warehouse_id": 1,
                    "qty": 1 if i % 2 else -1,
                    "movementcode": f"BENCH-{time.time_ns()}-{i}",
                },
            )
        ),
        "req/s",
    )
    return figures


def _ok(resp: requests.Response) -> int:
    resp.raise_for_status()
    return 1


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
