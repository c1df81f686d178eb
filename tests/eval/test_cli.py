"""`linc eval` from the outside: JSON output, files written, bad input, and a SIGKILL + resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from linc.cli import app
from tests.eval.conftest import fol_problem, write_jsonl

KEYS = ("labelled", "correct", "accuracy", "unanswered", "confusion", "per_label")


def run(*args: str):
    return CliRunner().invoke(app, ["eval", *args])


def test_json_is_one_object_with_the_figures(small_jsonl):
    result = run(str(small_jsonl), "--parser", "evaltest-fol", "--json", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"labelled", "correct", "accuracy", "unanswered", "seconds", "confusion", "linc_version", "created"} <= set(summary)
    assert "n" not in summary and "errors" not in summary  # one name per figure
    assert (summary["labelled"], summary["correct"], summary["unanswered"]) == (6, 5, 0)
    assert summary["confusion"]["False"]["True"] == 1
    assert summary["vote"] == "proof-first" and summary["semantics"] == "classical"
    assert summary["tiers"]["clean"]["votes"] == 6


def test_the_plugins_load_with_the_collector_paused_and_it_runs_again_after(small_jsonl, monkeypatch):
    import gc

    import linc.eval.command as command

    seen = []
    real = command.choose_config
    monkeypatch.setattr(command, "choose_config", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    assert run(str(small_jsonl), "--parser", "evaltest-fol", "--json", "--workers", "1").exit_code == 0
    assert seen == [False] and gc.isenabled()


def test_the_whole_command_runs_at_the_run_thresholds_of_the_collector(small_jsonl, monkeypatch):
    """Reading the data and loading the plugins too, so that what they make is not walked by
    collections before the run starts; the caller's thresholds are back afterwards."""
    import gc

    import linc.eval.command as command
    from linc.eval.runner import RUN_THRESHOLDS

    seen = []
    real = command.load_dataset
    monkeypatch.setattr(command, "load_dataset", lambda *a, **k: seen.append(gc.get_threshold()) or real(*a, **k))
    before = gc.get_threshold()
    assert run(str(small_jsonl), "--parser", "evaltest-fol", "--json", "--workers", "1").exit_code == 0
    assert seen == [RUN_THRESHOLDS] and gc.get_threshold() == before


def test_vote_policy_is_chosen_by_name_and_checked_before_any_work(small_jsonl):
    result = run(str(small_jsonl), "--parser", "evaltest-fol", "--json", "--workers", "1", "--vote", "majority")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["vote"] == "majority"
    result = run(str(small_jsonl), "--parser", "evaltest-fol", "--vote", "nope")
    assert result.exit_code == 2 and "unknown vote 'nope'" in result.stderr


def test_table_output_and_out_dir_with_plots(tmp_path):
    rows = [fol_problem(i, depth=i % 3) for i in range(6)]
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    out = tmp_path / "out"
    result = run(str(data), "--parser", "evaltest-fol", "--out", str(out), "--plot", "--workers", "2")
    assert result.exit_code == 0, result.stderr
    assert "accuracy" in result.stdout and "confusion" in result.stdout
    assert len((out / "problems.jsonl").read_text().splitlines()) == 6
    assert json.loads((out / "summary.json").read_text())["accuracy"] == 1.0
    assert (out / "confusion.png").stat().st_size > 0 and (out / "accuracy_by_depth.png").stat().st_size > 0


def test_malformed_line_is_reported_and_the_rest_evaluated(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [fol_problem(0), "{oops", fol_problem(2)])
    result = run(str(data), "--parser", "evaltest-fol", "--json", "--workers", "1")
    assert result.exit_code == 0
    assert "line 2" in result.stderr and "not JSON" in result.stderr
    assert json.loads(result.stdout)["labelled"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl"], "no such file"),
        (["no-such-dataset"], "known: folio, proofwriter"),
        (["{data}", "--parser", "evaltest-fol", "--prover", "nope"], "unknown prover 'nope'; known: "),
        (["{data}", "--parser", "nope"], "unknown parser 'nope'; known: "),
        (["{data}", "--prover-option", "novalue"], "KEY=VALUE"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, args, message):
    data = write_jsonl(tmp_path / "d.jsonl", [fol_problem(0)])
    result = run(*[a.replace("{data}", str(data)) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_gold_and_replay_need_their_fields(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"premises": ["Bob is big."], "conclusion": "Bob is big."}])
    assert "needs gold FOL" in run(str(data), "--parser", "gold").stderr
    assert "needs recorded 'generations'" in run(str(data), "--parser", "replay").stderr


def _summary(stdout: str) -> dict:
    summary = json.loads(stdout)
    return {k: summary[k] for k in KEYS}


def test_sigkill_halfway_then_resume_gives_the_uninterrupted_numbers(tmp_path):
    rows = [fol_problem(i, ("True", "False", "Uncertain")[i % 3], gold=("True", "True", "Uncertain")[i % 3], sleep=0.1) for i in range(30)]
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    linc = [sys.executable, "-m", "linc.cli", "eval", str(data), "--parser", "evaltest-fol", "--workers", "2", "--json"]
    whole = subprocess.run([*linc, "--out", str(tmp_path / "whole")], capture_output=True, text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "killed"
    records = out / "problems.jsonl"
    proc = subprocess.Popen([*linc, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if records.exists() and len(records.read_bytes().splitlines()) >= 10:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = len(records.read_bytes().splitlines())
    assert 10 <= kept < 30, "the run was not killed halfway"

    resumed = subprocess.run([*linc, "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["resumed"] >= 10
    assert _summary(resumed.stdout) == _summary(whole.stdout)
    ids = [json.loads(line)["id"] for line in records.read_text().splitlines()]
    assert sorted(ids) == sorted(f"p{i}" for i in range(30))


@pytest.mark.parametrize("terminal", [True, False])
def test_the_progress_bar_is_drawn_on_a_terminal_only(small_jsonl, monkeypatch, terminal):
    """Elsewhere a refresh shows nothing, and building the bar for it cost the parent CPU (and
    its imports, the measured time of a short run)."""
    import io

    from rich.console import Console
    from rich.progress import Progress

    from linc.eval import EvalConfig, command, load_dataset

    refreshes, during, built = [], [], []
    monkeypatch.setattr(Progress, "refresh", lambda self: refreshes.append(1))
    enter = Progress.__enter__
    monkeypatch.setattr(Progress, "__enter__", lambda self: built.append(1) or enter(self))
    evaluate = command.evaluate

    def counted(*args, **kwargs):  # the refreshes of the run itself, not the bar's own start and stop
        before = len(refreshes)
        run = evaluate(*args, **kwargs)
        during.append(len(refreshes) - before)
        return run

    monkeypatch.setattr(command, "evaluate", counted)
    console = Console(file=io.StringIO(), force_terminal=terminal)
    run = command._run_with_progress(load_dataset(str(small_jsonl)), EvalConfig(parser="evaltest-fol"), 1, None, console, command.Scale())
    assert len(run.records) == 6
    assert (during[0] > 0) is terminal
    assert bool(built) is terminal  # elsewhere not even built (nor rich.progress imported for it)


IMPORTED = """
import json, sys
from linc.cli import app
try:
    app(sys.argv[1:])
except SystemExit as stop:
    assert not stop.code, stop.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize("judged", [True, False])
def test_a_gold_run_imports_no_langchain_and_the_judge_only_when_it_judges(small_jsonl, judged):
    """Imports are most of a short run's cost: the gold parser needs no LangChain, and a run
    that does not judge translations needs neither Z3's equivalence search nor, with another
    prover than z3, Z3 itself."""
    argv = [str(small_jsonl), "--parser", "gold", "--prover", "resolution", "--workers", "1", "--json", *([] if judged else ["--no-translation"])]
    env = {**os.environ, "LINC_PLUGIN_PATH": ""}  # no test plugins: they are LLM parsers
    done = subprocess.run([sys.executable, "-c", IMPORTED, "eval", *argv], capture_output=True, text=True, timeout=120,
                          env=env, cwd=small_jsonl.parent)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["labelled"] == 6
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "linc.parsing.gold" in modules and not any(m.split(".")[0] in ("langchain_core", "langsmith") for m in modules)
    assert ("linc.logic.equivalence" in modules) is judged and ("z3" in modules) is judged
