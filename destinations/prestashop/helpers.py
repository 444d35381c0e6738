"""The PrestaShop webservice client for writes: JSON list reads, XML read-modify-write, PATCH when granted."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET  # noqa: S405 - used to *write* documents; parsing goes through defusedxml
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element  # noqa: S405 - type only

import orjson
from defusedxml import ElementTree as SafeET
from requests.auth import HTTPBasicAuth

from destinations._common.http import RetryPolicy, WriteClient
from destinations._common.records import TerminalError
from destinations.prestashop.settings import NODES, READ_ONLY, XLINK


def _json(status: int, body: bytes) -> Any:
    if status == 304 or not body.strip():
        return None
    return orjson.loads(body)


def _xml_entity(status: int, body: bytes) -> Element:
    try:
        root = SafeET.fromstring(body)
    except SafeET.ParseError as exc:
        raise ValueError(f"not XML ({exc})") from exc
    entity = next(iter(root), None)
    if entity is None:
        raise ValueError("empty <prestashop> document")
    return entity


def _xml_document(entity: Element) -> bytes:
    """The `<prestashop>` document around one entity, ready for a PUT, PATCH or POST."""
    root = Element("prestashop")
    root.append(entity)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def _strip_attributes(entity: Element) -> None:
    # links and `notFilterable` are output decorations; a language's `id` is data and stays
    for node in entity.iter():
        for name in list(node.attrib):
            if name.startswith(f"{{{XLINK}}}") or name == "notFilterable":
                del node.attrib[name]


def element(node: str, fields: Mapping[str, Any]) -> Element:
    """A flat entity element (`<stock_available><id>..</id>...</stock_available>`) from plain values."""
    entity = Element(node)
    for name, value in fields.items():
        child = Element(name)
        child.text = "" if value is None else str(value)
        entity.append(child)
    return entity


class PrestaShopClient(WriteClient):
    """Writes to one PrestaShop shop: reads lists as JSON, writes XML; uses PATCH only if the key may.

    Args:
        base_url: the webservice root, `https://shop/api`.
        api_key: the 32-character webservice key (sent as the Basic user, never in the URL).
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
            auth=HTTPBasicAuth(api_key, ""),
            policy=policy,
            pool_size=pool_size,
        )
        self._patchable: set[str] | None = None
        self._patch_lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ reads
    def patchable(self, resource: str) -> bool:
        """Whether this key was granted PATCH on `resource` (read once from the XML resource list)."""
        with self._patch_lock:
            if self._patchable is None:
                root = self.send("GET", "/", idempotent=True, parse=lambda s, b: SafeET.fromstring(b))
                api = root.find("api")
                self._patchable = {
                    node.tag for node in (api if api is not None else []) if node.get("patch") == "true"
                }
            return resource in self._patchable

    def list(self, resource: str, filters: Mapping[str, str], display: str = "full") -> list[dict[str, Any]]:
        """Objects matching `filter[...]` values (already in PrestaShop's filter syntax)."""
        params = [("output_format", "JSON"), ("display", display)]
        params += [(f"filter[{name}]", value) for name, value in filters.items()]
        payload = self.send("GET", f"/{resource}", params=params, idempotent=True, parse=_json)
        if not payload:  # 8.1.2 answers a bare [] for an empty list
            return []
        return list(payload.get(resource) or [])

    def by_ids(
        self, resource: str, ids: Iterable[str | int | None], display: str = "full"
    ) -> dict[str, dict[str, Any]]:
        """Objects by id, read in one call (`filter[id]=[1|2|3]`); absent ids are missing from the result."""
        wanted = sorted({str(i) for i in ids if i is not None}, key=int)
        if not wanted:
            return {}
        rows = self.list(resource, {"id": "[" + "|".join(wanted) + "]"}, display)
        return {str(row["id"]): row for row in rows}

    def get_xml(self, resource: str, object_id: str) -> Element:
        """One whole object as XML, the document a read-modify-write PUT starts from."""
        return self.send("GET", f"/{resource}/{object_id}", idempotent=True, parse=_xml_entity)

    # ------------------------------------------------------------------------------------------ writes
    def _send_xml(
        self,
        method: str,
        path: str,
        entity: Element,
        *,
        idempotent: bool,
        params: Sequence[tuple[str, str]] = (),
    ) -> Element:
        return self.send(
            method,
            path,
            params=params,
            body=_xml_document(entity),
            headers={"Content-Type": "text/xml"},
            idempotent=idempotent,
            parse=_xml_entity,
        )

    def put(self, resource: str, object_id: str, entity: Element) -> Element:
        """Replace an object with the whole document given (idempotent: retried on transient errors)."""
        for name in READ_ONLY.get(resource, ()):
            for node in entity.findall(name):
                entity.remove(node)
        _strip_attributes(entity)
        return self._send_xml("PUT", f"/{resource}/{object_id}", entity, idempotent=True)

    def patch(self, resource: str, object_id: str, fields: Mapping[str, Any]) -> Element:
        """Change only the given fields (8.x, keys granted PATCH); absolute values, so idempotent."""
        entity = element(NODES[resource], {"id": object_id, **fields})
        return self._send_xml("PATCH", f"/{resource}/{object_id}", entity, idempotent=True)

    def set_fields(
        self, resource: str, object_id: str, fields: Mapping[str, Any], document: Element | None = None
    ) -> Element:
        """Write some fields of an object: PATCH when granted, else PUT of the whole document with them set.

        Args:
            resource: the resource (`stock_availables`, `products`...).
            object_id: the object's id.
            fields: plain (not multilingual) fields and their new values.
            document: the object as just read (XML); read here when absent and PUT is needed.
        """
        if self.patchable(resource):
            return self.patch(resource, object_id, fields)
        entity = document if document is not None else self.get_xml(resource, object_id)
        for name, value in fields.items():
            node = entity.find(name)
            if node is None:
                node = Element(name)
                entity.append(node)
            node.text = "" if value is None else str(value)
        return self.put(resource, object_id, entity)

    def post(self, resource: str, entity: Element, params: Sequence[tuple[str, str]] = ()) -> Element:
        """Create an object: sent once (a repeat would create a second one); see `apply_once`."""
        _strip_attributes(entity)
        return self._send_xml("POST", f"/{resource}", entity, idempotent=False, params=params)


def text_of(entity: Element, name: str) -> str | None:
    """A plain field's text in an XML object (None when the element is absent)."""
    node = entity.find(name)
    return None if node is None else (node.text or "")


def require(row: dict[str, Any] | None, resource: str, object_id: str, connection: str) -> dict[str, Any]:
    """The row read for an object, or a terminal error saying it no longer exists."""
    if row is None:
        raise TerminalError(f"{connection}: {resource} {object_id} no longer exists in the shop", status=404)
    return row
