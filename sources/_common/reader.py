"""How a run reads one system: changed rows in a time window, full sweeps, and deletions found by sweeps."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa

from sources._common.batches import typed_batches
from sources._common.columns import Conversion, TableSpec
from sources._common.cursors import RunClock, Window, mark_swept, open_window, sweep_due
from sources._common.paging import IdPagedApi, Trim
from sources._common.tombstones import known_keys, tombstones

Row = dict[str, Any]


def keep_fields(fields: Iterable[str], nested: Mapping[str, Iterable[str]] | None = None) -> Trim:
    """A page trimmer keeping only `fields` of each row and of its nested lists (`{"lines": [...]}`).

    Dolibarr document lines carry ~100 keys each whatever `properties` says: trimmed as soon as a page
    is parsed, a batch of documents holds what will be stored, not five times more.
    """
    keep = frozenset(fields)
    inner = {name: frozenset(names) for name, names in (nested or {}).items()}

    def trim(rows: list[Row]) -> list[Row]:
        out = []
        for row in rows:
            slim = {k: v for k, v in row.items() if k in keep}
            for name, names in inner.items():
                children = row.get(name)
                if isinstance(children, list):
                    slim[name] = [
                        {k: v for k, v in c.items() if k in names} for c in children if isinstance(c, dict)
                    ]
            out.append(slim)
        return out

    return trim


class Reader:
    """What the resources of one run share: the client, the run clock, the typing settings and the switches.

    Args:
        api: the system's client.
        clock: the server's clock, read once at the start of the run.
        conversion_of: the typing settings (may need the first request of the run, hence a callable).
        page_size: rows per page for entity reads.
        sweep_page_size: rows per page for sweeps of few fields.
        full: ignore saved cursors and read everything since the initial value.
        sweep: run the sweeps now.
        sweep_every: run them anyway when the last one is older than this (None: only when asked).
    """

    def __init__(
        self,
        api: IdPagedApi[Any],
        *,
        clock: RunClock,
        conversion_of: Callable[[], Conversion],
        page_size: int,
        sweep_page_size: int,
        full: bool,
        sweep: bool,
        sweep_every: timedelta | None,
    ) -> None:
        self.api = api
        self.connection = api.connection
        self.clock = clock
        self._conversion_of = conversion_of
        self.page_size = page_size
        self.sweep_page_size = sweep_page_size
        self.full = full
        self.sweep = sweep
        self.sweep_every = sweep_every

    @classmethod
    def for_run(
        cls,
        api: IdPagedApi[Any],
        *,
        clock: RunClock,
        conversion_of: Callable[[], Conversion],
        page_size: int,
        sweep_page_size: int,
        full: bool,
        sweep: bool,
        sweep_every_hours: float | None,
        backfill: bool,
    ) -> Reader:
        """The reader of one run from a source's plain switches (a backfill never sweeps)."""
        return cls(
            api,
            clock=clock,
            conversion_of=conversion_of,
            page_size=page_size,
            sweep_page_size=sweep_page_size,
            full=full,
            sweep=sweep and not backfill,
            sweep_every=None if backfill or sweep_every_hours is None else timedelta(hours=sweep_every_hours),
        )

    @property
    def conversion(self) -> Conversion:
        return self._conversion_of()

    def batches(self, spec: TableSpec, pages: Iterable[Sequence[Row]]) -> Iterator[pa.Table]:
        """Typed batches of `spec`; an empty one when there is no row, so the table exists after a first load."""
        produced = False
        for batch in typed_batches(spec, pages, self.conversion, self.connection):
            produced = True
            yield batch
        if not produced:
            yield spec.empty(self.conversion)

    def open(self, cursor: dlt.sources.incremental[datetime]) -> Window:
        """This run's window for a cursor; call it before yielding anything (it pins the cursor)."""
        return open_window(cursor, self.clock, full=self.full)

    def changed_pages(
        self,
        resource: str,
        fields: str,
        window: Window,
        *,
        trim: Trim | None = None,
        page_size: int | None = None,
    ) -> Iterator[list[Row]]:
        """Rows whose change timestamp falls in the window, paged by id.

        A first or full read goes by id ranges with a few requests in flight; an incremental read
        goes by id keyset, usually one short page. `trim` shapes each page as soon as it is parsed;
        `page_size` lowers the page for resources whose rows are large.
        """
        filters = self.api.window_filter(resource, window)
        size = min(page_size or self.page_size, self.page_size)
        if window.first_read:
            bounds = self.api.id_bounds(resource)
            yield from self.api.range_pages(
                resource, fields, filters, page_size=size, bounds=bounds, trim=trim
            )
        else:
            yield from self.api.keyset_pages(resource, fields, filters, page_size=size, trim=trim)

    def entity(
        self,
        spec: TableSpec,
        fields: str,
        cursor: dlt.sources.incremental[datetime],
        *,
        prepare: Trim | None = None,
    ) -> Iterator[pa.Table]:
        """An incremental entity, then (when due) its id sweep marking vanished rows `_deleted`."""
        window = self.open(cursor)
        yield from self.batches(spec, self.changed_pages(spec.name, fields, window, trim=prepare))
        if not window.backfill:
            yield from self.deletion_sweep(spec, resource=spec.name)

    def deletion_sweep(self, spec: TableSpec, *, resource: str) -> Iterator[pa.Table]:
        """When due, list every id (ids only, large pages) and mark the loaded rows no longer listed.

        `resource` names the dlt resource running the sweep (its state remembers the last sweep).
        """
        if not self.sweep_is_due(resource):
            return
        now = self.clock.now()
        if known_keys(spec):  # nothing loaded before: nothing can have disappeared
            bounds = self.api.id_bounds(spec.name)
            pages = self.api.range_pages(
                spec.name, "id", self.api.no_filter(), page_size=self.sweep_page_size, bounds=bounds
            )
            present = {(int(row["id"]),) for page in pages for row in page}
            top = bounds[1] if bounds else 0
            gone = tombstones(spec, present, self.conversion, in_scope=lambda key: key[0] <= top)
            if gone is not None:
                yield gone
        mark_swept(dlt.current.resource_state(resource), now)

    def swept(self, spec: TableSpec, fields: str, *, backfill: bool) -> Iterator[pa.Table]:
        """A table without a change timestamp: read whole when its sweep is due, vanished rows marked."""
        yield from self.on_sweep(spec, lambda: self.whole(spec, fields, ranges=True), backfill=backfill)

    def on_sweep(
        self, spec: TableSpec, read: Callable[[], Iterable[pa.Table]], *, backfill: bool
    ) -> Iterator[pa.Table]:
        """`read()` when the table's sweep is due (then remembered), else just the (empty) table."""
        if backfill or not self.sweep_is_due(spec.name):
            yield spec.empty(self.conversion)
            return
        now = self.clock.now()
        yield from read()
        mark_swept(dlt.current.resource_state(spec.name), now)

    def sweep_is_due(self, resource: str) -> bool:
        """Whether the resource's sweep runs this time: asked for, never done, or older than `sweep_every`."""
        state = dlt.current.resource_state(resource)
        return sweep_due(state, self.clock.now(), forced=self.sweep or self.full, every=self.sweep_every)

    def whole(
        self, spec: TableSpec, fields: str, *, ranges: bool, prepare: Trim | None = None
    ) -> Iterator[pa.Table]:
        """Every row of a table, then the rows loaded before and no longer listed, marked `_deleted`."""
        if ranges:
            bounds = self.api.id_bounds(spec.name)
            pages = self.api.range_pages(
                spec.name, fields, self.api.no_filter(), page_size=self.sweep_page_size, bounds=bounds
            )
        else:
            pages = self.api.keyset_pages(
                spec.name, fields, self.api.no_filter(), page_size=self.sweep_page_size
            )
        yield from self.complete(spec, map(prepare, pages) if prepare else pages)

    def complete(self, spec: TableSpec, pages: Iterable[list[Row]]) -> Iterator[pa.Table]:
        """Typed batches of a complete listing, then tombstones for the keys it no longer holds."""
        present: set[tuple[Any, ...]] = set()
        keys = spec.primary_key

        def remember(pages: Iterable[list[Row]]) -> Iterator[list[Row]]:
            for page in pages:
                present.update(tuple(int(row[k]) for k in keys) for row in page)
                yield page

        yield from self.batches(spec, remember(pages))
        gone = tombstones(spec, present, self.conversion)
        if gone is not None:
            yield gone
