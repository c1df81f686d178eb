"""A run whose backend fails says so: causes with one example each, a non-zero exit, titled plots."""

from __future__ import annotations

import json

from PIL import Image
from typer.testing import CliRunner

from linc.cli import app
from linc.eval.report import summarise, summary_renderable
from tests.eval.conftest import fol_problem, write_jsonl


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "300"})


def test_a_prover_that_raises_is_reported_not_scored_as_a_bad_model(small_jsonl):
    result = run("eval", str(small_jsonl), "--parser", "evaltest-fol", "--prover", "evaltest-boom", "--json", "--workers", "1")
    assert result.exit_code == 1, result.stderr
    assert "none of the 6 problems could be answered" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["unanswered"] == 6 and summary["error_vote_share"] == 1.0
    (cause, row), = summary["error_causes"].items()
    assert cause == "ProverError: evaltest-boom crashed" and row["votes"] == row["problems"] == 6
    assert "RuntimeError: the backend blew up" in row["example"] and row["problem"] == "p0"


def test_a_prover_that_returns_none_is_reported_in_the_table(small_jsonl):
    result = run("eval", str(small_jsonl), "--parser", "evaltest-fol", "--prover", "evaltest-none", "--workers", "1")
    assert result.exit_code == 1
    assert "errors by cause" in result.stdout and "returned NoneType, not a ProverResult" in result.stdout


def test_prove_with_a_failing_prover_exits_non_zero():
    result = run("prove", "-p", "P(a)", "-c", "P(a)", "--prover", "evaltest-boom")
    assert result.exit_code == 1 and "Error" in result.stdout and "blew up" in result.stdout


def test_plots_say_which_run_made_them(tmp_path):
    data = write_jsonl(tmp_path / "mine.jsonl", [fol_problem(i, depth=i % 2) for i in range(4)])
    out = tmp_path / "out"
    assert run("eval", str(data), "--parser", "evaltest-fol", "--prover", "z3", "--out", str(out), "--plot", "--workers", "1").exit_code == 0
    for png in ("confusion.png", "accuracy_by_depth.png"):
        info = Image.open(out / png).text
        assert info["Title"] == "mine.jsonl: parser evaltest-fol, prover z3, k=1" and info["Software"].startswith("linc ")


def test_depth_from_the_ids_is_called_theory_depth():
    records = [{"id": f"q{i}", "gold": "True", "label": "True", "depth": None, "theory_depth": 5} for i in range(3)]
    summary = summarise(records)
    assert summary.depth_kind == "theory" and summary.by_depth == {"5": {"n": 3, "correct": 3, "accuracy": 1.0}}
    with_question_depth = summarise([{**r, "depth": i} for i, r in enumerate(records)])
    assert with_question_depth.depth_kind == "question" and list(with_question_depth.by_depth) == ["0", "1", "2"]
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(summary_renderable(summarise([*records, {**records[0], "theory_depth": 3}])))
    shown = " ".join(console.export_text().split())
    assert "accuracy by theory depth (from the ids; the data holds no per-question depth)" in shown


def test_the_summary_names_the_whole_file_and_no_accuracy_of_nothing(tmp_path):
    """On a narrow terminal the run's file name wraps instead of being cut (the part cut is what
    tells runs apart: ...-1shot, ...-8shot), and an accuracy over no problem is not 0."""
    name = "gpt-3.5-turbo-16k-0613_folio-neurosymbolic-" + "x" * 30 + "-8shot.jsonl"
    data = write_jsonl(tmp_path / name, [fol_problem(i) for i in range(3)])
    result = CliRunner().invoke(app, ["eval", str(data), "--parser", "gold", "--workers", "1"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert name in "".join(line.strip() for line in result.stdout.splitlines())
    shown = " ".join(result.stdout.split())
    assert "translated right 1.000 (3/3), wrong none (0/0)" in shown and "(1 worker)" in shown


def test_one_resumed_problem_is_one_problem():
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(summary_renderable(summarise([{"id": "q", "gold": "True", "label": "True"}], resumed=1)))
    assert "resumed 1 problem from an earlier run" in " ".join(console.export_text().split())


def test_a_run_whose_votes_all_hit_a_limit_says_so(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [fol_problem(i) for i in range(3)])
    result = run("eval", str(data), "--parser", "gold", "--prover", "resolution", "--prover-option", "max_given=1", "--workers", "1")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "none of the 3 problems could be answered; 3 hit a prover limit (Unknown)" in message
    assert "errors by cause" not in message + result.stdout


def test_recorded_outputs_beyond_the_grammar_point_to_the_replay_parser(tmp_path):
    row = {**fol_problem(0), "premises": ["Whoever sells umbrellas on rainy days profits."], "conclusion": "Joe profits.",
           "generations": ["TEXT: x\nFOL: P(a)"]}
    result = run("eval", str(write_jsonl(tmp_path / "recorded.jsonl", [row])), "--workers", "1")
    assert result.exit_code == 1
    assert "try --parser replay (this dataset has recorded model outputs)" in " ".join(result.stderr.split())


def test_text_from_the_data_is_shown_as_written_not_as_markup(tmp_path):
    """A record's label '[/x]' once ended the run with rich's MarkupError; '[red]' in a name vanished."""
    data = write_jsonl(tmp_path / "m[red].jsonl", [{**fol_problem(0), "label": "[/x]"}, fol_problem(1)])
    result = run("eval", str(data), "--parser", "gold", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert "unknown label '[/x]'" in result.stderr and "m[red].jsonl: parser gold" in result.stdout
