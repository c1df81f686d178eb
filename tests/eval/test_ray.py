"""The Ray executor on a small local Ray (2 CPUs, one per module): the same records as the local
executor, resume across executors, a stuck task cancelled, a rate limit kept across the cluster,
and no Ray process left behind."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace

import pytest

from linc.eval import EvalConfig, RunStore, evaluate, load_dataset
from tests.conftest import requires_data
from tests.eval.conftest import fol_problem, write_jsonl
from tests.eval.test_pacing import comparable
from tests.reliability.census import VARIABLE, Census

ray = pytest.importorskip("ray", reason="the Ray executor needs the ray extra: pip install 'linc[ray]'")

GRAMMAR = EvalConfig(parser="grammar", prover="z3", timeout=10.0)


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray with 2 CPUs; every process it starts carries a census tag, so that the
    teardown can check none of them outlives ``ray.shutdown``."""
    census = Census()
    before = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = census.tag  # only while Ray starts: its processes inherit it, ours do not
    try:
        ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="ERROR")
    finally:
        if before is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = before
    try:
        assert census.alive(), "the census does not see Ray's processes"
        yield ray
    finally:
        ray.shutdown()
        survivors = census.survivors(30.0)
        census.clean_up()
    assert not survivors, f"Ray processes outlived ray.shutdown: {survivors}"


@requires_data
def test_ray_gives_the_records_of_the_local_executor_on_40_proofwriter_problems(local_ray, shared_data):
    data = load_dataset(str(shared_data / "proofwriter" / "proofwriter-d5-owa-dev.json"), limit=40)
    local = evaluate(data, GRAMMAR, workers=2)
    seen: list[int] = []
    remote = evaluate(data, GRAMMAR, executor="ray", progress=lambda done, total, record: seen.append(done))
    assert [comparable(r) for r in remote.records] == [comparable(r) for r in local.records]
    assert seen == list(range(1, 41))  # the progress callback, as under the local executor


def test_a_run_resumes_under_either_executor(local_ray, tmp_path):
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", [fol_problem(i, ("True", "False", "Uncertain")[i % 3]) for i in range(9)])))
    config = EvalConfig(parser="gold", prover="z3")
    whole = evaluate(data, config, workers=1)
    for first, then in (("local", "ray"), ("ray", "local")):
        out = tmp_path / f"{first}-then-{then}"
        with RunStore(out, config.settings()) as store:
            evaluate(data.head(4), config, workers=1, store=store, executor=first)
        with RunStore(out, config.settings()) as store:
            resumed = evaluate(data, config, workers=1, store=store, executor=then)
        assert resumed.resumed == 4
        assert [comparable(r) for r in resumed.records] == [comparable(r) for r in whole.records]


def test_a_stuck_task_is_cancelled_and_recorded_unknown(local_ray, tmp_path):
    rows = [fol_problem(i) for i in range(3)]
    rows[1]["conclusion-FOL"] = "Hang(c1)"
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", rows)))
    config = EvalConfig(parser="evaltest-fol", prover="evaltest-hang", problem_limit=3.0)
    # the limit counts from when a task is sent, so first let the Ray workers start (seconds, here)
    warm = load_dataset(str(write_jsonl(tmp_path / "warm.jsonl", [fol_problem(i) for i in range(10, 14)])))
    assert [r["label"] for r in evaluate(warm, replace(config, problem_limit=120.0), executor="ray").records] == ["True"] * 4
    run = evaluate(data, config, executor="ray")
    assert [r["label"] for r in run.records] == ["True", "Unknown", "True"]
    assert "the Ray task was cancelled" in run.records[1]["verdict"]["reason"]


def test_without_ray_installed_the_executor_says_how_to_get_it(monkeypatch, tmp_path):
    from linc.errors import OptionError

    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", [fol_problem(0)])))
    with pytest.raises(OptionError, match=r"pip install 'linc\[ray\]'"):
        evaluate(data, EvalConfig(parser="gold", prover="z3"), executor="ray")


def test_a_rate_limit_holds_for_the_whole_cluster(local_ray, tmp_path):
    rows = [{"id": f"r{i}", "premises": [f"Item {i} is big."], "conclusion": f"Item {i} is big.", "label": "True",
             "generations": [f"TEXT:\tItem {i} is big.\nFOL:\tBig(item{i})\nTEXT:\tItem {i} is big.\nFOL:\tBig(item{i})"]}
            for i in range(12)]
    data = load_dataset(str(write_jsonl(tmp_path / "recorded.jsonl", rows)))
    config = EvalConfig(parser="replay", prover="z3", k=1, repair_rounds=0)
    assert [r["label"] for r in evaluate(data, config, executor="ray").records] == ["True"] * 12  # workers up
    start = time.monotonic()
    paced = evaluate(data, config, executor="ray", rate_limit=2.0)
    took = time.monotonic() - start
    assert [r["label"] for r in paced.records] == ["True"] * 12
    # 12 model requests, 2 a second from a bucket that starts empty, from two workers: the last one
    # starts 6 s after the run's bucket is made at the earliest (without the limit, this run takes
    # a fraction of a second)
    assert took >= 5.0
    # the run's bucket is gone; the next run without a limit does not wait for it
    assert [r["label"] for r in evaluate(data, config, executor="ray").records] == ["True"] * 12
