"""Bad input, adversarially, wherever a user or an agent can feed linc data: the FOL readers and
the completion extractor (mutations of real gold FOL and recorded model output), the dataset
readers, the command line, the MCP server and the knowledge graph. Each must give a Formula (or
data), or a typed error rooted at :class:`linc.LincError` that says what and where; never another
exception, a hang, or data silently lost.

Hypothesis runs derandomized with modest example counts, so the file is quick and deterministic.
"""

from __future__ import annotations

import importlib
import json
import os
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linc.errors import DatasetError, FormulaSyntaxError, LincError
from linc.eval.datasets import load_dataset
from linc.logic import free_vars, read
from linc.parsing.extract import extract

read_module = importlib.import_module("linc.logic.read")  # the module: linc.logic re-exports a function of its name
from tests.conftest import SHARED_DATA

FUZZ = settings(max_examples=int(os.environ.get("LINC_FUZZ_EXAMPLES", "150")), deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
SYNTAXES = ("nltk", "folio", "tptp")

# ---------------------------------------------------------------- corpora to mutate


@lru_cache(maxsize=None)
def _corpus() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(formulas, completions): FOLIO's gold FOL and the FOL lines of the recorded GPT-3.5
    completions, and the completions themselves; a few built-in ones when the data is absent."""
    formulas = ["∀x (Dog(x) → ¬Cat(x))", "all x. (Man(x) -> Mortal(x))", "![X]: (p(X) => q(X))",
                "-exists x. (Young(x) & Teaches(x))", "(Big(bob) ⊕ Small(bob)) ∧ Likes(bob, 'Mr. Smith')"]
    completions = ["TEXT:\tAll men are mortal.\nFOL:\tall x. (Man(x) -> Mortal(x))\n",
                   "Sure!\n```\nFOL: Big(Bob)\n**FOL:** -Small(Bob)\n```\n</EVALUATE>"]
    folio = SHARED_DATA / "folio" / "folio-v0.0-validation.jsonl"
    if folio.is_file():
        for line in folio.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            formulas += record["premises-FOL"] + [record["conclusion-FOL"]]
    recorded = sorted((SHARED_DATA / "linc-recorded").glob("*1shot.jsonl"))
    for path in recorded[:1]:
        for line in path.read_text(encoding="utf-8").splitlines()[:60]:
            for completion in json.loads(line)["generations"]:
                completions.append(completion)
                formulas += [row[4:].strip() for row in completion.splitlines() if row.startswith("FOL:")]
    return tuple(sorted(set(formulas))), tuple(completions)


_PIECES = list("()¬∧∨⊕→↔∀∃=≠,.-&|~!^<>:[]'\"\\$ \t\nxyzPa0") + [
    "all ", "exists ", "->", "<->", "<=>", "fof(", "\u2028", "\x00", "\ud800", "é", "FOL:", "</EVALUATE>", "```"]


@st.composite
def _mutated(draw, pool_index: int) -> str:
    """A corpus string with a few characters deleted, inserted, replaced or duplicated."""
    text = list(draw(st.sampled_from(_corpus()[pool_index])))
    for _ in range(draw(st.integers(1, 6))):
        if not text:
            text.append(draw(st.sampled_from(_PIECES)))
            continue
        i = draw(st.integers(0, len(text) - 1))
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if op == "delete":
            del text[i]
        elif op == "insert":
            text.insert(i, draw(st.sampled_from(_PIECES)))
        elif op == "replace":
            text[i] = draw(st.sampled_from(_PIECES))
        else:
            j = draw(st.integers(0, len(text) - 1))
            text[i:i] = text[j : j + draw(st.integers(1, 20))]
    return "".join(text)


def _reads_or_fails_with_a_position(text: str) -> None:
    for syntax in SYNTAXES:
        for lenient in (False, True):
            try:
                read(text, syntax, lenient)
            except FormulaSyntaxError as err:
                assert err.position is not None or "characters long" in str(err), (text, syntax, lenient, str(err))


@FUZZ
@given(_mutated(0))
def test_mutated_gold_and_recorded_fol_reads_or_fails_typed_with_a_position(text):
    _reads_or_fails_with_a_position(text)


@FUZZ
@given(_mutated(1), st.sampled_from(["robust", "linc"]))
def test_mutated_completions_extract_and_read_without_raising(completion, style):
    found = extract(completion, style=style)
    assert found.error is None or not found.formulas
    for formula in found.formulas:
        _reads_or_fails_with_a_position(formula)


# ---------------------------------------------------------------- the scope look-ahead stays linear


def _count_unary_parses(monkeypatch) -> list[int]:
    calls = [0]
    original = read_module._Parser.parse_unary

    def counted(self):
        calls[0] += 1
        return original(self)

    monkeypatch.setattr(read_module._Parser, "parse_unary", counted)
    read_module._remembered.cache_clear()
    return calls


@pytest.mark.parametrize("syntax, lenient", [("folio", False), ("nltk", True)])
def test_a_chain_of_quantifiers_reads_in_linear_work(monkeypatch, syntax, lenient):
    """``∀x0 P(x0) → ∀x1 P(x1) → ... → Q(a)``: each quantifier looks ahead to decide its scope; the
    part it read was read again, under the other bound variables, by every quantifier before it
    (2^n parses: 16 quantifiers took 2 s, 20 took 40 s, an MCP call could hang the server)."""
    calls = _count_unary_parses(monkeypatch)
    n = 16
    text = "".join(f"∀x{i} P(x{i}) → " for i in range(n)) + "Q(x3)"
    formula = read(text, syntax, lenient).formula
    assert calls[0] < 20 * n
    # as before: left-associated, the scope of x3 (free in Q(x3)) widened to the end, the others narrow
    assert str(formula).startswith("(((∀x0 P(x0)) → (∀x1 P(x1))) → (∀x2 P(x2))) → (∀x3 (((")
    assert str(formula).endswith("→ (∀x15 P(x15))) → Q(x3)))") and not free_vars(formula)


def test_a_look_ahead_that_still_repeats_itself_is_refused_with_a_position(monkeypatch):
    """Quantifiers that rebind the names of earlier ones keep the contexts apart; the step budget
    refuses the text, quickly, rather than reading it in exponential time."""
    calls = _count_unary_parses(monkeypatch)
    n = 40
    text = ("".join(f"∀x{i} P(x{i}) → " for i in range(n)) + "".join(f"∀x{i} " for i in range(n))
            + "Q(" + ",".join(f"x{i}" for i in range(n)) + ")")
    with pytest.raises(FormulaSyntaxError, match="too involved to read") as err:
        read(text, "folio")
    assert err.value.position is not None and calls[0] <= 8 * len(text)


# ---------------------------------------------------------------- dataset files


_GOOD = json.dumps({"premises": ["A cat is big."], "conclusion": "The cat is big.", "label": "True"})


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_jsonl_line_with_a_unicode_line_separator_in_a_string_is_read(tmp_path):
    """JSON strings may hold U+2028 (json.dumps(ensure_ascii=False) writes it raw): it split the
    line in two, the record was lost and two bogus issues reported."""
    record = json.dumps({"premises": ["A cat\u2028is big.", "x\x0cy"], "conclusion": "B.", "label": "True"}, ensure_ascii=False)
    data = load_dataset(_write(tmp_path, "d.jsonl", (record + "\n" + _GOOD + "\n").encode()))
    assert [p.premises for p in data.problems][0] == ["A cat\u2028is big.", "x\x0cy"]
    assert len(data.problems) == 2 and data.issues == []


@pytest.mark.parametrize("bad", ["[" * 100_000 + "]" * 100_000, '{"premises": ' + "[" * 50_000 + "]" * 50_000 + "}"])
def test_jsonl_line_nested_too_deeply_costs_that_line(tmp_path, bad):
    """It raised RecursionError out of the reader."""
    data = load_dataset(_write(tmp_path, "d.jsonl", (_GOOD + "\n" + bad + "\n" + _GOOD).encode()))
    assert len(data.problems) == 2
    assert [(i.line, i.message) for i in data.issues] == [(2, "not JSON: nested too deeply")]


def test_logiclm_item_nested_too_deeply_is_reported_by_line(tmp_path):
    good = json.dumps({"id": "a", "context": "A.", "question": "Is the following statement true, false, or unknown? A.", "answer": "A"})
    path = _write(tmp_path, "d.json", ("[\n" + good + ",\n" + "[" * 100_000 + "]" * 100_000 + "]").encode())
    data = load_dataset(path)
    assert [p.id for p in data.problems] == ["a"] and data.issues[0].line == 3
    assert "nested too deeply" in data.issues[0].message
    with pytest.raises(DatasetError, match=r"d.json: line 1: not JSON: nested too deeply"):
        load_dataset("logiclm:" + _write(tmp_path, "d.json", ("[" * 100_000 + "]" * 100_000).encode()))


def test_a_line_that_is_not_utf8_costs_that_line_and_says_where(tmp_path):
    """The whole file was refused ('cannot read ...: position 76'), naming no line."""
    latin1 = '{"premises": ["caf\xe9"], "conclusion": "B.", "label": "True"}'.encode("latin-1")
    data = load_dataset(_write(tmp_path, "d.jsonl", _GOOD.encode() + b"\n" + latin1 + b"\n" + _GOOD.encode()))
    assert len(data.problems) == 2
    assert str(data.issues[0]) == "line 2: not UTF-8 (byte 0xe9 at column 19); save the file as UTF-8"
    with pytest.raises(DatasetError, match=r"d.jsonl holds no readable problem; first problem: line 1: not UTF-8"):
        load_dataset(_write(tmp_path, "d.jsonl", b"\xff\xfe\x00garbage\x80"))
    with pytest.raises(DatasetError, match=r"d.json: line 2: not UTF-8"):
        load_dataset("logiclm:" + _write(tmp_path, "d.json", b'[\n{"context": "caf\xe9"}]'))


@pytest.mark.parametrize("depth", ["9" * 5000, "\u00b2", "-1", "1.5"])
def test_an_odd_depth_field_keeps_the_record(tmp_path, depth):
    """A depth of 5000 digits or a superscript two cost the whole record ('invalid literal for int()')."""
    record = json.dumps({"premises": ["A."], "conclusion": "B.", "depth": depth})
    (problem,) = load_dataset(_write(tmp_path, "d.jsonl", record.encode())).problems
    assert "depth" not in problem.meta or problem.meta["depth"] == depth


@pytest.mark.parametrize("options", [5, {"A": "True"}, "A) True"])
def test_logiclm_options_that_are_not_a_list_are_reported(tmp_path, options):
    """An integer raised TypeError ('int' object is not iterable) out of the reader."""
    item = {"context": "A.", "question": "Is the following statement true, false, or unknown? A.", "options": options, "answer": "A"}
    with pytest.raises(DatasetError, match=r"line 1: 'options' must be a list"):
        load_dataset(_write(tmp_path, "d.json", json.dumps([item]).encode()))


@pytest.mark.parametrize(
    "spec, message",
    [("", "no dataset given"), ("   ", "no dataset given"), ("{dir}", "is not a file"), ("jsonl:{dir}", "is a folder, not a file"),
     ("{dir}/missing.jsonl", "no such file")],
)
def test_dataset_specs_that_name_no_file(tmp_path, spec, message):
    with pytest.raises(DatasetError, match=message):
        load_dataset(spec.format(dir=tmp_path))


@FUZZ
@given(st.lists(st.one_of(
    st.just(_GOOD),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                 lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
                     st.sampled_from(["premises", "conclusion", "label", "id", "premises-FOL", "conclusion-FOL",
                                      "generations", "depth", "semantics", "options"]), inner, max_size=6)),
                 max_leaves=12).map(json.dumps),
), min_size=1, max_size=6), st.booleans())
def test_any_jsonl_reads_or_fails_typed_and_loses_no_good_line(tmp_path_factory, lines, latin1):
    text = "\n".join(lines)
    path = tmp_path_factory.mktemp("fuzz") / "d.jsonl"
    path.write_bytes(text.encode("latin-1", "replace") if latin1 else text.encode("utf-8", "surrogatepass"))
    good = sum(1 for line in lines if line == _GOOD)
    try:
        data = load_dataset(str(path))
    except DatasetError as err:
        assert good == 0 and str(path) in str(err)
        return
    assert len(data.problems) >= good
    assert all(issue.line >= 1 for issue in data.issues)
