"""Configuration loading: the one place that reads config files, secrets files and environment variables."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

from flows.errors import ConfigError

ConnectionKind = Literal[
    "prestashop", "dolibarr", "flatfiles", "odoo", "woocommerce", "magento", "shopify", "sql_erp"
]
Role = Literal["erp", "channel"]
Channel = Literal["web", "store", "marketplace"]

KNOWN_KINDS = {"prestashop", "dolibarr", "flatfiles", "odoo", "woocommerce", "magento", "shopify", "sql_erp"}
ENV_PREFIX = "OMNICANAL__"
PREFECT_SECRET_PREFIX = "prefect-secret:"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class Secret:
    """A secret value that never prints itself (repr, str, f-strings and logs show `***`)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """Return the clear value; call only where it is sent to the system it belongs to."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Connection:
    """One named connection to an ERP, a shop or a drop folder.

    `options` carries the kind-specific settings (page size, language, drop folder, mapping file...);
    sources and destinations receive them as plain keyword parameters.
    """

    name: str
    kind: str
    role: Role
    channel: Channel | None = None
    url: str | None = None
    api_key: Secret | None = None
    timezone: str = "UTC"
    safety_buffer: int = 0
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def raw_schema(self) -> str:
        """The DuckDB schema dlt loads this connection into."""
        return f"raw_{self.name}"


@dataclass(frozen=True)
class Merchant:
    name: str = "Sandbox merchant"
    currency: str = "EUR"
    timezone: str = "Europe/Paris"
    first_day: date | None = None


@dataclass(frozen=True)
class PushSettings:
    max_changes_per_run: int = 500
    entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportSettings:
    """Files written for a system that imports files: a folder and the layouts to write there.

    `connection` names the channel connection a layout is about (its `{connection}` filter, and its
    `safety_buffer` for the stock layout); empty for ERP-wide layouts.
    """

    name: str
    path: Path
    layouts: tuple[str, ...]
    connection: str | None = None


@dataclass(frozen=True)
class QualitySettings:
    """Severity overrides per expectation (`blocking` or `warning`) and numeric bounds."""

    severity: dict[str, str] = field(default_factory=dict)
    margin_rate_min: float = -0.5
    margin_rate_max: float = 0.95
    row_count_drop_max: float = 0.5
    data_docs_dir: Path = Path("data/quality/data_docs")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, resolved once on the flows side and handed down as plain values."""

    data_dir: Path
    merchant: Merchant
    connections: dict[str, Connection]
    push: PushSettings = PushSettings()
    quality: QualitySettings = QualitySettings()
    exports: dict[str, ExportSettings] = field(default_factory=dict)
    source_file: Path | None = None
    is_sandbox: bool = False

    @property
    def warehouse_path(self) -> Path:
        """The working DuckDB file every step writes into."""
        return self.data_dir / "work" / "omnicanal.duckdb"

    @property
    def analyst_path(self) -> Path:
        """The published snapshot analysts and BI open."""
        return self.data_dir / "omnicanal.duckdb"

    @property
    def pipelines_dir(self) -> Path:
        """dlt pipeline state; lives beside the working file so the two never disagree."""
        return self.data_dir / "work" / "dlt"

    @property
    def erp(self) -> Connection | None:
        return next((c for c in self.connections.values() if c.role == "erp" and c.enabled), None)

    def channels(self) -> list[Connection]:
        return [c for c in self.connections.values() if c.role == "channel" and c.enabled]

    def select(self, names: list[str] | None) -> list[Connection]:
        """The enabled connections, or the named ones (unknown names are an error)."""
        if not names:
            return [c for c in self.connections.values() if c.enabled]
        unknown = [n for n in names if n not in self.connections]
        if unknown:
            raise ConfigError(
                f"unknown connection(s) {', '.join(unknown)}; configured: {', '.join(self.connections) or 'none'}"
            )
        return [self.connections[n] for n in names]

    def with_connections(
        self, connections: dict[str, Connection], *, is_sandbox: bool | None = None
    ) -> Settings:
        return replace(
            self, connections=connections, is_sandbox=self.is_sandbox if is_sandbox is None else is_sandbox
        )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    """`OMNICANAL__CONNECTIONS__SHOP_FR__API_KEY=...` becomes {"connections": {"shop_fr": {"api_key": ...}}}."""
    tree: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in key[len(ENV_PREFIX) :].split("__") if p]
        if not parts:
            continue
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"environment variable {key} conflicts with another one")
        node[parts[-1]] = value
    return tree


def resolve_secret(value: Any, *, where: str) -> Secret | None:
    """A literal secret, or `prefect-secret:<block name>` resolved through a Prefect Secret block."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: a secret must be a string")
    if value.startswith(PREFECT_SECRET_PREFIX):
        block_name = value[len(PREFECT_SECRET_PREFIX) :]
        try:
            from prefect.blocks.system import Secret as PrefectSecret

            block = cast(PrefectSecret, PrefectSecret.load(block_name))  # sync call: a block, not a coroutine
            return Secret(str(block.get()))
        except Exception as exc:  # noqa: BLE001 - any failure to load is a configuration error
            raise ConfigError(
                f"{where}: cannot load Prefect Secret block {block_name!r} ({type(exc).__name__})"
            ) from exc
    return Secret(value)


def _as_int(value: Any, *, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: expected a whole number, got {value!r}") from exc


def _parse_connection(name: str, raw: dict[str, Any]) -> Connection:
    where = f"connections.{name}"
    if not _NAME_RE.match(name):
        raise ConfigError(f"{where}: a connection name is lower-case letters, digits and '_' (got {name!r})")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    kind = raw.get("kind")
    if kind not in KNOWN_KINDS:
        raise ConfigError(f"{where}.kind: expected one of {', '.join(sorted(KNOWN_KINDS))}, got {kind!r}")
    role = raw.get("role", "erp" if kind in {"dolibarr", "odoo", "sql_erp"} else "channel")
    if role not in ("erp", "channel"):
        raise ConfigError(f"{where}.role: expected 'erp' or 'channel', got {role!r}")
    channel = raw.get("channel", "web" if role == "channel" and kind != "flatfiles" else None)
    if channel is not None and channel not in ("web", "store", "marketplace"):
        raise ConfigError(f"{where}.channel: expected web, store or marketplace, got {channel!r}")
    if role == "channel" and channel is None:
        raise ConfigError(f"{where}.channel: a channel connection needs channel = web, store or marketplace")
    known = {"kind", "role", "channel", "url", "api_key", "timezone", "safety_buffer", "enabled"}
    options = {k: v for k, v in raw.items() if k not in known}
    timezone = str(raw.get("timezone", "UTC"))
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception as exc:  # noqa: BLE001 - ZoneInfo raises several types
        raise ConfigError(f"{where}.timezone: unknown time zone {timezone!r}") from exc
    url = raw.get("url")
    if url is not None and not re.match(r"^https?://", str(url)):
        raise ConfigError(f"{where}.url: expected an http(s) URL")
    if url and re.search(r"//[^/]*@", str(url)):
        raise ConfigError(f"{where}.url: put credentials in api_key (secrets.toml or env), not in the URL")
    enabled = raw.get("enabled", True)
    if isinstance(enabled, str):
        enabled = enabled.lower() in ("1", "true", "yes", "on")
    return Connection(
        name=name,
        kind=str(kind),
        role=role,
        channel=channel,
        url=str(url).rstrip("/") if url else None,
        api_key=resolve_secret(raw.get("api_key"), where=f"{where}.api_key"),
        timezone=timezone,
        safety_buffer=_as_int(raw.get("safety_buffer", 0), where=f"{where}.safety_buffer"),
        enabled=bool(enabled),
        options=options,
    )


def default_config_path(cwd: Path | None = None) -> Path:
    return (cwd or Path.cwd()) / ".omnicanal" / "config.toml"


def load_settings(
    config_file: Path | str | None = None,
    *,
    data_dir: Path | str | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Read the configuration: file, then the secrets file beside it, then environment variables.

    Args:
        config_file: a TOML file; defaults to `.omnicanal/config.toml` when it exists. With no file and no
            connection in the environment, the result has no connection: the CLI then uses the sandbox.
        data_dir: where the working warehouse, dlt state and the sandbox live (default `data/`, or
            `OMNICANAL_DATA_DIR`).
        environ: the environment to read (tests pass their own).

    Returns:
        The resolved settings. Secrets are `Secret` objects that never print their value.
    """
    env = dict(os.environ if environ is None else environ)
    path: Path | None
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
    else:
        candidate = default_config_path()
        path = candidate if candidate.is_file() else None

    raw: dict[str, Any] = _read_toml(path) if path else {}
    if path is not None:
        secrets_path = path.with_name("secrets.toml")
        if secrets_path.is_file():
            raw = _deep_merge(raw, _read_toml(secrets_path))
    raw = _deep_merge(raw, _env_overrides(env))

    base = Path(data_dir or raw.get("data_dir") or env.get("OMNICANAL_DATA_DIR") or "data")
    if path is not None and not base.is_absolute() and data_dir is None and "OMNICANAL_DATA_DIR" not in env:
        # a relative data_dir in a config file is relative to the project folder holding `.omnicanal/`
        base = (path.parent.parent if path.parent.name == ".omnicanal" else path.parent) / base

    merchant_raw = raw.get("merchant", {})
    first_day = merchant_raw.get("first_day")
    if isinstance(first_day, str):
        try:
            first_day = date.fromisoformat(first_day)
        except ValueError as exc:
            raise ConfigError(f"merchant.first_day: expected YYYY-MM-DD, got {first_day!r}") from exc
    merchant = Merchant(
        name=str(merchant_raw.get("name", Merchant.name)),
        currency=str(merchant_raw.get("currency", "EUR")),
        timezone=str(merchant_raw.get("timezone", Merchant.timezone)),
        first_day=first_day,
    )
    connections = {
        name: _parse_connection(name, conn) for name, conn in (raw.get("connections") or {}).items()
    }
    erps = [c.name for c in connections.values() if c.role == "erp" and c.enabled]
    if len(erps) > 1:
        raise ConfigError(f"only one ERP connection may be enabled, found {', '.join(erps)}")
    push_raw = raw.get("push", {})
    push = PushSettings(
        max_changes_per_run=_as_int(
            push_raw.get("max_changes_per_run", 500), where="push.max_changes_per_run"
        ),
        entities=tuple(push_raw.get("entities", ())),
    )
    quality_raw = raw.get("quality", {})
    quality = QualitySettings(
        severity={str(k): str(v) for k, v in (quality_raw.get("severity") or {}).items()},
        margin_rate_min=float(quality_raw.get("margin_rate_min", QualitySettings.margin_rate_min)),
        margin_rate_max=float(quality_raw.get("margin_rate_max", QualitySettings.margin_rate_max)),
        row_count_drop_max=float(quality_raw.get("row_count_drop_max", QualitySettings.row_count_drop_max)),
        data_docs_dir=Path(quality_raw.get("data_docs_dir", base / "quality" / "data_docs")),
    )
    for key, severity in quality.severity.items():
        if severity not in ("blocking", "warning", "off"):
            raise ConfigError(f"quality.severity.{key}: expected blocking, warning or off, got {severity!r}")
    exports = {
        name: _parse_export(name, table, connections) for name, table in (raw.get("exports") or {}).items()
    }
    return Settings(
        data_dir=base,
        merchant=merchant,
        connections=connections,
        push=push,
        quality=quality,
        exports=exports,
        source_file=path,
    )


def _parse_export(name: str, raw: Any, connections: dict[str, Connection]) -> ExportSettings:
    where = f"exports.{name}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    if not raw.get("path"):
        raise ConfigError(f"{where}.path: the folder the importing system reads is required")
    layouts = raw.get("layouts")
    if not isinstance(layouts, list) or not layouts or not all(isinstance(x, str) for x in layouts):
        raise ConfigError(f'{where}.layouts: a list of layout names or TOML files, e.g. ["products_fr"]')
    connection = raw.get("connection")
    if connection is not None and connection not in connections:
        raise ConfigError(f"{where}.connection: no connection named {connection!r}")
    return ExportSettings(name=name, path=Path(raw["path"]), layouts=tuple(layouts), connection=connection)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _toml_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else _toml_value(key)


def write_connections_config(
    path: Path,
    connections: dict[str, dict[str, Any]],
    *,
    comment: str = "",
    exports: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Write connection (and export) tables as a config.toml, `api_key` values going to `secrets.toml` beside it.

    Used for the sandbox: `omnicanal run --config <path>` then runs on it like on a real merchant.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [f"# {line}" for line in comment.splitlines()] + [""]
    secrets = []
    for name, table in connections.items():
        body.append(f"[connections.{name}]")
        for key, value in table.items():
            if key == "api_key":
                secrets += [f"[connections.{name}]", f"api_key = {_toml_value(value)}", ""]
            elif value is not None:
                body.append(f"{_toml_key(key)} = {_toml_value(value)}")
        body.append("")
    for name, table in (exports or {}).items():
        body.append(f"[exports.{name}]")
        body += [
            f"{_toml_key(key)} = {_toml_value(value)}" for key, value in table.items() if value is not None
        ]
        body.append("")
    path.write_text("\n".join(body), encoding="utf-8")
    secrets_path = path.with_name("secrets.toml")
    secrets_path.write_text("\n".join(secrets), encoding="utf-8")
    secrets_path.chmod(0o600)
    return path
