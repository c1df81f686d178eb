"""Translation quality in `linc eval`: the winning votes' formulas against the gold FOL."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from linc.cli import app
from linc.eval import EvalConfig, evaluate, load_dataset, summarise
from linc.eval.html import render_report
from linc.eval.translation import judge, translation_figures
from linc.parsing.base import Problem
from tests.conftest import SHARED_DATA, requires_data
from tests.eval.conftest import write_jsonl


def completion(*fol: str) -> str:
    """A LINC-style completion: one TEXT/FOL pair per formula, the last one the conclusion."""
    return "".join(f"TEXT:\tsentence {i}.\nFOL:\t{f}\n" for i, f in enumerate(fol))


def recorded(tmp_path):
    """Two problems with gold FOL and recorded completions: r0 translated with other names (and a
    double negation), r1 with a converse implication in two of its three samples (its sentences
    differ: the replay model finds completions by the sentences)."""
    base = {"premises": ["All students are young.", "Rose is a student."], "conclusion": "Rose is young.", "label": "True",
            "premises-FOL": ["∀x (Student(x) → Young(x))", "Student(rose)"], "conclusion-FOL": "Young(rose)"}
    right = completion("all x. (IsStudent(x) -> --IsYoung(x))", "IsStudent(Rose)", "IsYoung(Rose)")
    converse = completion("all x. (IsYoung(x) -> IsStudent(x))", "IsStudent(Rose)", "IsYoung(Rose)")
    rows = [{**base, "id": "r0", "generations": [right] * 3},
            {**base, "id": "r1", "conclusion": "Rose is a young one.", "generations": [converse, converse, right]}]
    return write_jsonl(tmp_path / "recorded.jsonl", rows)


def test_records_keep_per_premise_alignment_and_verdict(tmp_path):
    run = evaluate(load_dataset(str(recorded(tmp_path))), EvalConfig(parser="replay", k=3, vote="majority"), workers=1)
    r0, r1 = (r["translation"] for r in run.records)
    assert r0["samples"] == 3 and r0["premises"] == [6, 6] and r0["conclusion"] == 3 and r0["problem"] == 3 and r0["right"]
    (judged,) = r0["judged"]  # three equal samples are judged once
    assert judged["votes"] == [0, 1, 2]
    assert judged["premises"][0] == {"gold": 1, "sample": 1, "relation": "equivalent",
                                     "alignment": {"IsStudent/1": "Student", "IsYoung/1": "Young"}}
    # r1: the converse samples win the majority vote (Uncertain) and are not equivalent
    assert run.records[1]["label"] == "Uncertain" and r1["samples"] == 2 and not r1["right"]
    assert [p["relation"] for p in r1["judged"][0]["premises"]] == ["different", "equivalent"]
    assert r1["premises"] == [2, 4] and r1["problem"] == 0

    figures = summarise(run.records).translation
    assert figures["premise_equivalence"] == 8 / 10 and figures["conclusion_equivalence"] == 1.0
    assert figures["problem_equivalence"] == 3 / 5
    assert figures["translated_right"] == {"problems": 1, "correct": 1, "accuracy": 1.0}
    assert figures["translated_wrong"] == {"problems": 1, "correct": 0, "accuracy": 0.0}
    assert "translation" not in run.records[0]["verdict"]  # the record holds it once, beside the verdict


def test_the_summary_prints_the_figures_and_the_html_report_reads_the_records(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["eval", str(recorded(tmp_path)), "--parser", "replay", "-k", "3", "--vote", "majority", "--workers", "1", "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "premises 0.800, conclusions 1.000, whole problems 0.600" in result.stdout
    assert "translated right 1.000 (1/1), wrong 0.000 (0/1)" in result.stdout
    assert json.loads((out / "summary.json").read_text())["translation"]["problems"] == 2
    page = render_report([out])
    assert "r1" in page and "60.0%</div>\n      of the winning samples translate the whole problem" in page


def test_switched_off_there_is_none(tmp_path):
    result = CliRunner().invoke(app, ["eval", str(recorded(tmp_path)), "--parser", "replay", "-k", "3", "--workers", "1",
                                      "--json", "--no-translation"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["translation"] == {}


def test_gold_that_does_not_read_is_counted_apart():
    problem = Problem(["P."], "C.", label="True", premises_fol=["∀x (P(x) → "], conclusion_fol="P(a)")
    quality = judge(problem, {"label": "True", "votes": [{"label": "True", "premises": ["P(a)"], "conclusion": "P(a)"}]})
    assert quality["gold_reads"] is False and "premise 1" in quality["reason"]
    figures = translation_figures([{"correct": True, "translation": quality}])
    assert figures["problems"] == 0 and figures["gold_unreadable"] == 1 and figures["samples"] == 0


def test_a_winning_vote_whose_formulas_do_not_read_misses_every_gold_formula():
    """A record edited by hand: the vote won, but its formulas are not formulas."""
    problem = Problem(["P."], "C.", premises_fol=["P(a)"], conclusion_fol="P(a)")
    quality = judge(problem, {"label": "True", "votes": [{"label": "True", "premises": ["P(a"], "conclusion": "P(a)"}]})
    (judged,) = quality["judged"]
    assert [p["relation"] for p in judged["premises"]] == ["missing"] and judged["conclusion"]["relation"] == "missing"
    assert judged["unread"].startswith("the vote's formulas do not read") and quality["premises"] == [0, 1] and quality["problem"] == 0


def test_a_problem_without_a_valid_vote_has_no_translation_to_judge():
    """With no valid vote (label Error: every sample failed; Unknown: every prover hit a limit)
    nothing won: its failed samples were judged as the winning ones, lowering the equivalence
    figures and counting the problem as translated wrong. It is counted apart, by its label (so
    records judged the old way count the same)."""
    problem = Problem(["P."], "C.", label="True", premises_fol=["P(a)"], conclusion_fol="P(a)")
    failed = {"label": "Error", "premises": [], "conclusion": None, "error": "no FOL"}
    assert judge(problem, {"label": "Error", "votes": [failed] * 2}) == {"gold_reads": True, "no_valid_vote": True}
    assert judge(problem, {"label": "Unknown", "votes": [{"label": "Unknown", "premises": ["P(a)"], "conclusion": "P(a)"}]})["no_valid_vote"]
    answered = {"label": "True", "correct": True,
                "translation": judge(problem, {"label": "True", "votes": [{"label": "True", "premises": ["P(a)"], "conclusion": "P(a)"}]})}
    old_style = {"gold_reads": True, "samples": 2, "premises": [0, 2], "conclusion": 0, "problem": 0, "right": False,
                 "judged": [{"votes": [0, 1], "exhausted": False}]}
    records = [answered,
               {"label": "Error", "correct": False, "translation": judge(problem, {"label": "Error", "votes": [failed] * 2})},
               {"label": "Error", "correct": False, "translation": old_style}]
    figures = translation_figures(records)
    assert figures["problems"] == 1 and figures["no_valid_vote"] == 2 and figures["samples"] == 1
    assert figures["premise_equivalence"] == figures["problem_equivalence"] == 1.0
    assert figures["translated_wrong"]["problems"] == 0 and figures["gold_unreadable"] == 0


@requires_data
def test_gold_fol_through_the_gold_parser_is_equivalent_to_itself():
    data = load_dataset(str(SHARED_DATA / "folio" / "folio-v0.0-validation.jsonl"))
    run = evaluate(data, EvalConfig(parser="gold"), workers=2)
    figures = summarise(run.records).translation
    assert figures["problems"] + figures["gold_unreadable"] == len(data.problems) and figures["problems"] >= 200
    assert figures["premise_equivalence"] == figures["conclusion_equivalence"] == figures["problem_equivalence"] == 1.0


def test_a_run_resumes_across_no_translation_judging_without_solving_again(tmp_path):
    """``--out DIR`` made with ``--no-translation`` was refused when run again without it (and the
    other way round): the answers are the same either way. The records that lack a judgement get
    one from their verdicts, the problems are not solved again, and problems.jsonl keeps one line
    per problem; with judging off, records keep what they have and the summary shows none."""
    out = tmp_path / "run"
    args = ["eval", str(recorded(tmp_path)), "--parser", "replay", "-k", "3", "--vote", "majority", "--workers", "1",
            "--out", str(out), "--json"]

    def run(*extra: str) -> tuple[dict, list[dict]]:
        result = CliRunner().invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.stderr
        lines = (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()
        return json.loads(result.stdout), [json.loads(line) for line in lines]

    summary, first = run("--no-translation")
    assert summary["translation"] == {} and not any("translation" in r for r in first)
    summary, partly = run("--limit", "1")  # r0 judged; r1, outside the run, kept as it was
    assert summary["resumed"] == 1 and summary["translation"]["problems"] == 1
    assert [r["id"] for r in partly] == ["r0", "r1"] and "translation" in partly[0] and partly[1] == first[1]
    summary, judged = run()
    assert summary["resumed"] == 2 and summary["translation"]["premise_equivalence"] == 8 / 10
    assert summary["translation"]["problem_equivalence"] == 3 / 5
    assert [r["verdict"] for r in judged] == [r["verdict"] for r in first]  # the answers stand: not solved again
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["translation"] is True
    summary, kept = run("--no-translation")
    assert summary["resumed"] == 2 and summary["translation"] == {} and kept == judged
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["translation"] is False
