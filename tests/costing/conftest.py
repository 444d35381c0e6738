"""Fixtures of the costing tests."""

from __future__ import annotations

import pytest
from costing_builders import Dataset


@pytest.fixture
def dataset() -> Dataset:
    """An empty data set to fill row by row."""
    return Dataset()
