"""Deletions found by a complete sweep: earlier rows whose key the system no longer lists, marked `_deleted`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from sources._common.columns import DELETED, Conversion, TableSpec


def known_keys(spec: TableSpec) -> set[tuple[Any, ...]] | None:
    """Keys of the rows loaded earlier and not yet marked deleted (None when nothing was loaded yet)."""
    client_factory = _sql_client()
    if client_factory is None:
        return None
    with client_factory() as client:
        if not client.has_dataset():
            return None
        qualified = client.make_qualified_table_name(spec.name)
        keys = ", ".join(client.escape_column_name(k) for k in spec.primary_key)
        deleted = client.escape_column_name(DELETED)
        try:
            # identifiers only (quoted by dlt); no value is interpolated
            rows = client.execute_sql(f"select {keys} from {qualified} where {deleted} is not true")  # noqa: S608
        except DatabaseUndefinedRelation:
            return None
    return {tuple(row) for row in rows or ()}


def tombstones(
    spec: TableSpec,
    present: Iterable[tuple[Any, ...]],
    conversion: Conversion,
    *,
    in_scope: Callable[[tuple[Any, ...]], bool] | None = None,
) -> pa.Table | None:
    """The earlier rows a complete sweep did not see again, with their last values and `_deleted = true`.

    Args:
        spec: the swept table.
        present: every key the sweep listed (it must have read all pages).
        conversion: the source's typing settings (for the arrow schema).
        in_scope: limits the comparison to keys the sweep covered (e.g. ids up to the largest id
            it saw, so a row created after the sweep started is never taken for a deleted one).

    Returns:
        An arrow table of the deleted rows, or None when nothing disappeared.
    """
    known = known_keys(spec)
    if not known:
        return None
    seen = present if isinstance(present, set) else set(present)
    gone = [k for k in known if k not in seen and (in_scope is None or in_scope(k))]
    if not gone:
        return None
    client_factory = _sql_client()
    assert client_factory is not None  # known_keys found the table through the same client
    with client_factory() as client:
        qualified = client.make_qualified_table_name(spec.name)
        columns = ", ".join(f"t.{client.escape_column_name(c)}" for c in spec.column_names)
        probes = ", ".join(f"unnest(?) as {client.escape_column_name(k)}" for k in spec.primary_key)
        using = ", ".join(client.escape_column_name(k) for k in spec.primary_key)
        query = f"select {columns} from {qualified} as t join (select {probes}) as gone using ({using})"  # noqa: S608
        params = [[k[i] for k in gone] for i in range(len(spec.primary_key))]
        found = client.native_connection.sql(query, params=params).to_arrow_table()
    schema = spec.arrow_schema(conversion)
    arrays = [found.column(name).cast(schema.field(name).type) for name in spec.column_names]
    arrays.append(pc.cast(pa.array([True] * found.num_rows), pa.bool_()))
    return pa.Table.from_arrays(arrays, schema=schema)


def _sql_client() -> Callable[[], Any] | None:
    """The destination client of the pipeline running this extraction, if any."""
    try:
        pipeline = dlt.current.pipeline()
    except Exception:  # noqa: BLE001 - outside a pipeline run there is nothing to compare with
        return None
    if pipeline is None or pipeline.destination is None or pipeline.default_schema_name is None:
        return None
    return pipeline.sql_client
