"""The runner: parallel workers, de-duplication, stuck and crashing workers, resuming."""

from __future__ import annotations

import json

import pytest

from linc import plugins
from linc.eval import EvalConfig, ResumeError, RunStore, evaluate, load_dataset, summarise
from tests.eval.conftest import fol_problem, write_jsonl

FOL = EvalConfig(parser="evaltest-fol", prover="z3", timeout=5.0)


def figures(run):
    s = summarise(run.records).to_dict()
    return {k: s[k] for k in ("labelled", "correct", "accuracy", "unanswered", "confusion", "per_label")}


def test_pool_and_single_process_agree(small_jsonl):
    data = load_dataset(str(small_jsonl))
    one = evaluate(data, FOL, workers=1)
    two = evaluate(data, FOL, workers=2)
    assert [r["id"] for r in one.records] == [p.id for p in data.problems]
    assert [r["label"] for r in one.records] == [r["label"] for r in two.records]
    assert figures(one) == figures(two)
    assert figures(one)["correct"] == 5 and figures(one)["labelled"] == 6
    assert one.records[1]["label"] == "False" and one.records[2]["label"] == "Uncertain"


def test_identical_problems_are_answered_once(small_jsonl):
    parser = plugins.lookup("parser", "evaltest-fol")
    before = parser.calls
    run = evaluate(load_dataset(str(small_jsonl)), FOL, workers=1)
    assert parser.calls - before == 5  # six problems, two identical
    dup = next(r for r in run.records if r["id"] == "dup")
    assert dup["label"] == run.records[0]["label"] and dup["verdict"]["problem_id"] == "dup"


def test_records_hold_votes_formulas_and_timings(small_jsonl):
    record = evaluate(load_dataset(str(small_jsonl)), FOL, workers=1).records[0]
    vote = record["verdict"]["votes"][0]
    assert vote["conclusion"] and vote["premises"] and vote["prover"] == "z3"
    assert record["gold"] == "True" and record["correct"] is True
    assert "total_seconds" in record["verdict"]["timings"]


def test_a_stuck_problem_does_not_hold_up_the_others(tmp_path):
    rows = [fol_problem(0, hang=True)] + [fol_problem(i) for i in range(1, 6)]
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", rows)))
    run = evaluate(data, EvalConfig(parser="evaltest-fol", problem_limit=1.5), workers=2)
    stuck, *rest = run.records
    assert stuck["label"] == "Unknown" and "worker was stopped" in stuck["verdict"]["reason"]
    assert all(r["label"] == "True" for r in rest)


def test_a_crashing_worker_costs_one_problem(tmp_path):
    rows = [fol_problem(0), fol_problem(1, crash=True), fol_problem(2), fol_problem(3)]
    run = evaluate(load_dataset(str(write_jsonl(tmp_path / "d.jsonl", rows))), FOL, workers=2)
    assert [r["label"] for r in run.records] == ["True", "Error", "True", "True"]
    assert "died" in run.records[1]["verdict"]["reason"]


def test_resume_skips_finished_problems_and_gives_the_same_figures(small_jsonl, tmp_path):
    data = load_dataset(str(small_jsonl))
    with RunStore(tmp_path / "out", FOL.settings()) as store:
        evaluate(data.head(3), FOL, workers=1, store=store)
    with RunStore(tmp_path / "out", FOL.settings()) as store:
        resumed = evaluate(data, FOL, workers=1, store=store)
    assert resumed.resumed == 3
    assert figures(resumed) == figures(evaluate(data, FOL, workers=1))
    lines = (tmp_path / "out" / "problems.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(p.id for p in data.problems)


def test_resume_with_ids_that_look_renamed_neither_resolves_nor_duplicates(tmp_path):
    rows = [{**fol_problem(0), "id": "x"}, {**fol_problem(1), "id": "x@line3"}, {**fol_problem(2), "id": "x"}]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    ids = [p.id for p in load_dataset(str(path)).problems]
    assert len(set(ids)) == 3 and ids[:2] == ["x", "x@line3"]
    for attempt in range(3):
        with RunStore(tmp_path / "out", FOL.settings()) as store:
            run = evaluate(load_dataset(str(path)), FOL, workers=1, store=store)
        assert run.resumed == (0 if attempt == 0 else 3)
    lines = (tmp_path / "out" / "problems.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(ids)


def test_problem_keys_stay_what_earlier_runs_wrote():
    """Resuming matches a record to its problem by this key, so it must not change between
    versions: these were written by an earlier linc (non-ASCII text kept as it is, in UTF-8)."""
    from linc.eval.runner import problem_key
    from linc.parsing.base import Problem

    gold = Problem(["Alle Menschen sind sterblich.", "Sókratés is a man."], "Sókratés is mortal.", id="x",
                   premises_fol=["∀x (Man(x) → Mortal(x))", "Man(sókratés)"], conclusion_fol="Mortal(sókratés)")
    recorded = Problem(["Bob is big."], "Bob is big.", id="y", meta={"generations": ["a", "b"]})
    assert problem_key(gold) == "e2ed5051b3e0bd72c95d"
    assert problem_key(recorded) == "c4ffe6a6783fd1e110c4"


def test_a_torn_last_line_is_cut_off(small_jsonl, tmp_path):
    data = load_dataset(str(small_jsonl))
    with RunStore(tmp_path, FOL.settings()) as store:
        evaluate(data.head(2), FOL, workers=1, store=store)
    with (tmp_path / "problems.jsonl").open("a") as handle:
        handle.write('{"id": "p2", "label": "Tr')  # a write cut short by SIGKILL
    with RunStore(tmp_path, FOL.settings()) as store:
        assert sorted(store.open()) == ["p0", "p1"]
    assert (tmp_path / "problems.jsonl").read_text().endswith("}\n")


def test_other_settings_are_refused(small_jsonl, tmp_path):
    data = load_dataset(str(small_jsonl))
    with RunStore(tmp_path, FOL.settings()) as store:
        evaluate(data.head(1), FOL, workers=1, store=store)
    other = EvalConfig(parser="evaltest-fol", prover="z3", timeout=5.0, k=3)
    with pytest.raises(ResumeError, match="k"):
        RunStore(tmp_path, other.settings()).open()


def test_progress_reports_every_problem(small_jsonl):
    seen = []
    evaluate(load_dataset(str(small_jsonl)), FOL, workers=2, progress=lambda done, total, rec: seen.append((done, total)))
    assert [d for d, _ in seen] == list(range(1, 7)) and {t for _, t in seen} == {6}


def test_samples_that_differ_only_in_symbol_names_are_decided_once():
    from linc.logic import parse
    from linc.parsing.base import Parser, Problem, Sample
    from linc.proving import Label, Prover, ProverResult
    from linc.reasoning import Reasoner

    class Renamings(Parser):
        def translate(self, problem, k=1):
            return [Sample([parse(f"all x. ({p}(x) -> {q}(x))"), parse(f"{p}({c})")], parse(f"{q}({c})"))
                    for p, q, c in (("Dog", "Pet", "rex"), ("Hound", "Pet", "rex"), ("Dog", "Animal", "fido"))]

    class Counting(Prover):
        name = "counting"
        calls = 0

        def _decide(self, premises, conclusion, timeout):
            type(self).calls += 1
            return ProverResult(Label.TRUE, self.name, 0.0, proof=f"proof of {conclusion}")

    verdict = Reasoner(Renamings(), Counting(), k=3, dedup_renamed=True).solve(Problem(["..."], "..."))
    assert Counting.calls == 1 and verdict.counts == {"True": 3}
    assert verdict.proof == "proof of Pet(rex)"


def test_records_are_in_the_file_at_once_and_fsynced_in_batches(tmp_path, monkeypatch):
    """A record is written before the run moves on (a killed run loses none: another reader sees
    it), but fsynced at most every SYNC_SECONDS and on close, not once per record."""
    from linc.eval import store as store_module

    synced = []
    monkeypatch.setattr(store_module.os, "fsync", lambda fd: synced.append(fd))
    monkeypatch.setattr(store_module, "SYNC_SECONDS", 3600.0)  # no time-based fsync after the first
    store = RunStore(tmp_path, FOL.settings())
    store.open()
    for i in range(20):
        store.append({"id": f"p{i}", "key": "k", "label": "True"})
        with RunStore(tmp_path, FOL.settings()) as reader:
            assert len(reader.open()) == i + 1
    assert len(synced) == 1  # the first record's
    store.close()
    assert len(synced) == 2  # what was written since
    store.open()
    store.close()
    assert len(synced) == 2  # nothing written, nothing to flush


def test_the_run_freezes_the_heap_it_starts_with_and_gives_it_back(small_jsonl):
    """The garbage collector skips what exists when the run starts (the reasoner, the modules)
    and runs less often while problems are solved; the caller's heap and collector are as they
    were afterwards."""
    import gc

    from linc.eval.runner import RUN_THRESHOLDS

    during = []
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    evaluate(load_dataset(str(small_jsonl)), FOL, workers=1,
             progress=lambda *_: during.append((gc.get_freeze_count() > 0, gc.get_threshold())))
    assert during and set(during) == {(True, RUN_THRESHOLDS)}
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_a_caller_that_froze_the_heap_keeps_it_frozen(small_jsonl):
    import gc

    gc.freeze()
    try:
        evaluate(load_dataset(str(small_jsonl)), FOL, workers=1)
        assert gc.get_freeze_count() > 0  # not unfrozen behind the caller's back
    finally:
        gc.unfreeze()


def test_a_worker_gets_the_rest_of_its_story_before_another_story():
    """Problems that share their premises go to one worker, whose caches already hold their
    formulas; a second worker starts a story nobody is on, and helps with a held one only when
    none is left."""
    from linc.eval.runner import _Families
    from linc.parsing.base import Problem

    stories = ["A", "B", "A", "B", "C", "A"]
    queue = _Families([(f"k{i}", Problem([story], f"q{i}")) for i, story in enumerate(stories)])
    first, second = object(), object()
    taken = [(w, queue.take(w)[0]) for w in (first, second, second, second, first, second)]
    assert taken == [(first, "k0"), (second, "k1"), (second, "k3"), (second, "k4"), (first, "k2"), (second, "k5")]
    assert not queue


def test_a_run_of_another_dataset_is_refused_and_runs_written_before_the_name_resume(small_jsonl, tmp_path):
    """Another file's records would land in the same problems.jsonl and the report would show
    both datasets as one run."""
    data = load_dataset(str(small_jsonl))
    with RunStore(tmp_path / "out", FOL.settings(), "small.jsonl") as store:
        evaluate(data.head(2), FOL, workers=1, store=store)
    with pytest.raises(ResumeError, match=r"holds a run of another dataset \(small.jsonl, not other.jsonl\)"):
        RunStore(tmp_path / "out", FOL.settings(), "other.jsonl").open()
    with RunStore(tmp_path / "out", FOL.settings(), "small.jsonl") as store:
        assert evaluate(data, FOL, workers=1, store=store).resumed == 2
    (tmp_path / "out" / "run.json").write_text(json.dumps(FOL.settings()))  # as earlier versions wrote it
    with RunStore(tmp_path / "out", FOL.settings(), "small.jsonl") as store:
        assert evaluate(data, FOL, workers=1, store=store).resumed == len(data.problems)
