"""A running sandbox seen from the source tests: connections, extraction, the warehouse, request logs, clocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dlt
import duckdb

from flows.config import Connection, Merchant, Secret, Settings
from flows.extract import ExtractResult, extract_connection
from sandbox import Sandbox

SEED = 7
SMALL_SCALE = 0.1
SECRET_COLUMNS = {
    "passwd",
    "secure_key",
    "reset_password_token",
    "reset_password_validity",
    "last_passwd_gen",
}


@dataclass
class Request:
    """One logged request: path and decoded query parameters, in order."""

    path: str
    params: list[tuple[str, str]]
    status: int

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)


@dataclass
class Harness:
    sandbox: Sandbox
    data_dir: Path
    options: dict[str, dict[str, Any]] = field(default_factory=dict)

    # ---- configuration and extraction ----

    def connection(self, name: str, **options: Any) -> Connection:
        raw = dict(self.sandbox.connections()[name])
        known = {"kind", "role", "channel", "url", "api_key", "timezone"}
        return Connection(
            name=name,
            kind=raw["kind"],
            role=raw["role"],
            channel=raw.get("channel"),
            url=raw["url"],
            api_key=Secret(raw["api_key"]),
            timezone=raw.get("timezone", "UTC"),
            options={**{k: v for k, v in raw.items() if k not in known}, **options},
        )

    def settings(self, **options: Any) -> Settings:
        connections = {name: self.connection(name, **options) for name in ("webshop", "erp")}
        return Settings(data_dir=self.data_dir, merchant=Merchant(), connections=connections)

    def extract(self, name: str, options: dict[str, Any] | None = None, **kwargs: Any) -> ExtractResult:
        settings = self.settings(**(options or {}))
        return extract_connection(settings.connections[name], settings, **kwargs)

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "work" / "omnicanal.duckdb"

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(query, list(params)).fetchall()

    def state(self, name: str) -> dict[str, Any]:
        """The dlt state of a connection's pipeline (cursors, sweep times), as committed."""
        pipeline = dlt.attach(f"omnicanal_{name}", pipelines_dir=str(self.data_dir / "work" / "dlt"))
        return dict(pipeline.state["sources"])

    # ---- the emulators ----

    def admin(self, system: str) -> Any:
        return self.sandbox.admin(system)

    def freeze(self, system: str, when: datetime) -> None:
        self.admin(system).clock(freeze=when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def mark(self, system: str) -> int:
        """The request-log position now; `requests(system, since=mark)` lists what came after."""
        logged = self.admin(system).requests()
        return int(logged[-1]["seq"]) if logged else 0

    def requests(self, system: str, since: int = 0) -> list[Request]:
        logged = []
        for entry in self.admin(system).requests(since=since):
            parts = urlsplit(entry["path_and_query"])
            logged.append(
                Request(parts.path, parse_qsl(parts.query, keep_blank_values=True), entry["status"])
            )
        return logged

    def truth(self, system: str) -> dict[str, int]:
        return self.sandbox.ground_truth()["counts"][system]

    def secret_columns(self) -> list[tuple[str, str, str]]:
        """Every column anywhere in the warehouse whose name is a secret."""
        rows = self.sql("select schema_name, table_name, column_name from duckdb_columns()")
        return [r for r in rows if r[2].lower() in SECRET_COLUMNS or r[2].lower().startswith("pass")]
