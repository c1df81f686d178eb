"""Evaluation at the provider's pace (--concurrency): same records as the worker pool, rate limits
retried without failing a problem, usage and cost in the summary, stuck and dying provers."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from linc import plugins
from linc.cli import app
from linc.eval import EvalConfig, RunStore, evaluate, load_dataset, summarise
from linc.eval.cost import Prices
from tests.conftest import requires_data
from tests.eval.conftest import fol_problem, write_jsonl

FOL = EvalConfig(parser="evaltest-fol", prover="z3", timeout=5.0)


def comparable(record: dict) -> dict:
    """A record without its timings (the only part that differs from run to run)."""
    verdict = {k: v for k, v in record["verdict"].items() if k != "timings"}
    verdict["votes"] = [{k: v for k, v in vote.items() if k != "seconds"} for vote in verdict["votes"]]
    return {**{k: v for k, v in record.items() if k != "seconds"}, "verdict": verdict}


def test_paced_and_pooled_runs_give_the_same_records(small_jsonl):
    data = load_dataset(str(small_jsonl))
    pooled = evaluate(data, FOL, workers=2)
    paced = evaluate(data, FOL, workers=2, concurrency=8)
    assert [comparable(r) for r in paced.records] == [comparable(r) for r in pooled.records]


@requires_data
def test_paced_replay_matches_the_pool_on_recorded_gpt35_outputs(shared_data):
    path = shared_data / "linc-recorded" / "gpt-3.5-turbo-16k-0613_folio-neurosymbolic-8shot.jsonl"
    data = load_dataset(str(path), limit=24)
    config = EvalConfig(parser="replay", prover="z3", k=10)
    pooled = evaluate(data, config, workers=2)
    paced = evaluate(data, config, workers=2, concurrency=16, rate_limit=1000.0)
    assert [comparable(r) for r in paced.records] == [comparable(r) for r in pooled.records]
    usage = summarise(paced.records).usage
    assert usage["calls"] == 24 and usage["estimated"] == 24 and usage["input_tokens"] > 24 * 1000


def rate_limited_model() -> type:
    """The fake chat model class behind the ``evaltest-ratelimited`` parser (with its counters)."""
    return plugins.lookup("parser", "evaltest-ratelimited").model_class


def test_rate_limited_calls_are_retried_and_every_problem_is_answered(tmp_path):
    RateLimited = rate_limited_model()
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", [fol_problem(i) for i in range(12)])))
    before = RateLimited.raised, RateLimited.answered
    run = evaluate(data, EvalConfig(parser="evaltest-ratelimited", prover="z3", k=3, repair_rounds=0), workers=1, concurrency=4)
    raised, answered = RateLimited.raised - before[0], RateLimited.answered - before[1]
    assert [r["label"] for r in run.records] == ["True"] * 12
    summary = summarise(run.records)
    assert raised >= 12 and summary.usage["retries"] == raised  # every third call failed with a 429
    assert summary.usage["calls"] == answered == 36 and summary.usage["failed"] == 0


def test_a_stuck_or_dying_prover_costs_one_vote_and_the_pool_goes_on(tmp_path):
    rows = [fol_problem(i) for i in range(5)]
    rows[1]["conclusion-FOL"] = "Hang(c1)"
    rows[3]["conclusion-FOL"] = "Die(c3)"
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", rows)))
    run = evaluate(data, EvalConfig(parser="evaltest-fol", prover="evaltest-hang", problem_limit=1.5), workers=1, concurrency=4)
    labels = [r["label"] for r in run.records]
    assert labels == ["True", "Unknown", "True", "Error", "True"]
    assert run.records[3]["verdict"]["votes"][0]["error"] == "ProverError: the worker process died (exit code 3)"


def test_usage_and_cost_are_summed_from_the_records_so_a_resumed_run_keeps_them(tmp_path):
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", [fol_problem(i) for i in range(6)])))
    config = EvalConfig(parser="evaltest-ratelimited", prover="z3", k=2, repair_rounds=0)
    with RunStore(tmp_path / "out", config.settings()) as store:
        evaluate(data.head(2), config, workers=1, store=store)
    with RunStore(tmp_path / "out", config.settings()) as store:
        resumed = evaluate(data, config, workers=1, store=store, concurrency=3)
    summary = summarise(resumed.records, prices=Prices.parse("in=2,out=10"))
    assert resumed.resumed == 2 and summary.usage["calls"] == 12
    tokens_in, tokens_out = summary.usage["input_tokens"], summary.usage["output_tokens"]
    assert summary.cost["total"] == pytest.approx((2 * tokens_in + 10 * tokens_out) / 1e6, abs=1e-6)
    assert summary.cost["estimated"] is False  # the fake model reports no tokens; nothing was estimated


@requires_data
def test_cli_prints_usage_and_cost_and_refuses_bad_settings(shared_data, tmp_path):
    path = str(shared_data / "linc-recorded" / "gpt-3.5-turbo-16k-0613_folio-neurosymbolic-1shot.jsonl")
    runner = CliRunner()
    done = runner.invoke(app, ["eval", path, "--parser", "replay", "--limit", "4", "--concurrency", "4", "--workers", "1",
                               "--parser-option", "latency=0.01", "--price", "in=0.5,out=1.5", "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["usage"]["calls"] == 4 and summary["usage"]["estimated"] == 4
    assert summary["cost"]["usd_per_million"] == {"in": 0.5, "out": 1.5} and summary["cost"]["total"] > 0
    assert "latency" not in json.dumps(summary["settings"]) or summary["settings"]["parser_options"]["latency"] == 0.01
    prices = tmp_path / "prices.json"
    prices.write_text('{"in": 1, "out": 2}')
    shown = runner.invoke(app, ["eval", path, "--parser", "replay", "--limit", "2", "--workers", "1", "--price", str(prices)])
    assert shown.exit_code == 0 and "cost" in shown.stdout and "estimated by the model" in shown.stdout
    for flags, message in ((["--price", "in=1"], "both prices"), (["--price", "in=x,out=1"], "--price wants"),
                           (["--rate-limit", "0"], "--rate-limit must be a positive number of requests per second"),
                           (["--concurrency", "0"], "--concurrency must be a whole number"),
                           (["--ray-address", "auto"], "--ray-address needs --executor ray"),
                           (["--executor", "ray", "--concurrency", "4"], "--concurrency paces the local executor"),
                           (["--executor", "slurm"], "--executor must be one of local, ray")):
        bad = runner.invoke(app, ["eval", path, "--parser", "replay", "--limit", "1", *flags])
        assert bad.exit_code == 2 and message in bad.output, (flags, bad.output)


def test_the_api_refuses_a_pace_that_cannot_be_kept(small_jsonl):
    from linc.errors import OptionError

    data = load_dataset(str(small_jsonl))
    with pytest.raises(OptionError, match="--concurrency must be a whole number of at least 1"):
        evaluate(data, FOL, concurrency=0)
    with pytest.raises(OptionError, match="--rate-limit must be a positive number of requests per second"):
        evaluate(data, FOL, rate_limit=-2.0)


def test_the_clusters_bucket_keeps_the_rate_of_a_local_run():
    from linc.eval.ray_tasks import Bucket

    bucket = Bucket(2.0)
    assert bucket.take(blocking=False) is False  # it starts empty, as a local run's limiter does
    bucket.limiter.last -= 0.5  # half a second passes
    assert bucket.take(blocking=False) is True and bucket.take(blocking=False) is False  # one every 1/rate seconds
    bucket.limiter.last -= 10.0  # idle: the bucket fills up to a second's worth, no further
    assert [bucket.take(blocking=False) for _ in range(3)] == [True, True, False]
