"""The HTTP layer on its own: query encoding as recorded, server error messages, backoff, empty-list 404s,
the environment's proxy and ~/.netrc."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import orjson
import pytest
import requests
from recorded_exchanges import exchange
from urllib3.connection import HTTPSConnection
from urllib3.exceptions import MaxRetryError, NameResolutionError, ProtocolError

from sources._common.cursors import Window, widen_for_dst
from sources._common.errors import SourceError
from sources._common.http import HttpClient, RetryPolicy, encode_query, error_detail, network_reason
from sources.dolibarr.helpers import Query, _is_empty_list_404


def test_query_encoding_matches_the_recorded_prestashop_request():
    recorded = exchange("prestashop", "orders.list-incremental-json.200")["request"]["path_and_query"]
    params = [
        ("output_format", "JSON"),
        ("display", "[id,reference,current_state,id_customer,total_paid_tax_incl,date_upd]"),
        ("filter[date_upd]", ">[2026-11-29 02:00:00]"),
        ("date", "1"),
        ("sort", "[date_upd_ASC,id_ASC]"),
        ("limit", "0,3"),
    ]
    assert "/api/orders?" + encode_query(params) == recorded


def test_query_encoding_of_dolibarr_sqlfilters_keeps_quotes_and_parentheses_readable():
    query = Query(("(t.tms:>=:'2026-11-29 00:00:00')", "(t.fk_statut:>:0)"))
    encoded = encode_query([("sqlfilters", query.sqlfilters())])
    assert encoded == "sqlfilters=(t.tms:%3E%3D:'2026-11-29%2000:00:00')%20and%20(t.fk_statut:%3E:0)"


def test_error_detail_reads_each_platform_error_body():
    prestashop = exchange("prestashop", "products.list-bad-limit-json.400")["response"]["body"]
    assert error_detail(orjson.dumps(prestashop)).startswith("code 39: ")
    dolibarr = exchange("dolibarr", "products.list-sqlfilters-unknown-column.503")["response"]["body"]
    assert "Unknown column 't.date_modification'" in error_detail(orjson.dumps(dolibarr))
    assert error_detail(b"<html>\n<b>Bad gateway</b></html>") == "<html> <b>Bad gateway</b></html>"


def test_backoff_doubles_with_jitter_and_honours_retry_after():
    policy = RetryPolicy(backoff_seconds=1.0, max_delay_seconds=10.0)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 10.0)):
        delays = {policy.delay(attempt, None) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered
    assert policy.delay(1, 7.0) == 7.0
    assert policy.delay(1, 120.0) == 10.0


def test_dolibarr_404_on_an_empty_list_is_empty_but_an_unknown_route_is_not():
    empty = exchange("dolibarr", "thirdparties.list-empty.404")["response"]["body"]
    assert _is_empty_list_404(orjson.dumps(empty))
    assert not _is_empty_list_404(orjson.dumps({"error": {"code": 404, "message": "Not Found"}}))
    assert not _is_empty_list_404(b"<html>404</html>")


def test_dst_widening_keeps_every_instant_of_the_window():
    paris = ZoneInfo("Europe/Paris")

    def offset(instant: datetime) -> timedelta:
        return instant.astimezone(paris).utcoffset() or timedelta(0)

    # the window spans the night clocks go back: 02:00-03:00 local happens twice
    window = Window(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    low, high = widen_for_dst(window, offset)
    assert (low, high) == (datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 3, 30))
    instants = [window.start + timedelta(minutes=m) for m in range(0, 121, 5)]
    assert all(low <= i.astimezone(paris).replace(tzinfo=None) <= high for i in instants)


class _Recorder(BaseHTTPRequestHandler):
    """Answers `{"ok": true}` to any GET and records its request line and Authorization header."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's hook name
        self.seen.append((self.requestline, self.headers.get("Authorization")))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen.clear()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _client(base_url: str) -> HttpClient:
    return HttpClient(
        connection="shop", base_url=base_url, headers={}, retry=RetryPolicy(max_attempts=1), max_in_flight=1
    )


def test_the_environment_proxy_no_proxy_and_netrc_are_honoured(
    recorder: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    # GIVEN a proxy in the environment (the recorder), as a merchant behind a corporate proxy sets it
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{recorder}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    # WHEN a shop that only the proxy can reach is read, twice
    client = _client("http://shop.invalid/api")
    assert client.get_json("products", [("limit", "1")], resource="products", where="page 1") == {"ok": True}
    client.get_json("products", [("limit", "2")], resource="products", where="page 2")
    # THEN both requests went through the proxy (absolute URIs)
    assert [line for line, _ in _Recorder.seen] == [
        "GET http://shop.invalid/api/products?limit=1 HTTP/1.1",
        "GET http://shop.invalid/api/products?limit=2 HTTP/1.1",
    ]
    # AND a host listed in NO_PROXY is reached directly, with the ~/.netrc login of that host
    _Recorder.seen.clear()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login shopuser password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    _client(f"http://127.0.0.1:{recorder}/api").get_json("orders", resource="orders", where="page 1")
    assert _Recorder.seen == [("GET /api/orders HTTP/1.1", "Basic c2hvcHVzZXI6czNjcmV0")]


def test_an_unreachable_server_is_named_with_the_systems_own_reason(closed_port: int) -> None:
    # GIVEN a shop URL on which nothing listens
    client = _client(f"http://127.0.0.1:{closed_port}/api")
    # WHEN a page is read
    with pytest.raises(SourceError) as failed:
        client.get_json("products", [("limit", "1")], resource="products", where="page 1")
    # THEN the message names the connection, resource and page, the address and the refusal itself
    assert str(failed.value) == (
        f"connection 'shop', resource 'products', page 1: connection failed (127.0.0.1:{closed_port}: "
        "Failed to establish a new connection: [Errno 111] Connection refused), still failing after "
        "1 attempts (GET /products?limit=1)"
    )


def test_network_reasons_keep_the_host_and_the_cause() -> None:
    unresolvable = requests.ConnectionError(
        MaxRetryError(
            None,  # type: ignore[arg-type]
            "/api",
            NameResolutionError(
                "erp.example.invalid",
                HTTPSConnection("erp.example.invalid", 443),
                socket.gaierror(-2, "Name or service not known"),
            ),
        )
    )
    assert network_reason(unresolvable, 60) == (
        "connection failed (erp.example.invalid:443: Failed to resolve 'erp.example.invalid' "
        "([Errno -2] Name or service not known))"
    )
    assert network_reason(requests.ReadTimeout("read timed out"), 60) == "no complete answer within 60 s"
    reset = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))
    assert (
        network_reason(reset, 60)
        == "connection failed (('Connection aborted.', ConnectionResetError(104, 'reset')))"
    )
