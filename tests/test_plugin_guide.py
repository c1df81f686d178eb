"""What the plugin documentation promises works as written: the README's stub, the drop-in
example from anywhere, and the example package in examples/ installed next to linc."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib

import pytest
from typer.testing import CliRunner

from linc import plugins
from linc.cli import app
from linc.errors import PluginError
from tests.test_plugins import ROOT, build_wheel, install, registry, venv_with_linc  # noqa: F401 - fixture

EXAMPLE = ROOT / "examples" / "linc-plugin-example"


def readme_stub() -> str:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    return next(b for b in blocks if '@prover("my-prover")' in b)


def test_the_readme_stub_works_as_copied(registry):
    (registry / "plugins" / "my_prover.py").write_text(readme_stub())
    proved = CliRunner().invoke(app, ["prove", "--prover", "my-prover", "-p", "P(a)", "-c", "P(a)", "--json"])
    assert proved.exit_code == 0, proved.stderr
    assert json.loads(proved.stdout)["label"] == "True"
    row = next(r for r in plugins.list_plugins() if r.name == "my-prover")
    assert row.usable and row.detail == "pure Python"


def test_a_drop_in_without_availability_is_not_called_built_in(registry):
    (registry / "plugins" / "bare.py").write_text(
        "from linc.plugins import prover\nfrom linc.proving import Label, Prover, ProverResult\n"
        "@prover('bare')\nclass Bare(Prover):\n    def _decide(self, premises, conclusion, timeout):\n"
        "        return ProverResult(Label.UNKNOWN, 'bare', 0.0)\n")
    row = next(r for r in plugins.list_plugins() if r.name == "bare")
    assert row.usable and "built in" not in row.detail and "assumed usable" in row.detail


def test_a_drop_in_that_fails_after_registering_is_not_known(registry):
    (registry / "plugins" / "half.py").write_text(
        "from linc.plugins import prover\nfrom linc.proving import Prover\n"
        "@prover('half')\nclass Half(Prover):\n    pass\nraise RuntimeError('broken after registering')\n")
    with pytest.raises(PluginError) as err:
        plugins.get_prover("nope")
    assert "half" not in str(err.value) and "z3" in str(err.value)
    with pytest.raises(PluginError, match="failed to load: RuntimeError: broken after registering"):
        plugins.get_prover("half")


def test_the_truth_table_example_runs_from_anywhere(tmp_path):
    doc = (ROOT / "plugins" / "truth_table.py").read_text(encoding="utf-8")
    command = next(line.strip() for line in doc.splitlines() if "linc prove" in line and "LINC_PLUGIN_PATH=" in line)
    assignment, *args = shlex.split(command.replace("/path/to/linc", str(ROOT)))
    variable, folder = assignment.split("=", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINC_")} | {variable: folder}
    assert args[0] == "linc"
    done = subprocess.run([sys.executable, "-m", "linc.cli", *args[1:], "--json"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["label"] == "True"


def test_the_example_package_installs_and_each_plugin_works(tmp_path):
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    package = EXAMPLE / "linc_plugin_example"
    files = {f"linc_plugin_example/{p.name}": p.read_text(encoding="utf-8") for p in package.glob("*.py")}
    python = venv_with_linc(tmp_path)
    install(python, build_wheel(tmp_path, meta["name"].replace("-", "_"), meta["version"], files, meta["entry-points"]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINC_")}

    def linc(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, "-m", "linc.cli", *args], capture_output=True, text=True, env=env, cwd=tmp_path)

    rows = {(r["kind"], r["name"]): r for r in json.loads(linc("plugins", "--json").stdout)}
    for key in (("prover", "lookup"), ("parser", "formulas"), ("dataset", "csv")):
        assert rows[key]["usable"] and rows[key]["source"].startswith("entry point"), rows.get(key)
    assert rows[("prover", "lookup")]["detail"].startswith("pure Python")
    proved = linc("prove", "--prover", "lookup", "-p", "-Big(bob)", "-c", "Big(bob)", "--json")
    assert json.loads(proved.stdout)["label"] == "False"
    evaluated = linc("eval", str(EXAMPLE / "problems.csv"), "--parser", "formulas", "--json", "--workers", "1")
    assert evaluated.returncode == 0, evaluated.stderr
    summary = json.loads(evaluated.stdout)
    assert (summary["labelled"], summary["correct"]) == (4, 4)
    with_lookup = json.loads(linc("eval", f"csv:{EXAMPLE / 'problems.csv'}", "--parser", "formulas", "--prover", "lookup", "--json").stdout)
    assert with_lookup["correct"] == 1 and with_lookup["unanswered"] == 3  # Unknown is no answer, never a wrong Uncertain


def test_the_guide_s_voting_policy_works_as_copied(registry):
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", guide, flags=re.S) if '@vote("unanimous")' in b)
    (registry / "plugins" / "unanimous.py").write_text(block)
    solved = CliRunner().invoke(app, ["solve", str(ROOT / "examples" / "proofwriter_bob.txt"), "--vote", "unanimous", "--json"])
    assert solved.exit_code == 0, solved.stderr
    assert json.loads(solved.stdout)["label"] == "True" and json.loads(solved.stdout)["policy"] == "unanimous"
