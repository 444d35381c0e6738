"""The push: plan from the sync models, write through the destinations, log every record, confirm by re-reading.

`plan_push` reads the sync models and the quarantine, applies the guards and stores the plan (ledger rows
`planned`, a JSON and a CSV under `data/reports/`); `execute_push` writes it (nothing in a dry run) and logs
one outcome per record; `confirm_push` re-extracts what was written and rebuilds the sync models, where the
written records must no longer appear. The `push` flow chains them for `omnicanal push` and the deployment.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from destinations._common.guards import guard
from destinations._common.http import WRITE_POLICY, RetryPolicy
from destinations._common.ledger import (
    SYNC_MODELS,
    existing_models,
    log_outcomes,
    model_name,
    quarantined,
    read_records,
)
from destinations._common.records import STATUSES, RecordOutcome, SyncRecord
from flows import audit
from flows.config import Connection, Settings, load_settings
from flows.errors import ConfigError, PushAborted
from flows.progress import say, step
from flows.summary import RunSummary
from warehouse.audit import ensure_audit_tables

SELECTORS = tuple(f"{target}.{entity}" for target, entity in SYNC_MODELS)
# Rows printed by `render()`; the JSON and CSV reports hold them all.
SHOWN_ROWS = 200


def _selected(settings: Settings, only: Sequence[str] | None) -> list[tuple[str, str]]:
    """The sync models to push: `--only` selectors, else `push.entities` of the config, else all."""
    wanted = list(only or settings.push.entities or SELECTORS)
    unknown = [name for name in wanted if name not in SELECTORS]
    if unknown:
        raise ConfigError(f"unknown push entity {', '.join(unknown)}; known: {', '.join(SELECTORS)}")
    return [pair for pair in SYNC_MODELS if f"{pair[0]}.{pair[1]}" in wanted]


def _fmt(value: str | None, width: int = 40) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _counts(outcomes: Iterable[RecordOutcome]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for item in outcomes:
        counts.setdefault(item.record.selector, Counter())[item.status] += 1
    return counts


def _counts_line(counter: Counter[str]) -> str:
    return ", ".join(f"{counter[s]} {s}" for s in STATUSES if counter[s])


@dataclass
class PushPlan:
    """What a push is about to write: the records that passed every guard, and those held back."""

    run_id: str
    records: list[SyncRecord]
    held: list[RecordOutcome]
    max_changes: int
    selected: list[str]
    reports: list[Path] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def changes(self) -> int:
        """Records to change (the number the per-run cap applies to)."""
        return len(self.records)

    @property
    def over_cap(self) -> bool:
        return self.changes > self.max_changes

    def outcomes(self) -> list[RecordOutcome]:
        """The plan as outcomes: `planned` for the records to write, `skipped_guard` for those held back."""
        return [RecordOutcome(record, "planned") for record in self.records] + self.held

    def counts(self) -> dict[str, Counter[str]]:
        return _counts(self.outcomes())

    def rows(self) -> list[dict[str, Any]]:
        """One row per record and field, as the reports show them."""
        rows = []
        for item in self.outcomes():
            for change in item.record.changes:
                rows.append(
                    {
                        "entity": item.record.selector,
                        "connection": item.record.connection,
                        "record_key": item.record.record_key,
                        "target_id": item.record.target_id,
                        "field": change.field,
                        "before": change.before,
                        "desired": change.desired,
                        "status": item.status,
                        "reason": item.error,
                    }
                )
        return rows

    def cap_message(self) -> str:
        return (
            f"push plan {self.run_id}: {self.changes} records to change exceed push.max_changes_per_run = "
            f"{self.max_changes}; nothing was written (raise the cap in the configuration if this is expected)"
        )

    def render(self) -> str:
        lines = [f"push plan {self.run_id}: {self.changes} record(s) to change (cap {self.max_changes})"]
        counts = self.counts()
        for selector in self.selected:
            lines.append(
                f"  {selector:<24} {_counts_line(counts.get(selector, Counter())) or 'nothing to do'}"
            )
        if self.over_cap:
            lines.append(f"  STOP: {self.cap_message()}")
        rows = self.rows()
        if rows:
            header = f"  {'entity':<24} {'record':<34} {'field':<15} {'before':<14} {'desired':<40} status"
            lines += ["", header]
            for row in rows[:SHOWN_ROWS]:
                lines.append(
                    f"  {row['entity']:<24} {_fmt(row['record_key'], 34):<34} {row['field']:<15} "
                    f"{_fmt(row['before'], 14):<14} {_fmt(row['desired']):<40} {row['status']}"
                    + (f" ({row['reason']})" if row["reason"] else "")
                )
            if len(rows) > SHOWN_ROWS:
                lines.append(
                    f"  ... {len(rows) - SHOWN_ROWS} more rows in {self.reports[-1] if self.reports else 'the report'}"
                )
        lines += [f"  plan stored in {path}" for path in self.reports]
        return "\n".join(lines)

    def markdown(self) -> str:
        parts = [
            f"# Push plan `{self.run_id}`",
            "",
            f"{self.changes} record(s) to change, cap {self.max_changes}.",
            "",
        ]
        if self.over_cap:
            parts += [f"**Stopped:** {self.cap_message()}", ""]
        parts += ["| entity | planned | held back |", "|---|---|---|"]
        counts = self.counts()
        for selector in self.selected:
            counter = counts.get(selector, Counter())
            parts.append(f"| {selector} | {counter['planned']} | {counter['skipped_guard']} |")
        rows = self.rows()
        if rows:
            parts += [
                "",
                "| entity | record | field | before | desired | status |",
                "|---|---|---|---|---|---|",
            ]
            parts += [
                f"| {r['entity']} | {r['record_key']} | {r['field']} | {_fmt(r['before'])} | {_fmt(r['desired'])} "
                f"| {r['status']} |"
                for r in rows[:SHOWN_ROWS]
            ]
        return "\n".join(parts)


@dataclass
class PushResult:
    """What a push did: one outcome per record, HTTP calls per connection, time."""

    plan: PushPlan
    dry_run: bool
    outcomes: list[RecordOutcome]
    calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def run_id(self) -> str:
        return self.plan.run_id

    @property
    def writes(self) -> int:
        """Records actually written."""
        return sum(1 for item in self.outcomes if item.status == "written")

    def counts(self) -> dict[str, Counter[str]]:
        return _counts(self.outcomes)

    def problems(self) -> list[RecordOutcome]:
        return [o for o in self.outcomes if o.status in ("conflict", "failed", "skipped_guard")]

    def lines(self) -> list[str]:
        """One line per entity, then one per record that was not done (conflict, failure, held back)."""
        counts = self.counts()
        lines = [
            f"{selector}: {_counts_line(counts.get(selector, Counter())) or 'nothing to do'}"
            for selector in self.plan.selected
        ]
        lines += [f"{item.status}: {item.error}" for item in self.problems()]
        return lines

    def render(self) -> str:
        mode = "dry run, nothing written" if self.dry_run else f"{self.writes} record(s) written"
        calls = ", ".join(f"{name} {count}" for name, count in sorted(self.calls.items()))
        head = f"push {self.run_id}: {mode} in {self.seconds:.1f} s" + (
            f" (API calls: {calls})" if calls else ""
        )
        return "\n".join([head, *[f"  {line}" for line in self.lines()]])

    def markdown(self) -> str:
        mode = "dry run: nothing written" if self.dry_run else f"{self.writes} record(s) written"
        parts = [f"# Push `{self.run_id}`", "", mode, "", "| entity | " + " | ".join(STATUSES) + " |"]
        parts.append("|---" * (len(STATUSES) + 1) + "|")
        counts = self.counts()
        for selector in self.plan.selected:
            counter = counts.get(selector, Counter())
            parts.append(f"| {selector} | " + " | ".join(str(counter[s]) for s in STATUSES) + " |")
        problems = self.problems()
        if problems:
            parts += ["", "## Not done", *[f"- **{o.status}**: {o.error}" for o in problems]]
        return "\n".join(parts)

    def summary(self) -> RunSummary:
        """The run summary the CLI prints: the plan's rows, then the outcomes."""
        summary = RunSummary(run_id=self.run_id, status="dry run" if self.dry_run else "completed")
        summary.pushes = self.lines()
        summary.writes = self.writes
        summary.notes = ["", self.plan.render()]
        return summary


@dataclass
class ConfirmResult:
    """The re-read after a push: every written record must be gone from the rebuilt sync models."""

    run_id: str
    checked: int
    still_different: list[str] = field(default_factory=list)
    extracted: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def confirmed(self) -> bool:
        return not self.still_different

    def render(self) -> str:
        verdict = (
            f"all {self.checked} written record(s) now agree"
            if self.confirmed
            else f"{len(self.still_different)} of {self.checked} written record(s) still differ"
        )
        lines = [f"push {self.run_id} confirmed by re-reading: {verdict} ({self.seconds:.1f} s)"]
        lines += [f"  {line}" for line in self.extracted + self.still_different]
        return "\n".join(lines)

    def markdown(self) -> str:
        return "\n".join(["## Confirmation", "", self.render().replace("\n  ", "\n- ")])


# --------------------------------------------------------------------------------------------- planning
def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    if not settings.warehouse_path.exists():
        raise PushAborted(
            f"no warehouse at {settings.warehouse_path}: run `omnicanal run` (or extract and build) first"
        )
    con = duckdb.connect(str(settings.warehouse_path))
    ensure_audit_tables(con)
    return con


def _write_reports(settings: Settings, plan: PushPlan) -> list[Path]:
    folder = settings.data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    rows = plan.rows()
    json_path = folder / f"push_plan_{plan.run_id}.json"
    document = {
        "run_id": plan.run_id,
        "created_at": plan.created_at.isoformat(),
        "max_changes_per_run": plan.max_changes,
        "changes": plan.changes,
        "counts": {selector: dict(counter) for selector, counter in plan.counts().items()},
        "rows": rows,
    }
    json_path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    csv_path = folder / f"push_plan_{plan.run_id}.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh,
            fieldnames=[
                "entity",
                "connection",
                "record_key",
                "target_id",
                "field",
                "before",
                "desired",
                "status",
                "reason",
            ],
        )
        writer.writeheader()
        writer.writerows(rows)
    return [json_path, csv_path]


def plan_push(
    settings: Settings,
    run_id: str,
    *,
    only: Sequence[str] | None = None,
    quarantine_run_id: str | None = None,
) -> PushPlan:
    """Read the sync models, hold back what is quarantined or fails a guard, and store the plan.

    Args:
        settings: the resolved settings (warehouse file, connections, push cap).
        run_id: the run the plan is recorded under (`audit.push_log`, report file names).
        only: entity selectors (`prestashop.stock`...); default `push.entities` of the config, else all.
        quarantine_run_id: the run whose quality gate quarantined records (default `run_id`: the gate and
            the push of one sync run share it).

    Returns:
        The plan; `over_cap` tells whether the per-run cap stops it (`execute_push` then writes nothing).
    """
    selected = _selected(settings, only)
    records: list[SyncRecord] = []
    held: list[RecordOutcome] = []
    con = _connect(settings)
    try:
        built = existing_models(con)
        holds = quarantined(con, quarantine_run_id or run_id)
        for target, entity in selected:
            if model_name(target, entity) not in built:
                continue
            for record in read_records(con, target, entity):
                conn = settings.connections.get(record.connection)
                reason = holds.get((record.model, record.record_key))
                if conn is None or not conn.enabled:
                    held.append(
                        RecordOutcome(
                            record, "skipped_guard", error=f"{record.describe()}: connection not configured"
                        )
                    )
                elif reason is not None:
                    held.append(
                        RecordOutcome(
                            record, "skipped_guard", error=f"{record.describe()}: quarantined ({reason})"
                        )
                    )
                elif (why := guard(record)) is not None:
                    held.append(RecordOutcome(record, "skipped_guard", error=why))
                else:
                    records.append(record)
        plan = PushPlan(
            run_id=run_id,
            records=records,
            held=held,
            max_changes=settings.push.max_changes_per_run,
            selected=[f"{t}.{e}" for t, e in selected],
        )
        log_outcomes(con, run_id, plan.outcomes())
    finally:
        con.close()
    plan.reports = _write_reports(settings, plan)
    return plan


# --------------------------------------------------------------------------------------------- writing
def _policy(conn: Connection) -> RetryPolicy:
    options = conn.options
    default = WRITE_POLICY
    return RetryPolicy(
        max_attempts=int(options.get("max_attempts", default.max_attempts)),
        backoff_seconds=float(options.get("backoff_seconds", default.backoff_seconds)),
        timeout_seconds=float(options.get("request_timeout", default.timeout_seconds)),
    )


def open_destination(conn: Connection) -> Any:
    """The destination writing to a connection (its URL, key, zone and push options)."""
    if not conn.url or not conn.api_key:
        raise ConfigError(f"connections.{conn.name}: url and api_key are required to push to it")
    extra = (
        {"concurrency": int(conn.options["push_concurrency"])} if "push_concurrency" in conn.options else {}
    )
    if conn.kind == "prestashop":
        from destinations.prestashop import PrestaShopDestination

        return PrestaShopDestination(
            connection=conn.name,
            base_url=conn.url,
            api_key=conn.api_key.get(),
            timezone=conn.timezone,
            policy=_policy(conn),
            **extra,
        )
    if conn.kind == "dolibarr":
        from destinations.dolibarr import DolibarrDestination

        return DolibarrDestination(
            connection=conn.name, base_url=conn.url, api_key=conn.api_key.get(), policy=_policy(conn), **extra
        )
    raise ConfigError(f"connections.{conn.name}: omnicanal cannot write to a {conn.kind} connection")


def execute_push(settings: Settings, plan: PushPlan, *, dry_run: bool) -> PushResult:
    """Write the plan's records, logging each outcome as its batch completes; nothing at all in a dry run.

    Args:
        settings: the resolved settings (connections, warehouse file).
        plan: the stored plan.
        dry_run: write nothing; the result shows the plan (`planned`, `skipped_guard`).

    Returns:
        One outcome per record; `writes` counts the records written.

    Raises:
        PushAborted: the plan exceeds `push.max_changes_per_run` (checked before any write).
    """
    started = time.perf_counter()
    if dry_run:
        return PushResult(plan, True, plan.outcomes(), seconds=time.perf_counter() - started)
    if plan.over_cap:
        raise PushAborted(plan.cap_message())
    outcomes: list[RecordOutcome] = list(plan.held)
    destinations: dict[str, Any] = {}
    groups: dict[tuple[str, str], list[SyncRecord]] = {}
    for record in plan.records:
        groups.setdefault((record.selector, record.connection), []).append(record)
    con = _connect(settings)
    try:
        for (selector, connection), records in groups.items():
            if connection not in destinations:
                destinations[connection] = open_destination(settings.connections[connection])
            done: list[RecordOutcome] = []
            with step(f"pushing {len(records)} {selector} record(s) to {connection}"):
                for batch in destinations[connection].write(records):
                    log_outcomes(con, plan.run_id, batch)
                    done += batch
            say(f"{selector} to {connection}: {_counts_line(Counter(o.status for o in done))}")
            outcomes += done
    finally:
        con.close()
        for destination in destinations.values():
            destination.close()
    return PushResult(
        plan,
        False,
        outcomes,
        calls={name: destination.calls for name, destination in destinations.items()},
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------------------------- confirming
def confirm_push(settings: Settings, result: PushResult) -> ConfirmResult:
    """Re-extract the connections written to, rebuild the sync models, and list written records still differing.

    A shop whose stock, prices or products were written is re-read with its sweep (stock rows and
    combinations move no timestamp: a new product brings a stock row, a variant's price is on its
    combination); so is the ERP when stock movements were booked (an order the
    channel had shipped itself). Imported orders and customers come back through the incremental read.
    """
    from flows.build import build_warehouse
    from flows.extract import extract_connection

    started = time.perf_counter()
    written = [o.record for o in result.outcomes if o.status == "written"]
    confirm = ConfirmResult(run_id=result.run_id, checked=len(written))
    if not written:
        return confirm
    sweeps: dict[str, bool] = {}
    for record in written:
        # stock rows and combinations move no timestamp: only a sweep sees them change
        moved_stock = record.entity in ("stock", "products", "prices") or bool(
            record.payload.get("shipped_by_channel")
        )
        sweeps[record.connection] = sweeps.get(record.connection, False) or moved_stock
    for name, sweep in sweeps.items():
        extracted = extract_connection(settings.connections[name], settings, sweep=sweep)
        confirm.extracted.append(extracted.render())
    confirm.extracted.append(build_warehouse(settings, select="+path:models/sync").render())
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        built = existing_models(con)
        remaining: dict[tuple[str, str], SyncRecord] = {}
        for model in {record.model for record in written}:
            if model in built:
                target, entity = model.removeprefix("sync_").split("__")
                remaining.update({(model, r.record_key): r for r in read_records(con, target, entity)})
    finally:
        con.close()
    for record in written:
        still = remaining.get((record.model, record.record_key))
        if still is not None:
            fields = "; ".join(f"{c.field} {c.before!r}, wanted {c.desired!r}" for c in still.changes)
            confirm.still_different.append(f"{record.selector} {record.record_key}: {fields}")
    confirm.seconds = time.perf_counter() - started
    return confirm


# --------------------------------------------------------------------------------------------- the flow
def _last_gated_run(settings: Settings) -> str | None:
    """The last sync run whose quality gate ran: its quarantine applies, and a blocked gate stops the push.

    None when no sync run has checked this warehouse (then nothing is quarantined).
    """
    con = _connect(settings)
    try:
        rows = con.execute(
            """
            select runs.run_id, runs.status,
                (select count(*) from audit.dq_results as dq
                 where dq.run_id = runs.run_id and dq.severity = 'blocking' and dq.success = false) as blocked
            from audit.runs as runs
            where runs.flow = 'sync'
                and exists (select 1 from audit.dq_results as dq where dq.run_id = runs.run_id)
            order by runs.started_at desc
            limit 1
            """
        ).fetchall()
    finally:
        con.close()
    if not rows:
        return None
    run_id, status, blocked = rows[0]
    if blocked or status == "blocked":
        raise PushAborted(
            f"the quality gate of the last sync run {run_id} blocked ({blocked} blocking check(s) failed or could "
            "not run): nothing is pushed until a sync run passes the gate"
        )
    return str(run_id)


@task(name="plan_push", cache_policy=NO_CACHE)
def plan_push_task(
    settings: Settings, run_id: str, only: list[str] | None, quarantine_run_id: str | None
) -> PushPlan:
    """Plan and store the push (reads the warehouse)."""
    return plan_push(settings, run_id, only=only, quarantine_run_id=quarantine_run_id)


# Not retried by Prefect: a retry is the next run, which plans again from fresh data.
@task(name="execute_push", cache_policy=NO_CACHE)
def execute_push_task(settings: Settings, plan: PushPlan, dry_run: bool) -> PushResult:
    """Write the plan through the destinations (I/O against the targets)."""
    return execute_push(settings, plan, dry_run=dry_run)


@task(name="confirm_push", cache_policy=NO_CACHE)
def confirm_push_task(settings: Settings, result: PushResult) -> ConfirmResult:
    """Re-extract what was written and rebuild the sync models."""
    return confirm_push(settings, result)


def run_push(settings: Settings, *, dry_run: bool, only: Sequence[str] | None = None) -> PushResult:
    """The body of the push flow on resolved settings: plan, print and publish the plan, write, confirm."""
    from flows.sync import current_run_id

    run_id = current_run_id()
    audit.start_run(settings.warehouse_path, run_id, "push", {"dry_run": dry_run, "only": list(only or [])})
    status, report = "failed", ""
    try:
        quarantine_run = _last_gated_run(settings)
        with step("planning the push"):
            plan = plan_push_task(settings, run_id, list(only) if only else None, quarantine_run)
        say(plan.render())
        create_markdown_artifact(key="push-plan", markdown=plan.markdown(), description="omnicanal push plan")
        result = execute_push_task(settings, plan, dry_run)
        report = result.markdown()
        if result.writes:
            with step("confirming the push (re-extract, rebuild the sync models)"):
                confirm = confirm_push_task(settings, result)
            say(confirm.render())
            report += "\n\n" + confirm.markdown()
        create_markdown_artifact(key="push-summary", markdown=report, description="omnicanal push outcome")
        status = "dry run" if dry_run else "completed"
        return result
    finally:
        audit.finish_run(settings.warehouse_path, run_id, status, report)


@flow(name="push", log_prints=True)
def push(
    config_file: str | None = None,
    data_dir: str | None = None,
    dry_run: bool = False,
    only: list[str] | None = None,
) -> PushResult:
    """Push the current warehouse's differences to the shops and the ERP.

    Args:
        config_file: the TOML configuration (default `.omnicanal/config.toml`).
        data_dir: where the warehouse and state live (default `data/`).
        dry_run: print, store and publish the plan; write nothing.
        only: entity selectors (`prestashop.stock`, `dolibarr.orders`...); all when empty.

    Returns:
        The outcome of every record.
    """
    from flows.guard import exclusive_run

    settings = load_settings(config_file, data_dir=data_dir)
    with exclusive_run(settings.merchant.name, settings.data_dir):
        return run_push(settings, dry_run=dry_run, only=only)
