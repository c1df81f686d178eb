"""The README's Python examples run as a new user copies them (the ones that need no model
provider: the plugin stub is run by tests/test_plugin_guide.py)."""

from __future__ import annotations

import re
import runpy

import pytest

from tests.test_plugins import ROOT

FIRST_LINES = ("from linc.reasoning import Reasoner", "from linc.kg import KnowledgeGraph")


def python_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    return [b for b in blocks if b.startswith(FIRST_LINES)]


def test_the_examples_are_found():
    assert sorted(b.splitlines()[0] for b in python_blocks()) == sorted(FIRST_LINES)


@pytest.mark.parametrize("block", python_blocks(), ids=lambda b: b.splitlines()[0].split()[1])
def test_a_readme_example_runs_as_copied(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")
