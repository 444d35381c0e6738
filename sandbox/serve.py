"""Child-process entry point: `python -m sandbox.serve --system prestashop --db FILE [--port N]`.

Prints `READY <port>` on stdout once listening, then serves until the admin `shutdown` route or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

import orjson

from sandbox.httpcore import App, serve


def build_app(system: str, db: Path) -> App:
    """The emulator of `system` on its SQLite file."""
    if system == "prestashop":
        from sandbox.prestashop.app import PrestaShopApp

        return PrestaShopApp(db)
    if system == "dolibarr":
        from sandbox.dolibarr.app import DolibarrApp

        return DolibarrApp(db)
    raise SystemExit(f"unknown system {system!r} (prestashop or dolibarr)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.serve")
    parser.add_argument("--system", required=True)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--settings", default="{}", help="JSON object of emulator settings to apply at start")
    args = parser.parse_args(argv)
    app = build_app(args.system, args.db)
    settings = orjson.loads(args.settings)
    getattr(app, "settings", {}).update(settings)

    def ready(port: int) -> None:
        app.port = port  # the xlinks and payment URLs name the real port
        print(f"READY {port}", flush=True)

    parent = os.getppid()

    async def orphan_watch() -> None:
        # A server whose parent died (killed test run, closed terminal) stops instead of lingering.
        while os.getppid() == parent:
            await asyncio.sleep(1.0)
        if app.stop_event is not None:
            app.stop_event.set()

    async def run() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(serve(app, args.host, args.port, ready))
        watch = asyncio.ensure_future(orphan_watch())
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: app.stop_event.set() if app.stop_event else None)
        await task
        watch.cancel()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
