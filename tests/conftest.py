"""Shared test fixtures: where the benchmark data lives, and a skip when it is absent."""

from __future__ import annotations

import os
import shutil
import tempfile
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


_CACHE_DIR: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Tests (and the linc processes they start) keep their caches (LLM calls, grammar readings)
    in a directory of their own, never in the user's cache directory."""
    global _CACHE_DIR
    if "LINC_CACHE_DIR" not in os.environ:
        _CACHE_DIR = tempfile.mkdtemp(prefix="linc-test-cache-")
        os.environ["LINC_CACHE_DIR"] = _CACHE_DIR


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CACHE_DIR is not None:
        os.environ.pop("LINC_CACHE_DIR", None)
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)
