"""The quality gate: run every suite on the built warehouse (GX pandas route), record results, quarantine rows."""

from __future__ import annotations

import logging
import math
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from expectations.result import CheckOutcome, GateResult
from expectations.store import (
    ROW_COUNT_CHECK,
    QuarantinedRow,
    previous_row_counts,
    records_json,
    write_results,
)
from expectations.suite import SEVERITIES, Bounds, Check, GateParams, Suite

if TYPE_CHECKING:
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.data_context import AbstractDataContext

    from expectations.suites import SuiteBuilder

SITE_NAME = "omnicanal"
SYNC_SCHEMA = "sync"
# The column every sync model carries for the push contract: the push skips (model, record_key) pairs
# that are in audit.quarantine for its run.
SYNC_RECORD_KEY = "record_key"
SAMPLE_KEYS = 10
# COMPLETE gives the index of every failing row, which the quarantine needs; the partial lists (what Data
# Docs shows) stay short.
RESULT_FORMAT = {"result_format": "COMPLETE", "partial_unexpected_count": 10}

log = logging.getLogger(__name__)


class GateConfigError(ValueError):
    """A severity override names no known check or gives an unknown severity."""


def run_gate(
    duckdb_path: Path | str,
    *,
    run_id: str,
    severity: Mapping[str, str] | None = None,
    bounds: Bounds | None = None,
    first_day: date | None = None,
    data_docs_dir: Path | str,
    now: datetime | None = None,
    suites: Sequence[SuiteBuilder] | None = None,
) -> GateResult:
    """Run the quality gate on a built warehouse and record its results in `audit`.

    Each guarded model is read into pandas through one read-only DuckDB connection (closed before the
    results are written: one writer at a time), validated with its suite in an ephemeral GX context,
    and its warning failures are quarantined, together with the sync rows they hold back.

    Args:
        duckdb_path: the working warehouse file, after the build.
        run_id: the run the results and quarantined rows are recorded under.
        severity: overrides `{"<suite>.<check>": "blocking" | "warning" | "off"}`.
        bounds: margin rate bounds and the largest accepted row-count drop.
        first_day: the merchant's first day; earlier dates are failures (no check when None).
        data_docs_dir: where GX Data Docs are written (its GX subfolders are replaced on each run).
        now: the start of the run, the limit for "not in the future" (default: now).
        suites: the suite builders to run (default: every suite of `expectations.suites`).

    Returns:
        The outcome of every check; `status` is `error` if any check could not run, else `blocked` if a
        blocking check failed, else `warned` or `passed`.

    Raises:
        GateConfigError: a severity override names an unknown check or severity.
    """
    # imported here, before the clock starts: 3 s and 300 MB that only the gate pays
    import great_expectations as gx  # noqa: F401

    from expectations.suites import SUITES

    started = time.perf_counter()
    params = GateParams(bounds=bounds or Bounds(), first_day=first_day, now=now or datetime.now(UTC))
    docs_dir = Path(data_docs_dir).resolve()
    context = _ephemeral_context(docs_dir)
    outcomes: list[CheckOutcome] = []
    quarantined: list[QuarantinedRow] = []
    rows_read: dict[str, int] = {}
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        previous = previous_row_counts(con, run_id)
        built = [_with_row_count(builder(params), previous, params.bounds) for builder in suites or SUITES]
        overrides = _validated_overrides(built, severity or {})
        relations = _relations(con)
        for suite in built:
            suite_outcomes, suite_quarantine = _run_suite(
                context, con, suite, relations, overrides, rows_read
            )
            outcomes += suite_outcomes
            quarantined += suite_quarantine
    finally:
        con.close()
    docs = _build_data_docs(context, docs_dir, outcomes)
    write_results(Path(duckdb_path), run_id, outcomes, quarantined)
    held: dict[str, set[str]] = {}
    for row in quarantined:
        held.setdefault(row.model, set()).add(row.record_key)
    return GateResult(
        run_id=run_id,
        outcomes=outcomes,
        quarantined={model: sorted(keys) for model, keys in held.items()},
        rows_read=rows_read,
        data_docs=docs,
        seconds=time.perf_counter() - started,
    )


def _ephemeral_context(docs_dir: Path) -> AbstractDataContext:
    """An in-memory GX context, no progress bars, no analytics, one Data Docs site in `docs_dir`."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _with_row_count(suite: Suite, previous: Mapping[str, int], bounds: Bounds) -> Suite:
    """Add the row-count check: at least (1 - largest drop) x the count of the last run let through."""
    if not suite.track_row_count:
        return suite
    import great_expectations.expectations as gxe

    last = previous.get(suite.name)
    floor = math.ceil(last * (1 - bounds.row_count_drop_max)) if last else 0
    reason = (
        f"row count fell more than {bounds.row_count_drop_max:.0%} below the {last} rows of the last run"
        if last
        else "first recorded row count"
    )
    check = Check(ROW_COUNT_CHECK, gxe.ExpectTableRowCountToBeBetween(min_value=floor), "blocking", reason)
    return replace(suite, checks=[*suite.checks, check])


def _validated_overrides(suites: Iterable[Suite], severity: Mapping[str, str]) -> dict[str, str]:
    checks = {suite.name: sorted(check.name for check in suite.checks) for suite in suites}
    for key, value in severity.items():
        suite_name, _, check_name = key.partition(".")
        if suite_name not in checks:
            raise GateConfigError(
                f"quality.severity.{key}: no suite {suite_name!r}; suites: {', '.join(sorted(checks))}"
            )
        if check_name not in checks[suite_name]:
            raise GateConfigError(
                f"quality.severity.{key}: suite {suite_name} has no check {check_name!r}; "
                f"its checks: {', '.join(checks[suite_name])}"
            )
        if value not in SEVERITIES:
            raise GateConfigError(f"quality.severity.{key}: expected {', '.join(SEVERITIES)}, got {value!r}")
    return dict(severity)


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        """
        select schema_name || '.' || table_name from duckdb_tables()
        union all
        select schema_name || '.' || view_name from duckdb_views() where not internal
        """
    ).fetchall()
    return {name for (name,) in rows}


def _run_suite(
    context: AbstractDataContext,
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    relations: set[str],
    overrides: Mapping[str, str],
    rows_read: dict[str, int],
) -> tuple[list[CheckOutcome], list[QuarantinedRow]]:
    """Validate one suite (its row count goes into `rows_read`); anything that goes wrong becomes an error outcome naming the suite and why."""
    if suite.relation not in relations:
        if suite.required:
            error = f"model {suite.relation} is missing from the warehouse"
            return [CheckOutcome(suite.name, "model_present", suite.model, "blocking", None, error=error)], []
        skipped = "skipped: model absent (its system is not configured)"
        return [
            CheckOutcome(suite.name, "model_present", suite.model, "off", None, observed_value=skipped)
        ], []
    try:
        frame = con.execute(suite.sql()).df()
    except duckdb.Error as exc:
        error = f"cannot read {suite.relation}: {_first_line(exc)}"
        return [CheckOutcome(suite.name, "model_readable", suite.model, "blocking", None, error=error)], []
    rows_read[suite.name] = len(frame)
    try:
        return _validate(context, con, suite, frame, relations, overrides)
    except Exception as exc:  # noqa: BLE001 - an unexpected failure must fail the gate, with its cause
        log.exception("quality suite %s failed to run", suite.name)
        error = f"suite could not run: {type(exc).__name__}: {_first_line(exc)}"
        return [CheckOutcome(suite.name, "suite_run", suite.model, "blocking", None, error=error)], []


def _validate(
    context: AbstractDataContext,
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    frame: pd.DataFrame,
    relations: set[str],
    overrides: Mapping[str, str],
) -> tuple[list[CheckOutcome], list[QuarantinedRow]]:
    import great_expectations as gx

    severities = {
        check.name: overrides.get(f"{suite.name}.{check.name}", check.severity) for check in suite.checks
    }
    active = [c for c in suite.checks if severities[c.name] != "off" and c.expectation is not None]
    results: dict[str, ExpectationValidationResult] = {}
    if active:
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        for check in active:
            assert check.expectation is not None  # filtered above; narrows the type
            # the check's name maps each result back; its severity travels with the stored result
            check.expectation.meta = {"check": check.name, "severity": severities[check.name]}
            gx_suite.add_expectation(check.expectation)
        batch = (
            context.data_sources.add_pandas(suite.name)
            .add_dataframe_asset(suite.model)
            .add_batch_definition_whole_dataframe("whole model")
        )
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        )
        run = validation.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)
        # the datasource's engine keeps the batch (the whole frame) cached: release it before the next suite
        context.data_sources.delete(suite.name)
        for one in run.results:
            config = one.expectation_config
            if config is not None and config.meta:
                results[str(config.meta.get("check"))] = one

    outcomes: list[CheckOutcome] = []
    quarantined: list[QuarantinedRow] = []
    for check in suite.checks:
        severity = severities[check.name]
        base = CheckOutcome(suite.name, check.name, suite.model, severity, None)
        if severity == "off":
            outcomes.append(replace(base, observed_value="skipped: severity off"))
            continue
        if check.expectation is None:
            outcomes.append(replace(base, observed_value=f"not applicable: {check.reason}"))
            continue
        result = results.get(check.name)
        if result is None:
            outcomes.append(replace(base, error="GX returned no result for this expectation"))
            continue
        outcome, failing = _outcome(base, result, frame, suite)
        outcomes.append(outcome)
        if outcome.success is False and not outcome.error and severity == "warning" and failing is not None:
            quarantined += _quarantine(suite, check, failing, con, relations)
    return outcomes, quarantined


def _outcome(
    base: CheckOutcome, result: ExpectationValidationResult, frame: pd.DataFrame, suite: Suite
) -> tuple[CheckOutcome, pd.DataFrame | None]:
    """The outcome of one GX result, and the failing rows of the frame when the expectation is row-wise."""
    error = _exception_message(result)
    if error:
        return replace(base, error=f"expectation errored: {error}"), None
    measured: dict[str, Any] = dict(result.result or {})
    if "observed_value" in measured:
        observed = _plain(measured["observed_value"])
        return replace(base, success=bool(result.success), observed_value=observed), None
    if "unexpected_count" not in measured:
        # GX can report a failure with nothing measured (its SQL route does): never read that as data
        return replace(base, error="GX reported no measurement for this expectation"), None
    count = int(measured["unexpected_count"] or 0)
    index = measured.get("unexpected_index_list")
    failing = frame.loc[list(index)] if index else frame.iloc[0:0]
    sample = [_plain(v) for v in (measured.get("partial_unexpected_list") or [])[:3]]
    observed = f"{count} of {measured.get('element_count', len(frame))} rows"
    if sample:
        observed += f"; e.g. {', '.join(sample)}"
    keys = tuple(_record_keys(failing, suite.key)[:SAMPLE_KEYS])
    return replace(
        base, success=bool(result.success), observed_value=observed, failing_count=count, sample_keys=keys
    ), failing


def _quarantine(
    suite: Suite, check: Check, failing: pd.DataFrame, con: duckdb.DuckDBPyConnection, relations: set[str]
) -> list[QuarantinedRow]:
    """The failing rows under the suite's model, plus the sync rows they hold back (the push skips both)."""
    rows = [
        QuarantinedRow(suite.name, check.name, suite.model, key, check.reason, record)
        for key, record in zip(_record_keys(failing, suite.key), records_json(failing), strict=True)
    ]
    for hold in check.holds_back:
        if f"{SYNC_SCHEMA}.{hold.model}" not in relations:
            continue
        values = failing[hold.column].dropna().astype(str).unique().tolist()
        if not values:
            continue
        # identifiers come from the suite definitions in code; the values are a bound parameter
        held = con.execute(
            f"select * from {SYNC_SCHEMA}.{hold.model} "  # noqa: S608
            f"where cast({hold.match_column} as varchar) in (select unnest(?::varchar[]))",
            [values],
        ).df()
        reason = f"held back: {check.reason} ({suite.name}.{check.name})"
        rows += [
            QuarantinedRow(suite.name, check.name, hold.model, str(key), reason, record)
            for key, record in zip(held[SYNC_RECORD_KEY], records_json(held), strict=True)
        ]
    return rows


def _record_keys(frame: pd.DataFrame, key: tuple[str, ...]) -> list[str]:
    if frame.empty:
        return []
    parts = frame[list(key)].astype("string").fillna("")
    return parts.agg("|".join, axis=1).tolist() if len(key) > 1 else parts[key[0]].tolist()


def _exception_message(result: ExpectationValidationResult) -> str | None:
    """The first exception GX caught for this expectation (top level or per metric), else None."""
    info: dict[str, Any] = dict(result.exception_info or {})
    for entry in [info, *(v for v in info.values() if isinstance(v, dict))]:
        if entry.get("raised_exception"):
            return _first_line(entry.get("exception_message") or "an exception was raised")
    return None


def _build_data_docs(
    context: AbstractDataContext, docs_dir: Path, outcomes: list[CheckOutcome]
) -> Path | None:
    """Write this run's Data Docs into `docs_dir`; a failure is recorded as an error of the gate."""
    try:
        for sub in ("expectations", "validations", "static"):
            shutil.rmtree(docs_dir / sub, ignore_errors=True)
        (docs_dir / "index.html").unlink(missing_ok=True)
        context.build_data_docs(site_names=[SITE_NAME])
    except Exception as exc:  # noqa: BLE001 - reported as a gate error, never swallowed
        error = f"cannot write Data Docs to {docs_dir}: {type(exc).__name__}: {_first_line(exc)}"
        outcomes.append(CheckOutcome("data_docs", "build", "-", "blocking", None, error=error))
        return None
    return docs_dir


def _plain(value: Any) -> str:
    """A readable rendering of a value from a GX result (numpy scalars, tuples of a column pair)."""
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_plain(v) for v in value) + ")"
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):
        return str(value.item())
    return str(value)


def _first_line(exc: BaseException | str) -> str:
    text = str(exc).strip().splitlines()
    line = " ".join(text[0].split()) if text else ""
    return line[:300] or (type(exc).__name__ if isinstance(exc, BaseException) else "")
