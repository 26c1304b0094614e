"""Shared fixtures of the source reader tests: the fixture directory and small file writers."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3] / "data" / "sources"
RETRIEVED = "2026-01-05T10:00:00Z"


@pytest.fixture
def data() -> Path:
    """tests/data/sources."""
    return DATA
