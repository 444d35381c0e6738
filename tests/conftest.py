"""Session-wide test settings (Prefect and dlt write into temporary folders, never into the user's home) and
fixtures any folder may use: `closed_port`, and the built warehouse of `fixtures_warehouse`."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

_SESSION_TMP = Path(tempfile.mkdtemp(prefix="omnicanal-tests-"))
os.environ.setdefault("PREFECT_HOME", str(_SESSION_TMP / "prefect"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")  # dlt
os.environ.setdefault("DLT_DATA_DIR", str(_SESSION_TMP / "dlt"))
os.environ.pop("OMNICANAL_DATA_DIR", None)
for _key in [k for k in os.environ if k.startswith("OMNICANAL__")]:
    del os.environ[_key]


@pytest.fixture
def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on (bound, then released): a server that cannot be reached."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Shared fixtures any test folder may use (a sandbox world extracted and built once per session).
pytest_plugins = ["fixtures_warehouse"]
