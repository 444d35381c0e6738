"""Reading one XML file into batches of text cells per canonical column, streamed through defusedxml.

The file is fed to defusedxml's parser in chunks and records are built from its start/end events as
they come (the `iterparse` mechanism, without keeping a tree), so memory stays flat whatever the size.
Entity declarations (billion laughs) and external references (XXE) are refused by defusedxml.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pyarrow as pa
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from sources.flatfiles.csvfile import BadLine, FileRejected, TextBatch
from sources.flatfiles.mapping import Mapping
from sources.flatfiles.settings import XML_BATCH_ROWS

_CHUNK = 1 << 20


@dataclass(frozen=True)
class _Field:
    """Where a slot's value sits: `up` levels above the record, then child elements, then an attribute."""

    slot: str
    up: int
    path: tuple[str, ...]
    attribute: str | None


def _field(slot: str, source: str) -> _Field:
    parts = [p for p in source.strip().split("/") if p not in ("", ".")]
    up = 0
    while parts and parts[0] == "..":
        up += 1
        parts.pop(0)
    attribute = parts.pop()[1:] if parts and parts[-1].startswith("@") else None
    if any(p == ".." or p.startswith("@") for p in parts):
        raise ValueError(f"XML path {source!r}: `..` only at the start, `@attribute` only at the end")
    return _Field(slot, up, tuple(parts), attribute)


@dataclass
class _Frame:
    tag: str
    attributes: dict[str, str]
    line: int
    on_path: bool  # this element and its ancestors follow the record path
    values: dict[tuple[tuple[str, ...], str | None], str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)


class _RecordTarget:
    """Parser target: keeps the open elements and emits one row per record element."""

    def __init__(self, record: tuple[str, ...], fields: list[_Field]) -> None:
        self.record = record
        self.depth = len(record)
        self.fields = fields
        # what each level above the record (0 = the record) must keep: (child path, attribute) pairs
        self.wanted: dict[int, set[tuple[tuple[str, ...], str | None]]] = {}
        for f in fields:
            self.wanted.setdefault(f.up, set()).add((f.path, f.attribute))
        self.stack: list[_Frame] = []
        self.rows: list[tuple[int, list[str | None]]] = []
        self.line_of: Callable[[], int] = lambda: 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        name = _local(tag)
        index = len(self.stack)
        if index == 0 and name != self.record[0]:
            raise FileRejected(
                f"line {self.line_of()}: the root element is <{name}>, the mapping reads records at "
                f"{'/'.join(self.record)}"
            )
        parent_on_path = index == 0 or self.stack[-1].on_path
        on_path = parent_on_path and index < self.depth and name == self.record[index]
        frame = _Frame(name, {_local(k): v for k, v in attributes.items()}, self.line_of(), on_path)
        self.stack.append(frame)
        self._keep(frame, attributes_only=True)

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1].text.append(text)

    def end(self, tag: str) -> None:
        frame = self.stack[-1]
        self._keep(frame, attributes_only=False)
        if frame.on_path and len(self.stack) == self.depth:
            self.rows.append((frame.line, [self._value(f) for f in self.fields]))
        self.stack.pop()

    def close(self) -> None:
        return None

    def _keep(self, current: _Frame, *, attributes_only: bool) -> None:
        """Store the current element's attributes (at its start) or text (at its end) for the levels wanting them."""
        for index in range(min(len(self.stack), self.depth)):
            owner = self.stack[index]
            if not owner.on_path:
                break
            wanted = self.wanted.get(self.depth - 1 - index)
            if not wanted:
                continue
            relative = tuple(frame.tag for frame in self.stack[index + 1 :])
            for path, attribute in wanted:
                if path != relative:
                    continue
                if attribute is not None and attributes_only:
                    value = current.attributes.get(attribute)
                    if value is not None:
                        owner.values[(path, attribute)] = value
                elif attribute is None and not attributes_only:
                    owner.values[(path, None)] = "".join(current.text)

    def _value(self, f: _Field) -> str | None:
        return self.stack[self.depth - 1 - f.up].values.get((f.path, f.attribute))


def _local(name: str) -> str:
    """An element or attribute name without its namespace."""
    return name.rsplit("}", 1)[-1]


def read_xml(stream: IO[bytes], mapping: Mapping) -> Iterator[TextBatch | BadLine]:
    """Text batches of the records of an XML file, streamed.

    Args:
        stream: the file, positioned at its start.
        mapping: the record path and each canonical column's path relative to the record.

    Yields:
        `TextBatch` of cells per canonical column with each record's line (where it starts).

    Raises:
        FileRejected: not well-formed XML, entity declarations, external references, no record found.
    """
    try:
        fields = [_field(rule.name, rule.source) for rule in mapping.columns if rule.source is not None]
    except ValueError as exc:
        raise FileRejected(f"mapping {mapping.name}: {exc}") from None
    target = _RecordTarget(tuple(mapping.record.split("/")), fields)
    parser = DefusedXMLParser(target=target, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    expat = parser.parser
    target.line_of = lambda: expat.CurrentLineNumber
    try:
        while chunk := stream.read(_CHUNK):
            parser.feed(chunk)
            if len(target.rows) >= XML_BATCH_ROWS:
                yield _batch(target.rows, fields)
                target.rows = []
        parser.close()
    except EntitiesForbidden as exc:
        raise FileRejected(
            f"line {expat.CurrentLineNumber}: the XML declares entity {exc.name!r}; entity declarations "
            "are refused (entity expansion, 'billion laughs', and external entities, XXE)"
        ) from None
    except ExternalReferenceForbidden as exc:
        raise FileRejected(
            f"line {expat.CurrentLineNumber}: the XML refers to an external resource "
            f"({exc.sysid or exc.pubid!r}); external references are refused (XXE)"
        ) from None
    except DTDForbidden as exc:
        raise FileRejected(f"line {expat.CurrentLineNumber}: DTD {exc.name!r} refused") from None
    except DefusedXmlException as exc:
        raise FileRejected(f"line {expat.CurrentLineNumber}: refused XML construct ({exc})") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (expat.CurrentLineNumber, 0))
        raise FileRejected(f"line {line}, column {column}: not well-formed XML ({exc})") from None
    if target.rows:
        yield _batch(target.rows, fields)


def _batch(rows: list[tuple[int, list[str | None]]], fields: list[_Field]) -> TextBatch:
    lines = np.fromiter((line for line, _ in rows), dtype=np.int64, count=len(rows))
    cells = {f.slot: pa.array([values[i] for _, values in rows], pa.string()) for i, f in enumerate(fields)}
    return TextBatch(cells, lines, len(rows))
