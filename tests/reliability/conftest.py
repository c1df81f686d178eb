"""Reliability fixtures: a process census per test, cleaned up whatever the test's outcome."""

from __future__ import annotations

import sys

import pytest

from tests.reliability.census import Census


@pytest.fixture
def census():
    if not sys.platform.startswith("linux"):
        pytest.skip("the process census reads /proc (Linux)")
    taken = Census()
    yield taken
    taken.clean_up()
