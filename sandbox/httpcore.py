"""A small asyncio HTTP/1.1 server with the test surface both emulators share: faults, request log, clock."""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import orjson

ADMIN_PREFIX = "/__sandbox__/"
# Query parameters that carry credentials: never written to the request log.
_SECRET_PARAMS = re.compile(r"(?i)(^|[?&])(ws_key|dolapikey|api_key)=[^&]*")
_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    411: "Length Required",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
MAX_BODY = 64 * 1024 * 1024


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.target).path)

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    """What a handler returns; `delay` is slept (without blocking other clients) before answering."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    """A JSON answer encoded with orjson."""
    return Response(status, orjson.dumps(payload), [("Content-Type", "application/json"), *(headers or [])])


class Clock:
    """The emulator's notion of now: real time, or frozen, or real time shifted by an offset."""

    def __init__(self) -> None:
        self.frozen: float | None = None
        self.offset = 0.0

    def now(self) -> float:
        """Current Unix time in seconds (whole seconds, as the real systems store)."""
        base = self.frozen if self.frozen is not None else time.time() + self.offset
        return float(int(base))

    def state(self) -> dict[str, Any]:
        now = self.now()
        return {
            "now": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unix": int(now),
            "frozen": self.frozen is not None,
            "offset_seconds": self.offset,
        }

    def apply(self, payload: dict[str, Any]) -> None:
        """`{"freeze": iso|unix}`, `{"advance": seconds}`, or `{"real": true}`."""
        if payload.get("real"):
            self.frozen, self.offset = None, 0.0
        if "freeze" in payload:
            self.frozen = _parse_instant(payload["freeze"])
        if "advance" in payload:
            step = float(payload["advance"])
            if self.frozen is not None:
                self.frozen += step
            else:
                self.offset += step


def _parse_instant(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    text = str(value).replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass
class Fault:
    """An injected failure for requests whose path starts with `path_prefix` (and method, if given)."""

    id: int
    kind: str  # status | slow | truncate | malformed | reset
    path_prefix: str = "/"
    method: str | None = None
    count: int | None = 1  # None = every matching request
    skip: int = 0  # let this many matching requests through first
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    body: str = ""
    hits: int = 0

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


class FaultBook:
    """The list of injected faults; the first armed fault matching a request fires."""

    KINDS = {"status", "slow", "truncate", "malformed", "reset"}

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self._next_id = 1

    def add(self, spec: dict[str, Any]) -> Fault:
        kind = str(spec.get("kind", "status"))
        if kind not in self.KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(self.KINDS)}")
        count = spec.get("count", 1)
        fault = Fault(
            id=self._next_id,
            kind=kind,
            path_prefix=str(spec.get("path_prefix", "/")),
            method=(str(spec["method"]).upper() if spec.get("method") else None),
            count=None if count is None else int(count),
            skip=int(spec.get("skip", 0)),
            status=int(spec.get("status", 429 if "retry_after" in spec else 500)),
            retry_after=None if spec.get("retry_after") is None else str(spec["retry_after"]),
            delay=float(spec.get("delay", 2.0 if kind == "slow" else 0.0)),
            body=str(spec.get("body", "")),
        )
        self._next_id += 1
        self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.count is not None and fault.count <= 0:
                continue
            if fault.method and fault.method != method:
                continue
            if not path.startswith(fault.path_prefix):
                continue
            if fault.skip > 0:
                fault.skip -= 1
                continue
            fault.hits += 1
            if fault.count is not None:
                fault.count -= 1
            return fault
        return None

    def clear(self) -> None:
        self.faults.clear()


class RequestLog:
    """Method, path-and-query (credentials redacted) and status of every non-admin request."""

    def __init__(self, maxlen: int = 200_000) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=maxlen)
        self.seq = 0

    def add(self, method: str, target: str, status: int, fault: str | None) -> None:
        self.seq += 1
        entry: dict[str, Any] = {
            "seq": self.seq,
            "method": method,
            "path_and_query": _SECRET_PARAMS.sub(r"\1\2=<REDACTED>", target),
            "status": status,
        }
        if fault:
            entry["fault"] = fault
        self.entries.append(entry)

    def since(self, seq: int) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["seq"] > seq]


class App:
    """Base of an emulator: subclasses implement `handle` and `admin_extra`; faults, log, clock are here."""

    system = "base"

    def __init__(self, db_path: Path, port: int = 0) -> None:
        self.clock = Clock()
        self.faults = FaultBook()
        self.log = RequestLog()
        self.stop_event: asyncio.Event | None = None
        self.port = port  # set to the bound port once listening (xlinks and URLs name it)
        # One connection, used by the single event-loop thread; autocommit, explicit BEGIN for writes.
        self.db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._columns: dict[str, list[str]] = {}

    def columns(self, table: str) -> list[str]:
        """The columns of `table` (empty when there is no such table), cached."""
        if table not in self._columns:
            self._columns[table] = [r[1] for r in self.db.execute(f'PRAGMA table_info("{table}")')]
        return self._columns[table]

    # --- to override -------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def admin_extra(self, request: Request, parts: list[str]) -> Response | None:
        """System-specific admin routes (`settings`, `rows`...); None when the route is unknown."""
        return None

    def close(self) -> None:
        """Close the database at shutdown."""
        self.db.close()

    # --- admin surface -----------------------------------------------------------------------------
    def admin(self, request: Request) -> Response:
        parts = [p for p in request.path[len(ADMIN_PREFIX) :].split("/") if p]
        payload = _json_body(request)
        route = parts[0] if parts else ""
        if route == "health":
            return json_response(200, {"ok": True, "system": self.system})
        if route == "faults":
            if request.method == "POST":
                try:
                    fault = self.faults.add(payload)
                except (ValueError, TypeError) as exc:
                    return json_response(400, {"error": str(exc)})
                return json_response(200, fault.describe())
            if request.method == "DELETE":
                self.faults.clear()
                return json_response(200, {"cleared": True})
            return json_response(200, [f.describe() for f in self.faults.faults])
        if route == "requests":
            if request.method == "DELETE":
                self.log.entries.clear()
                return json_response(200, {"cleared": True, "seq": self.log.seq})
            since = int(dict(request.query).get("since", "0") or 0)
            return json_response(200, {"seq": self.log.seq, "requests": self.log.since(since)})
        if route == "clock":
            if request.method == "POST":
                try:
                    self.clock.apply(payload)
                except (ValueError, TypeError) as exc:
                    return json_response(400, {"error": str(exc)})
            return json_response(200, self.clock.state())
        if route == "shutdown" and request.method == "POST":
            if self.stop_event is not None:
                self.stop_event.set()
            return json_response(200, {"stopping": True})
        extra = self.admin_extra(request, parts)
        if extra is not None:
            return extra
        return json_response(404, {"error": f"unknown admin route {request.path}"})

    def dispatch(self, request: Request) -> tuple[Response, Fault | None]:
        """Route a request: admin surface, or a fault, or the emulator itself."""
        if request.path.startswith(ADMIN_PREFIX):
            return self.admin(request), None
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.kind in ("status", "reset"):
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if fault.retry_after is not None:
                headers.append(("Retry-After", fault.retry_after))
            return Response(fault.status, fault.body.encode(), headers), fault
        try:
            response = self.handle(request)
        except Exception as exc:  # noqa: BLE001 - an emulator bug must answer 500, not kill the server
            response = Response(500, f"sandbox emulator error: {type(exc).__name__}: {exc}".encode())
        return response, fault


def _json_body(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _head(status: int, headers: list[tuple[str, str]], length: int) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines.extend(f"{k}: {v}" for k, v in headers)
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("expect", "").lower() == "100-continue":
        # curl asks before sending a large body; answering at once spares it a one-second wait.
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if length > MAX_BODY:
            return None
        body = await reader.readexactly(length)
    return Request(method.upper(), target, headers, body)


async def _serve_connection(app: App, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await _read_request(reader, writer)
            if request is None:
                break
            response, fault = app.dispatch(request)
            if not request.path.startswith(ADMIN_PREFIX):
                app.log.add(request.method, request.target, response.status, fault.kind if fault else None)
            if fault is not None and fault.kind == "reset":
                break
            delay = response.delay + (fault.delay if fault is not None and fault.kind == "slow" else 0.0)
            if delay > 0:
                await asyncio.sleep(delay)
            body = b"" if request.method == "HEAD" else response.body
            length = len(response.body)
            if fault is not None and fault.kind == "truncate":
                # The promised Content-Length is never reached: the client sees the connection drop.
                writer.write(
                    _head(response.status, response.headers, length) + body[: max(1, len(body) // 2)]
                )
                await writer.drain()
                break
            if fault is not None and fault.kind == "malformed":
                body = (fault.body or '{"malformed": [').encode()
                length = len(body)
            writer.write(_head(response.status, response.headers, length) + body)
            await writer.drain()
            if request.headers.get("connection", "").lower() == "close":
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def serve(app: App, host: str, port: int, on_ready: Callable[[int], None]) -> None:
    """Serve `app` until its admin `shutdown` route (or a signal) sets the stop event."""
    app.stop_event = asyncio.Event()
    server = await asyncio.start_server(
        lambda r, w: _serve_connection(app, r, w), host, port, limit=1 << 20, backlog=256
    )
    bound = server.sockets[0].getsockname()[1]
    on_ready(bound)
    async with server:
        await app.stop_event.wait()
    app.close()


def rows_admin(
    db: sqlite3.Connection,
    columns: Callable[[str], list[str]],
    request: Request,
    parts: list[str],
    id_column: str,
) -> Response:
    """Test set-ups: read, update or delete rows of one table (names checked against the schema)."""
    table = parts[0]
    cols = columns(table)
    if not cols:
        return json_response(404, {"error": f"no table {table}"})
    if request.method == "GET":
        where, values = [], []
        for key, value in parse_qsl(urlsplit(request.target).query):
            if key not in cols:
                return json_response(400, {"error": f"no column {key} in {table}"})
            where.append(f'"{key}" = ?')
            values.append(value)
        sql = f'SELECT * FROM "{table}"' + (" WHERE " + " AND ".join(where) if where else "") + " LIMIT 1000"
        cur = db.execute(sql, values)
        names = [d[0] for d in cur.description]
        return json_response(200, [dict(zip(names, r, strict=True)) for r in cur.fetchall()])
    if len(parts) < 2:
        return json_response(400, {"error": "give the row id: /__sandbox__/rows/<table>/<id>"})
    rid = parts[1]
    if request.method == "DELETE":
        cur = db.execute(f'DELETE FROM "{table}" WHERE "{id_column}" = ?', (rid,))
        if f"{table}_lang" in _tables(db):
            db.execute(f'DELETE FROM "{table}_lang" WHERE id = ?', (rid,))
        return json_response(200, {"deleted": cur.rowcount})
    payload = _json_body(request).get("set", {})
    bad = [k for k in payload if k not in cols]
    if bad or not payload:
        return json_response(400, {"error": f"give columns of {table} in 'set' (unknown: {bad})"})
    sets = ", ".join(f'"{k}" = ?' for k in payload)
    cur = db.execute(f'UPDATE "{table}" SET {sets} WHERE "{id_column}" = ?', [*payload.values(), rid])
    return json_response(200, {"updated": cur.rowcount})


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
