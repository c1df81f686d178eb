"""Prover workers run isolated from the user's directory, and whatever a worker prints, its
parent answers with a typed error or an outcome, never a stray exception."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linc import plugins
from linc.errors import ProverError
from linc.logic.read import parse
from linc.proving import Label
from linc_provers import _worker
from linc_provers._process import Completed
from linc_provers.portfolio import Portfolio

ROOT = Path(__file__).resolve().parents[2]


def hostile(folder: Path, marker: Path) -> None:
    """Packages named like ours whose every module records that it ran, then exits quietly (an
    empty answer is what made the portfolio's EOFError escape)."""
    for package in ("linc_provers", "provers"):
        (folder / package).mkdir()
        for module in ("__init__.py", "_worker.py"):
            (folder / package / module).write_text(
                f"import pathlib, sys\npathlib.Path({str(marker)!r}).write_text({package!r})\nsys.exit(0)\n")


@pytest.mark.parametrize("backend", ["sympy", "portfolio"])
def test_worker_runs_no_code_from_the_current_directory(tmp_path, backend):
    here = tmp_path / "project"
    here.mkdir()
    marker = tmp_path / "ran"
    hostile(here, marker)
    # `linc` as installed: its own directory, not the current one, is on the parent's sys.path.
    argv = [sys.executable, "-P", "-m", "linc.cli", "prove", "-p", "P(a)", "-c", "P(a)", "--prover", backend, "--timeout", "30"]
    done = subprocess.run(argv, cwd=here, capture_output=True, text=True, timeout=120)
    assert not marker.exists(), f"code from the current directory ran: {marker.read_text()}"
    assert "Traceback" not in done.stderr and "Aborted" not in done.stderr + done.stdout
    assert done.returncode == 0 and done.stdout.startswith("True"), done.stdout + done.stderr


@pytest.mark.parametrize("printed", [b"", b"garbage", pickle.dumps(42), pickle.dumps(("ok",)), pickle.dumps(("maybe", 1))],
                         ids=["nothing", "garbage", "not-a-tuple", "short", "unknown-status"])
def test_an_unreadable_worker_answer_is_a_prover_error(printed):
    with pytest.raises(ProverError, match="no readable answer"):
        _worker.result(Completed(0, printed, b"", 0.1))


@pytest.fixture
def drop_in(tmp_path, monkeypatch):
    """The example truth-table plugin, dropped into ./plugins of a fresh current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LINC_PLUGIN_PATH", raising=False)
    (tmp_path / "plugins").mkdir()
    shutil.copy(ROOT / "plugins" / "truth_table.py", tmp_path / "plugins" / "truth_table.py")
    plugins.reload()
    yield
    monkeypatch.undo()
    plugins.reload()


def test_workers_find_the_drop_in_plugins_of_the_current_directory(drop_in):
    # The member runs in a worker whose own directory is private: it must be told where ./plugins is.
    result = Portfolio(members=("truth-table",)).decide([parse("p -> q"), parse("p")], parse("q"), timeout=30)
    assert result.label is Label.TRUE, result.reason
    assert result.details["winner"] == "truth-table"
