"""What the gate found: one outcome per check, the quarantined keys, and the one-line and markdown summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

GateStatus = Literal["passed", "warned", "blocked", "error"]


@dataclass(frozen=True)
class CheckOutcome:
    """The outcome of one check: `success` is None when it did not run (off, not applicable, errored)."""

    suite: str
    expectation: str
    model: str
    severity: str
    success: bool | None
    observed_value: str | None = None
    failing_count: int | None = None
    sample_keys: tuple[str, ...] = ()
    error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.suite}.{self.expectation}"

    def describe(self) -> str:
        """`suite.check (12 rows, e.g. SKU-1, SKU-2)` or `suite.check: <error>`."""
        if self.error:
            return f"{self.label}: {self.error}"
        count = (
            f"{self.failing_count} row{'s' if self.failing_count != 1 else ''}" if self.failing_count else ""
        )
        sample = f"e.g. {', '.join(self.sample_keys[:3])}" if self.sample_keys else ""
        detail = ", ".join(part for part in (count, sample) if part) or (self.observed_value or "")
        return f"{self.label} ({detail})" if detail else self.label


@dataclass
class GateResult:
    """Every check's outcome for one run, and where to read more."""

    run_id: str
    outcomes: list[CheckOutcome] = field(default_factory=list)
    quarantined: dict[str, list[str]] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    data_docs: Path | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def blocking_failures(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if o.success is False and o.severity == "blocking" and not o.error]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if o.success is False and o.severity == "warning" and not o.error]

    @property
    def status(self) -> GateStatus:
        """`error` wins over `blocked`: a check that could not run never lets the push through."""
        if self.errors:
            return "error"
        if self.blocking_failures:
            return "blocked"
        return "warned" if self.warnings else "passed"

    @property
    def passed(self) -> bool:
        """True when the push may run (passed, or passed with warnings and their rows quarantined)."""
        return self.status in ("passed", "warned")

    @property
    def read_more(self) -> str:
        docs = f"Data Docs {self.data_docs / 'index.html'}; " if self.data_docs else ""
        return f"{docs}audit.dq_results and audit.quarantine where run_id = '{self.run_id}'"

    def render(self) -> str:
        """One line: the verdict, the counts, and the failed checks by name."""
        ran = sum(1 for o in self.outcomes if o.success is not None)
        held = sum(len(keys) for keys in self.quarantined.values())
        counts = f"{ran} checks, {len(self.warnings)} warnings, {held} rows quarantined"
        if self.status == "error":
            named = "; ".join(o.describe() for o in self.errors)
            return f"quality gate error ({counts}): {named}. See {self.read_more}"
        if self.status == "blocked":
            named = "; ".join(o.describe() for o in self.blocking_failures)
            return f"quality gate blocked ({counts}): {named}. See {self.read_more}"
        return f"quality gate {self.status}: {counts} in {self.seconds:.1f} s"

    def markdown(self) -> str:
        """The Prefect artifact: verdict, then every check that did not simply pass, then the quarantine."""
        lines = [f"## Data quality: {self.status}", "", self.render(), ""]
        notable = [o for o in self.outcomes if o.success is False or o.error]
        if notable:
            lines += [
                "| check | severity | model | failing rows | sample keys | observed / error |",
                "|---|---|---|---|---|---|",
            ]
            for o in notable:
                detail = (o.error or o.observed_value or "").replace("|", "\\|")
                keys = ", ".join(o.sample_keys[:5]).replace("|", "\\|")
                lines.append(
                    f"| {o.label} | {o.severity} | {o.model} | {o.failing_count or ''} | {keys} | {detail} |"
                )
            lines.append("")
        if self.quarantined:
            lines += ["Quarantined (not pushed):", ""]
            lines += [f"- {model}: {len(keys)} rows" for model, keys in sorted(self.quarantined.items())]
            lines.append("")
        lines.append(f"Read more: {self.read_more}")
        return "\n".join(lines)
