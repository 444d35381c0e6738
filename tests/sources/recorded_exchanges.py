"""The real exchanges recorded from PrestaShop 8.1.2 and Dolibarr 23.0.1, as vendored in tests/reference/recorded
(a verbatim copy of ../shared/reference/recorded, so a clean clone has them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parents[1] / "reference" / "recorded"


def exchange(system: str, name: str) -> dict[str, Any]:
    """One recorded exchange (`request`, `response`, `note`)."""
    path = RECORDED / system / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def body(system: str, name: str) -> Any:
    return exchange(system, name)["response"]["body"]
