"""Check builders shared by the suites: keys, ISO currencies, dates within the merchant's calendar, bounds."""

from __future__ import annotations

from datetime import UTC, datetime, time

import great_expectations.expectations as gxe

from expectations.currencies import ISO_4217_CODES
from expectations.suite import Check, GateParams, HoldBack, Severity, Suite

# A well-formed address: local part of the RFC 5322 atom characters, a dotted domain of LDH labels.
EMAIL_REGEX = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def key_checks(key: tuple[str, ...], *, what: str) -> list[Check]:
    """The key is never null and identifies one row (blocking: a duplicate would be pushed or counted twice)."""
    not_null = [
        Check(
            f"{column}_not_null",
            gxe.ExpectColumnValuesToNotBeNull(column=column),
            "blocking",
            f"{what} without {column}",
        )
        for column in key
    ]
    unique = gxe.ExpectCompoundColumnsToBeUnique(column_list=list(key)) if len(key) > 1 else None
    return [
        *not_null,
        Check(
            "key_unique",
            unique or gxe.ExpectColumnValuesToBeUnique(column=key[0]),
            "blocking",
            f"two {what} rows share the key ({', '.join(key)})",
        ),
    ]


def currency_check(column: str, *, what: str, severity: Severity = "blocking") -> Check:
    """The currency is an ISO 4217 code in circulation (an unknown code cannot be converted to EUR)."""
    return Check(
        f"{column}_iso_4217",
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(ISO_4217_CODES)),
        severity,
        f"{what} in a currency that is not an ISO 4217 code",
    )


def not_in_future(
    column: str, params: GateParams, *, what: str, holds_back: tuple[HoldBack, ...] = ()
) -> Check:
    """A timestamp is not later than the start of the run (a clock or time-zone error upstream)."""
    return Check(
        f"{column}_not_in_future",
        gxe.ExpectColumnValuesToBeBetween(column=column, max_value=params.now.astimezone(UTC)),
        "warning",
        f"{what} dated after the run started",
        holds_back,
    )


def not_before_first_day(
    column: str, params: GateParams, *, what: str, holds_back: tuple[HoldBack, ...] = ()
) -> Check:
    """A merchant-local date or wall-clock time is not before the merchant's first day (skipped if none is set)."""
    expectation = None
    if params.first_day is not None:
        # DuckDB dates and local timestamps both reach pandas as naive datetime64: compare with midnight
        first = datetime.combine(params.first_day, time.min)
        expectation = gxe.ExpectColumnValuesToBeBetween(column=column, min_value=first)
    return Check(
        f"{column}_not_before_first_day",
        expectation,
        "warning",
        f"{what} dated before the merchant's first day ({params.first_day})",
        holds_back,
    )


def sync_suite(model: str, checks: list[Check], *, query: str | None = None) -> Suite:
    """A suite on a sync model: its contract key, then its own checks.

    Sync models exist only when their target is configured (optional), and their row count is the number of
    differences to push, which rightly falls to zero (no row-count check). Failing rows of a warning check
    are quarantined under the model's name and `record_key`, which is what the push skips.
    """
    key_checks = [
        Check(
            "record_key_not_null",
            gxe.ExpectColumnValuesToNotBeNull(column="record_key"),
            "blocking",
            "sync row without a record key",
        ),
        Check(
            "key_unique",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["record_key", "field"]),
            "blocking",
            "two sync rows write the same field of the same record",
        ),
    ]
    return Suite(
        name=model,
        schema="sync",
        model=model,
        key=("record_key",),
        checks=[*key_checks, *checks],
        query=query,
        required=False,
        track_row_count=False,
    )
