"""Dataset readers: FOLIO / linc JSONL, Logic-LM JSON, Hub rows, and resolving DATASET."""

from __future__ import annotations

import json

import pytest

from linc.errors import DatasetError
from linc.eval.datasets import load_dataset, logiclm_problem, normalise_label, unique_ids
from linc.eval.hub import folio_row, proofwriter_row, rows_to_dataset
from linc.parsing.base import Problem
from tests.eval.conftest import fol_problem, write_jsonl

QUESTION = "Based on the above information, is the following statement true, false, or unknown? The cat is red."


def test_labels_are_normalised():
    assert [normalise_label(v) for v in ("True", "false", "Unknown", "Uncertain", True)] == ["True", "False", "Uncertain", "Uncertain", "True"]
    with pytest.raises(ValueError):
        normalise_label("maybe")


def test_jsonl_keeps_fol_generations_and_meta(tmp_path):
    row = {**fol_problem(1), "generations": ["FOL: P(a)"], "story_id": 7, "label": "Unknown"}
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", [row])))
    (p,) = data.problems
    assert p.label == "Uncertain" and p.premises_fol == row["premises-FOL"] and p.conclusion_fol == row["conclusion-FOL"]
    assert p.meta["generations"] == ["FOL: P(a)"] and p.meta["story_id"] == 7
    assert data.has_gold_fol and data.has_generations and data.name == "jsonl"


def test_a_malformed_line_is_reported_with_its_number_and_the_rest_is_read(tmp_path):
    rows = [fol_problem(0), "{not json", {"premises": ["x"]}, {**fol_problem(3), "label": "Maybe"}, "", fol_problem(5)]
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", rows)))
    assert [p.id for p in data.problems] == ["p0", "p5"]
    assert [(i.line, i.message.split(":")[0]) for i in data.issues] == [(2, "not JSON"), (3, "missing field 'conclusion'"), (4, "unknown label 'Maybe' (expected True, False, Uncertain or Unknown)")]


def test_files_saved_with_a_byte_order_mark_and_windows_line_ends_read(tmp_path):
    """Windows editors save UTF-8 with a BOM and CRLF: JSONL and Logic-LM JSON read all the same."""
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_bytes("\ufeff".encode() + "".join(json.dumps(fol_problem(i)) + "\r\n" for i in range(2)).encode())
    assert [p.id for p in load_dataset(str(jsonl)).problems] == ["p0", "p1"]
    logiclm = tmp_path / "l.json"
    item = {"id": "q1", "context": "The cat is big. All big things are red.", "question": QUESTION, "answer": "A",
            "options": ["A) True", "B) False", "C) Uncertain"]}
    logiclm.write_bytes("\ufeff".encode() + json.dumps([item], indent=1).replace("\n", "\r\n").encode())
    (problem,) = load_dataset(str(logiclm)).problems
    assert problem.conclusion == "The cat is red." and problem.label == "True"


def test_ids_default_to_file_and_line_and_are_made_unique(tmp_path):
    rows = [{k: v for k, v in fol_problem(0).items() if k != "id"}, fol_problem(1), {**fol_problem(2), "id": "p1"}]
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", rows)))
    assert [p.id for p in data.problems] == ["d:1", "p1", "p1@line3"]


def test_a_renamed_id_never_takes_an_id_the_data_uses():
    rows = [(1, "x"), (2, "x@line3"), (3, "x"), (4, "x"), (5, "x@line3.2"), (6, "x@line3")]
    problems = unique_ids([(n, Problem(premises=["a"], conclusion="b", id=i)) for n, i in rows])
    assert [p.id for p in problems] == ["x", "x@line3", "x@line3.3", "x@line4", "x@line3.2", "x@line3@line6"]


def test_folio_train_has_premise_fol_but_no_conclusion_fol(tmp_path):
    row = {k: v for k, v in fol_problem(0).items() if k not in ("conclusion-FOL", "id")} | {"example_id": 1131}
    data = load_dataset(str(write_jsonl(tmp_path / "train.jsonl", [row])))
    assert data.problems[0].id == "1131" and data.problems[0].conclusion_fol is None and not data.has_gold_fol


def test_logiclm_items():
    item = {"id": "ProofWriter_RelNoneg-OWA-D3-12_Q4", "context": "The cat is big. If something is big then it is red.",
            "question": QUESTION, "options": ["A) True", "B) False", "C) Unknown"], "answer": "C"}
    p = logiclm_problem(item, "x")
    assert p.premises == ["The cat is big.", "If something is big then it is red."]
    assert p.conclusion == "The cat is red." and p.label == "Uncertain"
    # The id's D3 is the theory's depth, not this question's: kept apart, never reported as "depth".
    assert p.meta["theory_depth"] == 3 and "depth" not in p.meta
    assert logiclm_problem({**item, "answer": "A", "depth": 1}, "x").meta["depth"] == 1
    prontoqa = {**item, "question": "Is the following statement true or false? Max is sour.", "options": ["A) True", "B) False"], "answer": "B"}
    assert logiclm_problem(prontoqa, "x").label == "False" and logiclm_problem(prontoqa, "x").conclusion == "Max is sour."
    with pytest.raises(ValueError, match="not one of the options"):
        logiclm_problem({**item, "answer": "D"}, "x")
    with pytest.raises(ValueError, match="does not ask"):
        logiclm_problem({**item, "question": "Which is true?"}, "x")


def test_logiclm_file_reports_bad_items_by_line(tmp_path):
    good = {"id": "a", "context": "The cat is big.", "question": QUESTION, "options": [], "answer": "A"}
    text = "[\n" + json.dumps(good) + ",\n" + json.dumps({"id": "b", "context": 3}) + ",\n" + json.dumps({**good, "id": "c"}) + "\n]\n"
    (tmp_path / "d.json").write_text(text)
    data = load_dataset(str(tmp_path / "d.json"))
    assert data.name == "logiclm" and [p.id for p in data.problems] == ["a", "c"]
    assert [i.line for i in data.issues] == [3]


def test_logiclm_lines_are_right_across_blank_lines_and_multi_line_items(tmp_path):
    """Each item is named by the line it starts on, whatever lies between items (blank lines,
    items spread over many lines), and so is a break in the array's punctuation after them."""
    good = {"id": "a", "context": "The cat is big.", "question": QUESTION, "options": [], "answer": "A"}
    items = [json.dumps({**good, "id": f"i{n}"}, indent=2) for n in range(30)]
    items[7] = json.dumps({"id": "bad", "context": 3})
    items[20] = json.dumps({"id": "bad2", "context": 3}, indent=4)
    text = "\n\n[\n" + ",\n\n\n".join(items) + "\n\n  ;\n"  # a ';' where ',' or ']' belongs
    (tmp_path / "d.json").write_text(text)
    data = load_dataset(str(tmp_path / "d.json"))
    starts = [text.index(item) for item in items]
    line_of = [text.count("\n", 0, s) + 1 for s in starts]
    assert [p.id for p in data.problems] == [f"i{n}" for n in range(30) if n not in (7, 20)]
    assert [i.line for i in data.issues[:2]] == [line_of[7], line_of[20]]
    assert str(data.issues[2]).startswith(f"line {text.count(chr(10), 0, text.index(';')) + 1}: expected ','")


def test_format_prefix_picks_the_reader(tmp_path):
    path = write_jsonl(tmp_path / "problems.txt", [fol_problem(0)])
    with pytest.raises(DatasetError, match="no reader recognises"):
        load_dataset(str(path))
    assert load_dataset(f"jsonl:{path}").problems[0].id == "p0"


def test_bad_specs_say_what_is_known(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(str(tmp_path / "missing.jsonl"))
    with pytest.raises(DatasetError, match=r"known: .*folio.*proofwriter"):
        load_dataset("no-such-dataset")
    (tmp_path / "empty.jsonl").write_text("\n{bad\n")
    with pytest.raises(DatasetError, match="no readable problem.*line 2"):
        load_dataset(str(tmp_path / "empty.jsonl"))


def test_limit_takes_the_first_problems(tmp_path):
    data = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", [fol_problem(i) for i in range(5)])), limit=2)
    assert [p.id for p in data.problems] == ["p0", "p1"]


HUB_FOLIO = {"story_id": 1, "example_id": 9, "premises": "All men are mortal.\nSocrates is a man.",
             "premises-FOL": "∀x (Man(x) → Mortal(x))\nMan(socrates)", "conclusion": "Socrates is mortal.",
             "conclusion-FOL": "Mortal(socrates)", "label": "True"}
HUB_PROOFWRITER = {"id": "AttNoneg-D2-5_Q1", "theory": "Bob is big. Big things are red.", "question": "Bob is red.",
                   "answer": "Unknown", "QDep": 2, "maxD": 3}


def test_hub_rows_map_to_problems():
    folio = rows_to_dataset("folio", [HUB_FOLIO, {"premises": "x"}], folio_row, "hub")
    (p,) = folio.problems
    assert p.id == "9" and p.premises == ["All men are mortal.", "Socrates is a man."] and p.premises_fol[1] == "Man(socrates)"
    assert folio.issues[0].line == 2
    pw = rows_to_dataset("proofwriter", [HUB_PROOFWRITER], proofwriter_row, "hub").problems[0]
    assert pw.premises == ["Bob is big.", "Big things are red."] and pw.label == "Uncertain" and pw.meta["depth"] == 2


def test_hub_mapping_on_a_local_datasets_object():
    datasets = pytest.importorskip("datasets", reason="the hub extra (datasets) is not installed")
    local = datasets.Dataset.from_list([HUB_PROOFWRITER, {**HUB_PROOFWRITER, "id": "x_Q2", "answer": "True", "QDep": 0}])
    data = rows_to_dataset("proofwriter", local, proofwriter_row, "local")
    assert [(p.label, p.meta["depth"]) for p in data.problems] == [("Uncertain", 2), ("True", 0)]


def test_proofwriter_data_asks_for_its_own_semantics(tmp_path):
    from linc.eval.command import choose_config

    item = {"id": "ProofWriter_AttNeg-OWA-D5-1_Q1", "context": "Bob is big.", "question": QUESTION, "options": [], "answer": "A"}
    (tmp_path / "pw.json").write_text(json.dumps([item]))
    data = load_dataset(str(tmp_path / "pw.json"), limit=1)
    assert data.semantics == "proofwriter" and data.parser_options == {"grammar": {"semantics": "proofwriter"}}
    assert choose_config(data, None, None, "z3", None, 10.0, True).parser_options == {"semantics": "proofwriter"}
    override = choose_config(data, None, None, "z3", None, 10.0, True, {"semantics": "classical"})
    assert override.parser_options == {"semantics": "classical"} and override.k == 1


def jsonl(path, rows) -> str:
    return str(write_jsonl(path, rows))


PW_RECORD = {"premises": ["Bob is big."], "conclusion": "Bob is big.", "label": "True"}


def test_proofwriter_semantics_whatever_the_container(tmp_path):
    """LINC's ProofWriter sample is linc JSONL with ids proofwriter-N: recognised as ProofWriter."""
    by_id = jsonl(tmp_path / "ids.jsonl", [{**PW_RECORD, "id": f"proofwriter-{i}"} for i in range(3)])
    assert load_dataset(by_id).semantics == "proofwriter"
    anonymous = jsonl(tmp_path / "anon.jsonl", [{**PW_RECORD, "id": f"q{i}"} for i in range(3)])
    assert load_dataset(anonymous).semantics == "classical"
    assert load_dataset(f"proofwriter:{anonymous}").semantics == "proofwriter"  # declared by prefix
    declared = jsonl(tmp_path / "field.jsonl", [{**PW_RECORD, "id": "a", "semantics": "proofwriter"}, PW_RECORD])
    data = load_dataset(declared, limit=1)
    assert data.semantics == "proofwriter" and data.parser_options["grammar"] == {"semantics": "proofwriter"}


def test_conflicting_or_unknown_semantics_are_refused(tmp_path):
    mixed = jsonl(tmp_path / "mixed.jsonl", [{**PW_RECORD, "semantics": "proofwriter"}, {**PW_RECORD, "semantics": "classical"}])
    with pytest.raises(DatasetError, match="different semantics"):
        load_dataset(mixed)
    odd = jsonl(tmp_path / "odd.jsonl", [{**PW_RECORD, "semantics": "fuzzy"}])
    with pytest.raises(DatasetError, match="unknown semantics 'fuzzy'"):
        load_dataset(odd)


def test_a_folio_file_saved_as_json_reads_as_json_lines(tmp_path):
    path = write_jsonl(tmp_path / "folio-validation.json", [fol_problem(0), fol_problem(1)])
    data = load_dataset(str(path))
    assert data.name == "jsonl" and [p.id for p in data.problems] == ["p0", "p1"]


def test_a_json_array_named_jsonl_says_which_reader_reads_it(tmp_path):
    good = {"id": "a", "context": "The cat is big.", "question": QUESTION, "options": [], "answer": "A"}
    path = tmp_path / "proofwriter.jsonl"
    path.write_text(json.dumps([good], indent=2))
    with pytest.raises(DatasetError, match=f"holds one JSON array, not JSON lines .* logiclm:{path}$"):
        load_dataset(str(path))
    assert load_dataset(f"logiclm:{path}").problems[0].id == "a"


def test_a_broken_json_array_names_the_line_and_column(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('[\n  {"id": "a", "context": "The cat is big.",\n   "question": "Is it')
    with pytest.raises(DatasetError, match=r"cut.json: line 3: not JSON: Unterminated string starting at \(column 16\)"):
        load_dataset(f"logiclm:{path}")
