"""The Dolibarr REST client for writes: look-ups by external reference, creates sent once, validations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import orjson

from destinations._common.http import RetryPolicy, WriteClient
from destinations._common.records import DestinationError, TerminalError
from destinations.dolibarr.settings import CALLER, UNSAFE_FILTER_CHARS


def _json(status: int, body: bytes) -> Any:
    if status == 304 or not body.strip():
        return None
    return orjson.loads(body)


def _created_id(status: int, body: bytes) -> int:
    """Dolibarr answers a create with the new id as a bare JSON integer."""
    value = orjson.loads(body)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError(f"expected the new id, got {body[:80]!r}")
    return int(value)


def filter_value(value: str, what: str) -> str:
    """A value quoted for `sqlfilters`, refused when it holds characters the filter grammar cannot carry."""
    if any(ch in UNSAFE_FILTER_CHARS for ch in value):
        raise DestinationError(f"{what} {value!r} cannot be looked up (quote or parenthesis)")
    return f"'{value}'"


class DolibarrClient(WriteClient):
    """Writes to one Dolibarr ERP.

    Args:
        base_url: the API root, `https://erp/api/index.php`.
        api_key: the user's API key (sent in the `DOLAPIKEY` header, never in the URL).
        connection: the connection name, for messages.
        policy: retry policy of idempotent calls.
        pool_size: connections kept open.
    """

    def __init__(
        self, base_url: str, api_key: str, *, connection: str, policy: RetryPolicy, pool_size: int
    ) -> None:
        super().__init__(
            base_url,
            connection=connection,
            headers={"DOLAPIKEY": api_key, "Accept": "application/json"},
            policy=policy,
            pool_size=pool_size,
        )

    def get(self, path: str, params: list[tuple[str, Any]] | None = None) -> Any:
        """A GET (retried on transient errors)."""
        return self.send("GET", path, params=params or [], idempotent=True, parse=_json)

    def find(self, resource: str, sqlfilters: str, limit: int = 5) -> list[dict[str, Any]]:
        """A filtered list; a 404 is an empty list (third parties answer 404 when nothing matches)."""
        params = [
            ("sqlfilters", sqlfilters),
            ("limit", limit),
            ("sortfield", "t.rowid"),
            ("sortorder", "ASC"),
        ]
        try:
            rows = self.get(f"/{resource}", params)
        except TerminalError as exc:
            if exc.status == 404:
                return []
            raise
        return list(rows or [])

    def get_one(self, path: str) -> dict[str, Any] | None:
        """One object, None when it does not exist."""
        try:
            return self.get(path)
        except TerminalError as exc:
            if exc.status == 404:
                return None
            raise

    def thirdparty_by_email(self, email: str) -> dict[str, Any] | None:
        return self.get_one(f"/thirdparties/email/{quote(email, safe='@')}")

    def create(self, resource: str, body: Mapping[str, Any]) -> int:
        """POST a new object, once (never retried here); returns its id."""
        return self.send(
            "POST",
            f"/{resource}",
            body=orjson.dumps({**body, "caller": CALLER}),
            headers={"Content-Type": "application/json"},
            idempotent=False,
            parse=_created_id,
        )

    def action(self, path: str, body: Mapping[str, Any]) -> Any:
        """POST an action (`validate`, `close`) once; the caller checks the status before any repeat."""
        return self.send(
            "POST",
            path,
            body=orjson.dumps(body),
            headers={"Content-Type": "application/json"},
            idempotent=False,
            parse=_json,
        )
