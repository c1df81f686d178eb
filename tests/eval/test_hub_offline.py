"""Offline, a Hub dataset name fails at once and says what to do (no half-minute of retries)."""

from __future__ import annotations

import json
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


COMMIT = "0123456789abcdef0123456789abcdef01234567"


def cache_proofwriter(home) -> None:
    """``tasksource/proofwriter`` at commit :data:`COMMIT` in the ``datasets`` cache under ``home``
    (``$HF_HOME``), written with ``datasets``' own writer where it keeps a Hub download."""
    datasets = pytest.importorskip("datasets", reason="the hub extra (datasets) is not installed")
    from datasets.arrow_writer import ArrowWriter

    folder = home / "datasets" / "tasksource___proofwriter" / "default" / "0.0.0" / COMMIT
    folder.mkdir(parents=True)
    rows = [{"id": f"pw{i}", "theory": "Bob is big. Bob is red.", "question": question, "answer": answer, "QDep": i}
            for i, (question, answer) in enumerate([("Bob is big.", "True"), ("Bob is not red.", "False")])]
    features = datasets.Features({"id": datasets.Value("string"), "theory": datasets.Value("string"), "question": datasets.Value("string"),
                                  "answer": datasets.Value("string"), "QDep": datasets.Value("int64")})
    with ArrowWriter(features=features, path=str(folder / "proofwriter-validation.arrow")) as writer:
        for row in rows:
            writer.write(row)
        count, _ = writer.finalize()
    split = datasets.SplitInfo(name="validation", num_examples=count, dataset_name="proofwriter")
    datasets.DatasetInfo(features=features, config_name="default", dataset_name="proofwriter",
                         splits=datasets.SplitDict({"validation": split})).write_to_directory(str(folder))


def test_a_hub_run_records_the_commit_and_a_revision_can_be_pinned(tmp_path):
    """The Hub datasets were asked for at ``main`` and recorded so: a run did not say which rows it
    evaluated. The source now names the commit (summary and run.json), ``NAME@REVISION`` pins one,
    and offline, where ``datasets`` serves its cached copy whatever revision is asked, a commit
    other than the cached one is refused instead of silently replaced."""
    cache_proofwriter(tmp_path / "hf")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "LINC_"))}
    env.update(HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"))

    def linc_eval(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "linc.cli", "eval", *args, "--workers", "1", "--json"],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)

    where = f"tasksource/proofwriter@{COMMIT} [validation]"
    done = linc_eval("proofwriter", "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["dataset"] == where and summary["correct"] == 2
    assert COMMIT in json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["dataset"]
    pinned = linc_eval(f"proofwriter@{COMMIT}:validation")
    assert pinned.returncode == 0, pinned.stderr
    assert json.loads(pinned.stdout)["dataset"] == where
    other = "f" * 40
    refused = linc_eval(f"proofwriter@{other}")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip().splitlines()[-1] == (
        f"linc: error: DatasetError: cannot load tasksource/proofwriter@{other} [validation]: offline, the local cache holds "
        f"tasksource/proofwriter at commit {COMMIT} only; run once online to fetch {other}, or leave the revision out to use the cached one")
