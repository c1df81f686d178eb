"""Offline, a Hub dataset name fails at once and says what to do (no half-minute of retries)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("offline_env", [{"HF_ENDPOINT": "http://127.0.0.1:9"}, {"HF_HUB_OFFLINE": "1"}])
def test_an_unreachable_hub_is_one_clear_line(tmp_path, offline_env):
    pytest.importorskip("datasets", reason="the hub extra (datasets) is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "LINC_"))}
    env.update(offline_env, HF_HOME=str(tmp_path / "hf"))  # an empty cache
    done = subprocess.run([sys.executable, "-m", "linc.cli", "eval", "proofwriter", "--limit", "1"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("linc: error: DatasetError: cannot load tasksource/proofwriter@main [validation]: ")
    assert "not in the local cache" in line and "linc eval FILE.jsonl (README: Getting the data)" in line
    if "HF_ENDPOINT" in offline_env:
        assert "the Hugging Face Hub cannot be reached (127.0.0.1:9: Connection refused)" in line
