"""A thread-safe GET client for one connection: bounded concurrency, retries with backoff, parsed JSON pages."""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import orjson
from dlt.sources.helpers.requests import Session
from requests import Response
from requests.auth import AuthBase
from requests.exceptions import ChunkedEncodingError, ConnectionError, ContentDecodingError, Timeout
from requests.utils import get_environ_proxies, get_netrc_auth

from sources._common.errors import SourceError

# Query values keep these characters readable, as the platforms' own examples write them.
_SAFE_QUERY_CHARS = ",:()'*"
_NETWORK_ERRORS = (ConnectionError, Timeout, ChunkedEncodingError, ContentDecodingError)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to insist on one request.

    Attributes:
        max_attempts: attempts per request, the first included.
        backoff_seconds: base of the exponential backoff (doubled at each attempt, jittered).
        max_delay_seconds: cap of one wait, `Retry-After` included.
        timeout_seconds: connect and read timeout of one attempt.
    """

    max_attempts: int = 6
    backoff_seconds: float = 1.0
    max_delay_seconds: float = 60.0
    timeout_seconds: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`: the server's `Retry-After`, else jittered backoff."""
        if retry_after is not None:
            return min(retry_after, self.max_delay_seconds)
        ceiling = min(self.max_delay_seconds, self.backoff_seconds * 2 ** (attempt - 1))
        # "equal jitter": never less than half the backoff, so a crowd of clients spreads out but still backs off
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not cryptography


def encode_query(params: Iterable[tuple[str, Any]], *, safe: str = _SAFE_QUERY_CHARS) -> str:
    """Percent-encode query parameters, keeping `safe` literal (by default `,:()'*`, as the platforms'
    documentation writes them)."""
    return "&".join(f"{quote(str(key), safe=safe)}={quote(str(value), safe=safe)}" for key, value in params)


def retry_after_seconds(response: Response) -> float | None:
    """The wait a 429/503 answer asks for (`Retry-After` in seconds or as an HTTP date), if any."""
    header = response.headers.get("Retry-After")
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def error_detail(body: bytes) -> str:
    """The server's own error message: PrestaShop `errors[].message`, Dolibarr `error.message`, or the text."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", "replace").strip()
        return " ".join(text.split())[:300] or "empty body"
    messages: list[str] = []
    if isinstance(parsed, dict):
        errors = parsed.get("errors")
        if isinstance(errors, list):
            messages = [f"code {e.get('code')}: {e.get('message')}" for e in errors if isinstance(e, dict)]
        elif isinstance(parsed.get("error"), dict):
            messages = [str(parsed["error"].get("message"))]
    text = "; ".join(messages) or orjson.dumps(parsed).decode()
    return " ".join(text.split())[:300]


class RequestCounter:
    """Counts the HTTP attempts of a run (retries included), for the run summary and the benchmarks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0

    def add(self, *, retry: bool) -> None:
        with self._lock:
            self.requests += 1
            self.retries += int(retry)


class HttpClient:
    """GETs JSON pages from one system for one connection.

    Safe to share between threads: each thread gets its own session, and a semaphore bounds the
    requests in flight for the whole connection (a slow server gets slower with more). Every answer
    that is not a complete, parseable JSON document is retried like a 5xx, then reported with the
    connection, the resource and the page: a page is either fully read or the extraction fails.
    """

    def __init__(
        self,
        *,
        connection: str,
        base_url: str,
        headers: Mapping[str, str],
        retry: RetryPolicy,
        max_in_flight: int,
        auth: AuthBase | None = None,
        counter: RequestCounter | None = None,
    ) -> None:
        self.connection = connection
        self.base_url = base_url.rstrip("/")
        self.retry = retry
        self._headers = dict(headers)
        self._auth = auth
        self._local = threading.local()
        self._in_flight = threading.BoundedSemaphore(max(1, max_in_flight))
        self.counter = counter or RequestCounter()

    def _session(self) -> Session:
        session: Session | None = getattr(self._local, "session", None)
        if session is None:
            session = Session(timeout=self.retry.timeout_seconds, raise_for_status=False)
            session.headers.update(self._headers)
            # What requests takes from the environment (proxies and NO_PROXY, the CA bundle, ~/.netrc) is
            # read once here: with `trust_env` it is read again for every request (a quarter of the
            # client's time per request), and every request of a connection goes to the same host.
            session.proxies.update(get_environ_proxies(self.base_url))
            session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            session.auth = self._auth or get_netrc_auth(self.base_url)
            session.trust_env = False
            self._local.session = session
        return session

    def url(self, path: str, params: Iterable[tuple[str, Any]] = ()) -> str:
        """The full URL of a GET (no credential ever goes into it)."""
        query = encode_query(params)
        return f"{self.base_url}/{path.lstrip('/')}" + (f"?{query}" if query else "")

    def get_json(
        self,
        path: str,
        params: Iterable[tuple[str, Any]] = (),
        *,
        resource: str,
        where: str,
        not_found_is_empty: bool | Callable[[bytes], bool] = False,
    ) -> Any:
        """GET one page and parse it (see `get_json_and_headers`)."""
        return self.get_json_and_headers(
            path, params, resource=resource, where=where, not_found_is_empty=not_found_is_empty
        )[0]

    def get_json_and_headers(
        self,
        path: str,
        params: Iterable[tuple[str, Any]] = (),
        *,
        resource: str,
        where: str,
        not_found_is_empty: bool | Callable[[bytes], bool] = False,
    ) -> tuple[Any, Mapping[str, str]]:
        """GET one page and parse it, with the response headers.

        Args:
            path: path under the base URL, e.g. `products`.
            params: query parameters, in order.
            resource: the resource being read (for error messages).
            where: which page or range (for error messages), e.g. `page 3 (ids > 1200)`.
            not_found_is_empty: a 404 means "no rows" (Dolibarr lists), answered as `None`; a callable
                decides from the body (an unknown route is a 404 too, and must not read as empty).

        Returns:
            The parsed JSON document (`None` for a 404 when `not_found_is_empty`) and the headers.

        Raises:
            SourceError: a non-retryable status, or retries exhausted; the message names the
                connection, the resource, the page and the request path.
        """
        url = self.url(path, list(params))
        shown = url[len(self.base_url) :]
        last_reason = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            retry_after: float | None = None
            try:
                with self._in_flight:
                    self.counter.add(retry=attempt > 1)
                    response = self._session().get(url)
                    body = response.content
            except _NETWORK_ERRORS as exc:
                last_reason = network_reason(exc, self.retry.timeout_seconds)
            else:
                status = response.status_code
                if status == 200:
                    try:
                        return orjson.loads(body), response.headers
                    except orjson.JSONDecodeError as exc:
                        # a cut connection or a proxy page: the page is incomplete, read it again
                        last_reason = f"truncated or malformed body ({len(body)} bytes, not JSON: {exc})"
                elif status == 404 and (
                    not_found_is_empty(body) if callable(not_found_is_empty) else not_found_is_empty
                ):
                    return None, response.headers
                elif status == 429 or status >= 500:
                    retry_after = retry_after_seconds(response)
                    last_reason = f"HTTP {status} ({error_detail(body)})"
                else:
                    raise SourceError(
                        self.connection,
                        resource,
                        where,
                        f"HTTP {status}: {error_detail(body)} (GET {_clip(shown)})",
                    )
            if attempt < self.retry.max_attempts:
                time.sleep(self.retry.delay(attempt, retry_after))
        raise SourceError(
            self.connection,
            resource,
            where,
            f"{last_reason}, still failing after {self.retry.max_attempts} attempts (GET {_clip(shown)})",
        )


def network_reason(exc: BaseException, timeout_seconds: float) -> str:
    """What failed below HTTP, in one line (the caller names the connection and the request).

    The address and the system's own words are kept (`127.0.0.1:9: Failed to establish a new connection:
    [Errno 111] Connection refused`, `Failed to resolve 'erp.example.com'`, a certificate error), not
    requests' wrapper of urllib3's wrapper.
    """
    if isinstance(exc, ChunkedEncodingError | ContentDecodingError):
        return f"truncated body (the connection closed before the end: {_short(exc)})"
    if isinstance(exc, Timeout):
        return f"no complete answer within {timeout_seconds:g} s"
    cause: object = exc.args[0] if exc.args else exc
    cause = getattr(cause, "reason", None) or cause  # urllib3's MaxRetryError holds the real error
    where_and_why = _CONNECTION_PREFIX.sub(r"\1:\2: ", _short(cause))  # `host:port: reason`
    return f"connection failed ({where_and_why})"


_CONNECTION_PREFIX = re.compile(r"^HTTPS?Connection\(host='([^']*)', port=(\d+)\): ")


def _clip(url: str, keep: int = 160) -> str:
    """A long request target shortened for one-line messages (the display lists make them long)."""
    return url if len(url) <= keep else url[: keep - 3] + "..."


def _short(error: object) -> str:
    """An error's text on one line, at most 200 characters."""
    return " ".join(str(error).split())[:200]
