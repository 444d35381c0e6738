"""The one error type the API sources raise: it names the connection, the resource and the page or record."""

from __future__ import annotations


class SourceError(Exception):
    """An extraction failure a person can act on.

    The message always starts with the connection and the resource, then says where (a page, an id
    range, a record and field) and why. It never carries a credential: keys travel in headers only.
    """

    def __init__(self, connection: str, resource: str, where: str, reason: str) -> None:
        self.connection = connection
        self.resource = resource
        self.where = where
        self.reason = reason
        super().__init__(f"connection {connection!r}, resource {resource!r}, {where}: {reason}")
