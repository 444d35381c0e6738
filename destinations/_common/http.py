"""An HTTP client for writes: it retries only what cannot duplicate, and says when an outcome is unknown."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter

from destinations._common.records import TerminalError, TransientError

# The HTTP plumbing shared with the sources (never a source itself): retry policy, Retry-After, query encoding.
from sources._common.http import RetryPolicy, encode_query, network_reason, retry_after_seconds

T = TypeVar("T")

# 429 and these 5xx may succeed later; 500 is included because a save failure can be transient on a busy
# shop, and only idempotent calls are ever repeated.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)

# Writes wait less and give up sooner than reads: a push is re-planned by the next run anyway.
WRITE_POLICY = RetryPolicy(max_attempts=4, backoff_seconds=0.5, max_delay_seconds=30.0, timeout_seconds=30.0)
# PrestaShop filters are written with their brackets and bars, as its documentation shows them.
_SAFE_QUERY_CHARS = ",:()'[]|*"


def _excerpt(body: bytes, limit: int = 300) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class WriteClient:
    """One target connection's HTTP session: counted calls, bounded pool, idempotent-only retries.

    Args:
        base_url: the API root (`http://host/api`, `http://host/api/index.php`).
        connection: the connection name, used in every error message.
        headers: headers sent with every request (authentication goes here, never in the URL).
        auth: a requests auth object (PrestaShop's key as the Basic user).
        policy: retry policy of idempotent requests.
        pool_size: connections kept open (the writers' concurrency).
    """

    def __init__(
        self,
        base_url: str,
        *,
        connection: str,
        headers: Mapping[str, str] | None = None,
        auth: requests.auth.AuthBase | None = None,
        policy: RetryPolicy | None = None,
        pool_size: int = 4,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.connection = connection
        self.policy = policy or WRITE_POLICY
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": "omnicanal-push", **(headers or {})})
        self.session.auth = auth
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.retries = 0

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def close(self) -> None:
        self.session.close()

    def _count(self, method: str, retried: bool) -> None:
        with self._lock:
            self.calls[method] += 1
            if retried:
                self.retries += 1

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Iterable[tuple[str, Any]] = (),
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
        parse: Callable[[int, bytes], T],
    ) -> T:
        """Send one request and parse its answer.

        Args:
            method: HTTP method.
            path: path under the base URL, starting with `/`.
            params: query parameters (encoded here).
            body: request body.
            headers: extra headers for this request.
            idempotent: whether repeating the request can do no harm (GET, PUT of whole values); only those
                are retried here. A non-idempotent request (a create) is sent once: on a transient failure the
                caller must look the object up before deciding to send it again.
            parse: turns `(status, body)` into the result; a `ValueError` (malformed answer) is transient.

        Returns:
            What `parse` returned.

        Raises:
            TerminalError: a 4xx other than 429: the request is wrong for good.
            TransientError: network error, 429, 5xx or unreadable answer after the allowed attempts (or at
                once for a non-idempotent request).
        """
        query = encode_query(params, safe=_SAFE_QUERY_CHARS)
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        where = f"{self.connection}: {method} {path}"
        attempts = self.policy.max_attempts if idempotent else 1
        for attempt in range(1, attempts + 1):
            self._count(method, attempt > 1)
            try:
                response = self.session.request(
                    method, url, data=body, headers=headers, timeout=self.policy.timeout_seconds
                )
                content = response.content
            except _NETWORK_ERRORS as exc:
                error = TransientError(f"{where}: {network_reason(exc, self.policy.timeout_seconds)}")
            else:
                status = response.status_code
                if status in RETRYABLE_STATUSES:
                    error = TransientError(
                        f"{where}: HTTP {status} {_excerpt(content)}".rstrip(),
                        status=status,
                        retry_after=retry_after_seconds(response),
                    )
                elif status >= 400:
                    raise TerminalError(f"{where}: HTTP {status} {_excerpt(content)}".rstrip(), status=status)
                else:
                    try:
                        return parse(status, content)
                    except ValueError as exc:
                        error = TransientError(f"{where}: unreadable answer ({exc})", status=status)
            if attempt == attempts:
                raise error
            time.sleep(self.policy.delay(attempt, error.retry_after))
        raise AssertionError("unreachable")  # the loop returns or raises
