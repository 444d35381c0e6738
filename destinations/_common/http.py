"""An HTTP client for writes: it retries only what cannot duplicate, and says when an outcome is unknown."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

from destinations._common.records import TerminalError, TransientError

T = TypeVar("T")

# 429 and these 5xx may succeed later; 500 is included because a save failure can be transient on a busy
# shop, and only idempotent calls are ever repeated.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
_SAFE_QUERY_CHARS = ",:()'[]|*"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one idempotent request insists (a non-idempotent one is sent once).

    Attributes:
        max_attempts: attempts per idempotent request, the first included.
        backoff_seconds: base of the exponential backoff (doubled at each attempt, jittered).
        max_delay_seconds: cap of one wait, `Retry-After` included.
        timeout_seconds: connect and read timeout of one attempt.
    """

    max_attempts: int = 4
    backoff_seconds: float = 0.5
    max_delay_seconds: float = 30.0
    timeout_seconds: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`: the server's `Retry-After`, else jittered backoff."""
        if retry_after is not None:
            return min(retry_after, self.max_delay_seconds)
        ceiling = min(self.max_delay_seconds, self.backoff_seconds * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not cryptography


def encode_query(params: Iterable[tuple[str, Any]]) -> str:
    """Percent-encode query parameters, keeping the brackets and separators the platforms document."""
    return "&".join(
        f"{quote(str(key), safe=_SAFE_QUERY_CHARS)}={quote(str(value), safe=_SAFE_QUERY_CHARS)}"
        for key, value in params
    )


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


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
        self.policy = policy or RetryPolicy()
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
        query = encode_query(params)
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
                error = TransientError(f"{where}: network error ({type(exc).__name__})")
            else:
                status = response.status_code
                if status in RETRYABLE_STATUSES:
                    error = TransientError(
                        f"{where}: HTTP {status} {_excerpt(content)}".rstrip(),
                        status=status,
                        retry_after=_retry_after(response),
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
