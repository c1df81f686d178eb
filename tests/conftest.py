"""Shared test fixtures: where the benchmark data lives, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

requires_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"benchmark data not found at {SHARED_DATA} (it sits beside the repository in CI, not in a user's clone)",
)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"benchmark data not found at {SHARED_DATA}")
    return SHARED_DATA
