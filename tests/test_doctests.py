"""Docstring examples are part of the documentation; they must keep working."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import linc

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(linc.__path__, "linc.") if not m.name.endswith(("cli", "__main__"))
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
