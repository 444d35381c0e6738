"""Errors the CLI turns into a one-line reason and a non-zero exit code."""


class OmnicanalError(Exception):
    """Base of every error omnicanal reports to a person; the message is the one-line reason."""

    exit_code = 1


class ConfigError(OmnicanalError):
    """The configuration is missing, malformed or inconsistent."""

    exit_code = 2


class QualityGateBlocked(OmnicanalError):
    """A blocking data-quality check failed: nothing is pushed."""

    exit_code = 3


class PushAborted(OmnicanalError):
    """The push refused to run (a guard tripped) or failed as a whole."""

    exit_code = 4


def one_line_reason(exc: BaseException) -> str:
    """The most useful single line for an exception, looking through library wrappers (dlt, Prefect)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    best = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OmnicanalError):
            best = current
            break
        best = current
        nxt = getattr(current, "exception", None)  # dlt PipelineStepFailed keeps the cause here
        current = nxt if isinstance(nxt, BaseException) else (current.__cause__ or current.__context__)
    text = " ".join(str(best).split()) or type(best).__name__
    if not isinstance(best, OmnicanalError):
        text = f"{type(best).__name__}: {text}"
    return text if len(text) <= 400 else text[:397] + "..."
