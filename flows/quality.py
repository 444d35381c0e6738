"""The quality gate as a Prefect task: run the suites, publish the summary artifact, stop the run if blocked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.config import Settings
from flows.errors import ConfigError, QualityGateBlocked

if TYPE_CHECKING:
    from expectations.result import GateResult

ARTIFACT_KEY = "data-quality"


class QualityGateError(QualityGateBlocked):
    """A check could not run (missing model or column, a metric GX could not compute): nothing is pushed."""


# Settings hold secrets: never hashed or cached (NO_CACHE). Not retried: a data failure does not heal by waiting.
@task(name="check_quality", cache_policy=NO_CACHE)
def check_quality(settings: Settings, run_id: str) -> GateResult:
    """Run the data-quality gate on the working warehouse, after the build and before any push.

    Args:
        settings: the resolved settings (warehouse path, `quality` severities and bounds, first day).
        run_id: the run the results and quarantined rows are recorded under.

    Returns:
        The gate result, when the push may go on (every check passed, or warning rows are quarantined).

    Raises:
        QualityGateBlocked: a blocking check failed; the message names the checks and where to read more.
        QualityGateError: a check could not run (it is never taken as passed).
        ConfigError: a `quality.severity` key names no known check, or an unknown severity.
    """
    from expectations.runner import GateConfigError, run_gate
    from expectations.suite import Bounds

    quality = settings.quality
    try:
        result = run_gate(
            settings.warehouse_path,
            run_id=run_id,
            severity=quality.severity,
            bounds=Bounds(
                margin_rate_min=quality.margin_rate_min,
                margin_rate_max=quality.margin_rate_max,
                row_count_drop_max=quality.row_count_drop_max,
            ),
            first_day=settings.merchant.first_day,
            data_docs_dir=quality.data_docs_dir,
        )
    except GateConfigError as exc:
        raise ConfigError(str(exc)) from exc
    publish_artifact(result)
    if result.status == "error":
        raise QualityGateError(result.render())
    if result.status == "blocked":
        raise QualityGateBlocked(result.render())
    return result


def publish_artifact(result: GateResult) -> None:
    """The markdown summary as a Prefect artifact, when running inside a flow or task run."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import FlowRunContext, TaskRunContext

    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        return  # called as plain code (tests, scripts): there is no run to attach the artifact to
    create_markdown_artifact(
        key=ARTIFACT_KEY, markdown=result.markdown(), description=f"data-quality gate: {result.status}"
    )
