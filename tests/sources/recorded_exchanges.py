"""The real exchanges recorded from PrestaShop 8.1.2 and Dolibarr 23.0.1 (../shared/reference/recorded)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

RECORDED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "recorded"


def exchange(system: str, name: str) -> dict[str, Any]:
    """One recorded exchange (`request`, `response`, `note`); skips when the reference folder is absent."""
    path = RECORDED / system / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"recorded exchange {path} is not available")
    return json.loads(path.read_text(encoding="utf-8"))


def body(system: str, name: str) -> Any:
    return exchange(system, name)["response"]["body"]
