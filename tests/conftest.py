"""Session-wide test settings: Prefect and dlt write into temporary folders, never into the user's home."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SESSION_TMP = Path(tempfile.mkdtemp(prefix="omnicanal-tests-"))
os.environ.setdefault("PREFECT_HOME", str(_SESSION_TMP / "prefect"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")  # dlt
os.environ.setdefault("DLT_DATA_DIR", str(_SESSION_TMP / "dlt"))
os.environ.pop("OMNICANAL_DATA_DIR", None)
for _key in [k for k in os.environ if k.startswith("OMNICANAL__")]:
    del os.environ[_key]

# Shared fixtures any test folder may use (a sandbox world extracted and built once per session).
pytest_plugins = ["fixtures_warehouse"]
