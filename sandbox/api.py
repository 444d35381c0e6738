"""The `Sandbox` Python API: generate the world if needed, run both emulators in child processes."""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.generator import generate_world
from sandbox.generator.truth import GENERATOR_VERSION

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Endpoint:
    """One running emulator: its API URL and key, and the root URL of its admin surface."""

    system: str
    url: str
    key: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Admin:
    """Client of an emulator's `/__sandbox__/` surface (tests and benchmarks only; connectors never call it)."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/") + "/__sandbox__/"

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(
            self.root + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"sandbox admin {method} {path}: {exc.code} {exc.read().decode()}") from exc

    def health(self) -> dict[str, Any]:
        return self._call("GET", "health")

    def faults(self, kind: str = "status", **spec: Any) -> dict[str, Any]:
        """Arm a fault: kind `status` (with `status`, `retry_after`), `slow` (`delay`), `truncate`,
        `malformed` (`body`) or `reset`; scoped by `path_prefix`, `method`, `count` (None = always), `skip`."""
        return self._call("POST", "faults", {"kind": kind, **spec})

    def list_faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The request log after sequence number `since`: method, path_and_query (keys redacted), status."""
        return self._call("GET", f"requests?since={since}")["requests"]

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def clock(
        self, *, freeze: str | float | None = None, advance: float | None = None, real: bool = False
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if real:
            payload["real"] = True
        if freeze is not None:
            payload["freeze"] = freeze
        if advance is not None:
            payload["advance"] = advance
        return self._call("POST", "clock", payload) if payload else self._call("GET", "clock")

    def settings(self, **values: Any) -> dict[str, Any]:
        return self._call("POST", "settings", values) if values else self._call("GET", "settings")

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={urllib.parse.quote(str(v))}" for k, v in where.items())
        return self._call("GET", f"rows/{table}" + (f"?{query}" if query else ""))

    def set_row(self, table: str, row_id: int | str, **values: Any) -> int:
        return self._call("POST", f"rows/{table}/{row_id}", {"set": values})["updated"]

    def delete_row(self, table: str, row_id: int | str) -> int:
        return self._call("DELETE", f"rows/{table}/{row_id}")["deleted"]


class Sandbox:
    """The sandbox world and its two emulators (PrestaShop web shop, Dolibarr ERP) on 127.0.0.1.

    `Sandbox(data_dir, seed, scale)` generates the world into `data_dir` when it is absent (or was made
    with another seed or scale); starting it serves the state found there, so what a previous run
    pushed is still there. Use it as a context manager, or call `start()` and `stop()`.
    """

    def __init__(
        self,
        data_dir: Path | str,
        seed: int = 42,
        scale: float = 1.0,
        prestashop_port: int = 0,
        dolibarr_port: int = 0,
        settings: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.seed = seed
        self.scale = scale
        self.ports = {"prestashop": prestashop_port, "dolibarr": dolibarr_port}
        self.start_settings = settings or {}
        self._endpoints: dict[str, Endpoint] = {}

    # ------------------------------------------------------------------------------ lifecycle
    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def ensure_world(self) -> None:
        """Generate the world unless the data dir already holds one of this seed, scale and generator version."""
        meta = self.data_dir / "world.json"
        if meta.exists():
            world = json.loads(meta.read_text())
            same = world.get("seed") == self.seed and float(world.get("scale", -1)) == float(self.scale)
            if same and world.get("generator_version") == GENERATOR_VERSION:
                return
        generate_world(self.data_dir, seed=self.seed, scale=self.scale)

    def start(self) -> None:
        if self._endpoints:
            return
        self.ensure_world()
        atexit.register(self.stop)  # never leave servers behind, even when a caller forgets stop()
        world = json.loads((self.data_dir / "world.json").read_text())
        try:
            for system, path in (("prestashop", "/api"), ("dolibarr", "/api/index.php")):
                proc, port = self._spawn(system)
                key = world[f"{system}_key"]
                self._endpoints[system] = Endpoint(system, f"http://127.0.0.1:{port}{path}", key, port, proc)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, system: str) -> tuple[subprocess.Popen[bytes], int]:
        log = (self.data_dir / f"{system}.log").open("ab")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")]))
        cmd = [
            sys.executable,
            "-m",
            "sandbox.serve",
            "--system",
            system,
            "--db",
            str(self.data_dir / f"{system}.sqlite"),
            "--port",
            str(self.ports[system]),
            "--settings",
            json.dumps(self.start_settings.get(system, {})),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, env=env)
        log.close()
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        if not line.startswith("READY "):
            proc.kill()
            proc.wait()
            tail = (self.data_dir / f"{system}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the {system} emulator did not start: {line or 'no output'}\n{tail}")
        proc.stdout.close()
        return proc, int(line.split()[1])

    def stop(self) -> None:
        """Stop both emulators (their state stays on disk)."""
        for endpoint in list(self._endpoints.values()):
            proc = endpoint.process
            if proc.poll() is None:
                try:
                    Admin(endpoint.root)._call("POST", "shutdown", {})
                except (OSError, RuntimeError):
                    proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._endpoints.clear()
        atexit.unregister(self.stop)

    def reset(self) -> None:
        """Throw the world away and generate it again; running emulators are restarted on the new one."""
        running = bool(self._endpoints)
        self.stop()
        generate_world(self.data_dir, seed=self.seed, scale=self.scale)
        if running:
            self.start()

    def wait(self) -> None:
        """Block until an emulator exits, Ctrl-C or SIGTERM (`kill`, a service manager).

        Both signals are handled here whatever was inherited: a shell running a command in the background
        makes it ignore SIGINT, and SIGTERM would end the process without stopping the emulators.
        """
        previous: dict[signal.Signals, Any] = {}
        if threading.current_thread() is threading.main_thread():
            handler = signal.default_int_handler  # raises KeyboardInterrupt
            previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while all(e.process.poll() is None for e in self._endpoints.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    # ------------------------------------------------------------------------------ access
    def _endpoint(self, system: str) -> Endpoint:
        if system not in self._endpoints:
            raise RuntimeError(
                f"the sandbox is not running ({system}); use it as a context manager or call start()"
            )
        return self._endpoints[system]

    @property
    def prestashop(self) -> Endpoint:
        return self._endpoint("prestashop")

    @property
    def dolibarr(self) -> Endpoint:
        return self._endpoint("dolibarr")

    def admin(self, system: str) -> Admin:
        """The admin client of `prestashop` or `dolibarr`."""
        return Admin(self._endpoint(system).root)

    def ground_truth(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "ground_truth.json").read_text())

    def world(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "world.json").read_text())

    def files(self) -> dict[str, Path]:
        """The drop folders of the flat files: POS daily exports, marketplace reports, the ERP export."""
        root = self.data_dir / "files"
        return {"pos": root / "pos", "marketplace": root / "marketplace", "erp_export": root / "erp_export"}

    def connections(self) -> dict[str, dict[str, Any]]:
        """Connection tables for config.toml (`api_key` included: the caller moves it to secrets)."""
        world = self.world()
        files = self.files()
        return {
            "erp": {
                "kind": "dolibarr",
                "role": "erp",
                "url": self.dolibarr.url,
                "api_key": self.dolibarr.key,
                "timezone": "UTC",
            },
            "webshop": {
                "kind": "prestashop",
                "role": "channel",
                "channel": "web",
                "url": self.prestashop.url,
                "api_key": self.prestashop.key,
                "timezone": world.get("timezone", "Europe/Paris"),
                "stock_warehouses": ["WH-CENTRAL"],
                "click_collect_carriers": [1],
            },
            # the stores' POS exports and the marketplace's order reports, dropped as files
            "pos": {
                "kind": "flatfiles",
                "role": "channel",
                "channel": "store",
                "path": str(files["pos"]),
                "layout": "pos_sales",
                "timezone": world.get("timezone", "Europe/Paris"),
                "min_age_seconds": 0,
            },
            "marketplace": {
                "kind": "flatfiles",
                "role": "channel",
                "channel": "marketplace",
                "path": str(files["marketplace"]),
                "layout": "marketplace_orders",
                "timezone": world.get("timezone", "Europe/Paris"),
                "min_age_seconds": 0,
            },
        }

    def describe(self) -> str:
        """URLs, keys and curl examples, for `omnicanal sandbox up`."""
        ps, erp = self.prestashop, self.dolibarr
        truth = self.ground_truth().get("counts", {})
        return "\n".join(
            [
                f"sandbox world in {self.data_dir} (seed {self.seed}, scale {self.scale:g})",
                f"  PrestaShop 8.1.2 webservice  {ps.url}   key {ps.key}",
                f"  Dolibarr 23.0.1 REST API     {erp.url}   DOLAPIKEY {erp.key}",
                f"  rows: {json.dumps(truth.get('prestashop', {}))}",
                f"        {json.dumps(truth.get('dolibarr', {}))}",
                "try:",
                f"  curl -u {ps.key}: '{ps.url}/products?output_format=JSON&display=[id,reference,price]&limit=0,5'",
                f"  curl -H 'DOLAPIKEY: {erp.key}' '{erp.url}/products?limit=5&sortfield=t.rowid'",
                f"  curl '{ps.root}/__sandbox__/requests'     (request log; faults, clock, settings: see sandbox/README.md)",
                f"flat files: {self.data_dir / 'files'}",
                "Ctrl-C stops the servers; the state stays on disk (omnicanal sandbox reset starts over).",
            ]
        )
