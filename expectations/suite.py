"""What a suite is: the guarded model, how its rows are read and keyed, and its named checks with a severity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from great_expectations.expectations.expectation import Expectation

Severity = Literal["blocking", "warning", "off"]
SEVERITIES: tuple[str, ...] = ("blocking", "warning", "off")


@dataclass(frozen=True)
class Bounds:
    """The merchant's numeric bounds (from `QualitySettings`), handed to the suites as plain values."""

    margin_rate_min: float = -0.5
    margin_rate_max: float = 0.95
    row_count_drop_max: float = 0.5


@dataclass(frozen=True)
class GateParams:
    """Everything a suite's checks depend on besides the data: bounds, the merchant's first day, now."""

    bounds: Bounds
    first_day: date | None
    now: datetime


@dataclass(frozen=True)
class HoldBack:
    """Rows of a sync model to quarantine when a warning check fails: those sharing a value with a failing row.

    `model` is the sync model's table name (the push reads `audit.quarantine` by that name and its
    `record_key` column); `column` is read from the failing rows, `match` (default the same name) in the
    sync model.
    """

    model: str
    column: str
    match: str | None = None

    @property
    def match_column(self) -> str:
        return self.match or self.column


@dataclass(frozen=True)
class Check:
    """One named expectation of a suite, with its default severity and the reason shown for failing rows.

    `expectation` is None when the check does not apply with this run's parameters (for example no first
    day configured); it is then recorded as skipped.
    """

    name: str
    expectation: Expectation | None
    severity: Severity
    reason: str
    holds_back: tuple[HoldBack, ...] = ()


@dataclass(frozen=True)
class Suite:
    """The checks guarding one model.

    Args:
        name: the suite name, first half of a severity key `"<suite>.<check>"`.
        schema: the DuckDB schema of the model.
        model: the model (table or view) name.
        key: the columns whose values, joined with `|`, form the record key of a row.
        checks: the named checks.
        query: the SQL that reads the rows (selects the model's columns and any helper column a check
            needs, e.g. whether a SKU is known to the ERP); defaults to every column of the model.
        required: a missing required model is an error; an optional one (a system's staging model, a
            sync model of a target that is not configured) is skipped.
        track_row_count: compare the row count with the last run let through (not for sync models, whose
            row count is the number of differences and may rightly fall to zero).
    """

    name: str
    schema: str
    model: str
    key: tuple[str, ...]
    checks: list[Check] = field(default_factory=list)
    query: str | None = None
    required: bool = True
    track_row_count: bool = True

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.model}"

    def sql(self) -> str:
        return self.query or f"select * from {self.relation}"  # noqa: S608 - names from code, not input
