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
from linc.logic import Var, free_vars, read
from linc.parsing.extract import extract

read_module = importlib.import_module("linc.logic.read")  # the module: linc.logic re-exports a function of its name
from tests.conftest import SHARED_DATA

FUZZ = settings(max_examples=int(os.environ.get("LINC_FUZZ_EXAMPLES", "300")), deadline=None, derandomize=True,
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


# ---------------------------------------------------------------- the knowledge graph


@pytest.fixture
def kg(tmp_path):
    from linc.kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path / "kg.sqlite") as graph:
        yield graph


@pytest.mark.parametrize("name", ["Mr. Smith", "x'); DROP TABLE facts; --", "Świątek 🎾", "a\nb", "$x^{_", '"quoted"', "a\\b"])
def test_odd_names_are_stored_and_found_under_their_own_name(kg, name):
    """A quoted name, which every reader keeps as written, was refused ('not a symbol name'); and
    the graph named a constant's node by its printed form ('Mr. Smith' with quotes), so the rules
    about it and the literals about it met at two different nodes."""
    from linc.logic import Const, Pred, to_nltk

    literal = Pred("Likes", (Const("bob"), Const(name)))
    kg.assert_axiom(to_nltk(literal))
    rule = kg.assert_axiom(f"all x. ({to_nltk(Pred('Likes', (Var('x'), Const(name))))} -> Nice(x))")
    assert kg.get(literal).formula == literal and kg.ask("Nice(bob)").label.value == "True"
    assert [e.object for e in kg.neighbours("bob")] == [name]
    assert kg.graph().nodes[name]["rules"] == [rule.id] and len(kg.paths("bob", name)) == 1


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda kg: kg.assert_axiom("P(a)", text="caf\udce9"), "the fact's text is not valid text"),
        (lambda kg: kg.assert_axiom("P(a)", parser=["llm"]), "the fact's parser must be text, not list"),
        (lambda kg: kg.assert_axiom("P('\ud800')"), "not a symbol name"),
        (lambda kg: kg.get(10**30), "no stored fact #1000000000000000000000000000000"),
        (lambda kg: kg.retract(2**63), "no stored fact #9223372036854775808"),
        (lambda kg: kg.get(True), "not a formula: True"),
        (lambda kg: kg.ask(None), "not a formula: None"),
        (lambda kg: kg.ask("P(a)", timeout=-1), "timeout must be a positive number of seconds"),
        (lambda kg: kg.facts("nonsense"), "no fact kind 'nonsense'"),
        (lambda kg: kg.neighbours("a", direction="sideways"), "direction must be 'out', 'in' or 'both'"),
        (lambda kg: kg.paths("a", "b", max_length=0), "max_length must be a whole number of at least 1"),
        (lambda kg: kg.export_graphml(kg.path.parent), "cannot write"),
    ],
)
def test_bad_calls_on_the_knowledge_graph_are_typed(kg, call, error):
    """Each raised UnicodeEncodeError, OverflowError, AttributeError, ValueError or
    IsADirectoryError, or (direction, timeout of a Horn question) was silently accepted."""
    kg.assert_axiom("R(a, b)")
    with pytest.raises(LincError, match=error.replace("(", r"\(")):
        call(kg)
    assert [f.fol for f in kg.facts()] == ["R(a, b)"]  # nothing half-stored


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=3))
def test_any_name_is_stored_and_read_back_or_refused_typed(tmp_path_factory, names):
    """Whatever a constant is called, the fact is stored and read back equal (from a fresh
    process's view of the file, too), or refused as a MalformedFactError (a lone surrogate)."""
    from linc.kg import KnowledgeGraph, MalformedFactError
    from linc.logic import Const, Pred

    path = tmp_path_factory.mktemp("kg") / "kg.sqlite"
    facts = [Pred("Named", (Const(name),)) for name in names]
    with KnowledgeGraph(path) as graph:
        stored = []
        for fact in facts:
            try:
                stored.append(graph.assert_axiom(fact).formula)
            except MalformedFactError:
                assert any(0xD800 <= ord(ch) <= 0xDFFF for ch in fact.args[0].name)
    with KnowledgeGraph(path) as again:
        assert [f.formula for f in again.facts()] == list(dict.fromkeys(stored))
        assert all(again.about(f.args[0].name) for f in stored)


def test_paths_as_long_as_asked_end_at_the_graph_size(kg):
    """A max_length of a billion grew a list of a billion empty frontiers (the call did not return)."""
    kg.assert_axiom("R(a, b)")
    kg.assert_axiom("R(c, d)")
    assert kg.paths("a", "d", max_length=10**9) == []


@pytest.mark.parametrize("path", [5, "kg\x00.sqlite", "k" * 300 + ".sqlite"])
def test_a_knowledge_graph_path_that_cannot_be_one_is_typed(tmp_path, path):
    from linc.kg import DatabaseError, KnowledgeGraph

    with pytest.raises(DatabaseError):
        KnowledgeGraph(path if isinstance(path, int) else tmp_path / path)


@pytest.mark.parametrize("content", [b"", b"hello " * 500, b"SQLite format 3\x00" + bytes(range(256)) * 20])
def test_a_file_that_is_not_a_knowledge_graph(tmp_path, content):
    """An empty file becomes a graph; anything else is refused, naming the file."""
    from linc.kg import DatabaseError, KnowledgeGraph

    path = tmp_path / "kg.sqlite"
    path.write_bytes(content)
    if not content:
        with KnowledgeGraph(path) as graph:
            assert graph.assert_axiom("P(a)").id == 1
        return
    with pytest.raises(DatabaseError, match=str(path)):
        KnowledgeGraph(path)


# ---------------------------------------------------------------- the MCP server


def test_mcp_server_answers_hostile_calls_with_errors_and_keeps_serving(tmp_path):
    """Wrong types, missing and unknown arguments, a 2 MB argument, a formula
    nested 10,000 deep and the quantifier chain (which took the reader 40 s, past the client's
    timeout) each get an ``is_error`` result naming the problem; then a good call is answered."""
    from tests.tools.test_mcp_server import call, run_session

    chain = "".join(f"∀x{i} P(x{i}) → " for i in range(20)) + "Q(x0)"
    hostile = [
        ("prove", {"premises": "P(a)", "conclusion": "P(a)"}, "ToolInputError: premises: Input should be a valid list"),
        ("prove", {"premises": [1, None], "conclusion": "P(a)"}, "ToolInputError: premises.0: Input should be a valid string"),
        ("prove", {}, "ToolInputError: conclusion: Field required"),
        ("prove", {"conclusion": "P(a)", "timeout": 1}, "ToolInputError: timeout: Extra inputs are not permitted"),
        ("prove", {"conclusion": "P(a)", "lenient": "maybe"}, "ToolInputError: lenient: Input should be a valid boolean"),
        ("prove", {"conclusion": "x" * 2_000_000}, "ToolInputError: conclusion: String should have at most 2000 characters"),
        ("prove", {"conclusion": "(" * 10_000 + "P(a)" + ")" * 10_000}, "ToolInputError"),
        ("prove", {"conclusion": "(" * 990 + "P(a)" + ")" * 990}, "FormulaSyntaxError: conclusion: formula nests 201 levels deep"),
        ("prove", {"conclusion": chain, "syntax": "folio"}, None),
        ("kg_facts", {"constant": ["bob"]}, "ToolInputError: constant: Input should be a valid string"),
        ("kg_ask", {"statement": "P(a) &", "syntax": "nltk"}, "FormulaSyntaxError: statement: '&' has no right-hand side at position 5"),
        ("kg_add", {"fact": "Likes(bob, 'Mr. Smith')", "syntax": "nltk", "axiom": True}, None),
    ]

    async def body(session):
        for name, arguments, error in hostile:
            result = await call(session, name, arguments)
            if error is None:
                assert not result.is_error, (name, result.content[0].text)
            else:
                assert result.is_error and result.content[0].text.startswith(error), (name, result.content[0].text[:300])
        good = await call(session, "prove", {"premises": ["all x. (Man(x) -> Mortal(x))", "Man(socrates)"], "conclusion": "Mortal(socrates)"})
        assert not good.is_error and good.structured_content["label"] == "True"
        stored = await call(session, "kg_facts", {"constant": "Mr. Smith"})
        assert [f["fol"] for f in stored.structured_content["facts"]] == ["Likes(bob, 'Mr. Smith')"]

    run_session(tmp_path, body, "--kg", str(tmp_path / "kg.sqlite"))


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    "args, message",
    [
        (["prove", "-c", "P(a)", "--timeout", "1e308"], "--timeout must be at most 1,000,000 seconds, not '1e+308'"),
        (["solve", "-p", "Bob is big.", "-c", "Bob is big.", "--timeout", "2e6"], "--timeout must be at most 1,000,000 seconds"),
        (["solve", "-c", ""], "-c is empty: give a sentence"),
        (["solve", "-p", " ", "-c", "Bob is big."], "-p is empty: give a sentence"),
        (["kg", "provenance", "99999999999999999999999", "--db", "{db}"], "UnknownFactError: no stored fact #99999999999999999999999"),
        (["kg", "retract", "9223372036854775808", "--db", "{db}"], "UnknownFactError: no stored fact #9223372036854775808"),
        (["eval", "{data}", "--parser", "gold"], "DatasetError: {data} holds no readable problem; first problem: line 1: not UTF-8"),
        (["eval", ""], "DatasetError: no dataset given"),
    ],
)
def test_bad_command_lines_end_in_one_error_line(tmp_path, args, message):
    """--timeout 1e308 passed the check and crashed z3 (exit 1, an Error verdict); a fact id past
    SQLite's integers raised OverflowError with a traceback; an empty sentence was an Error vote
    (exit 1) instead of a usage error."""
    from linc.kg import KnowledgeGraph
    from tests.test_cli_conventions import one_error_line, run

    with KnowledgeGraph(tmp_path / "kg.sqlite") as graph:
        graph.assert_axiom("P(a)")
    (tmp_path / "d.jsonl").write_bytes(b'{"premises": ["caf\xe9"], "conclusion": "x"}\n')
    where = {"db": str(tmp_path / "kg.sqlite"), "data": str(tmp_path / "d.jsonl")}
    line = one_error_line(run(*[a.format(**where) for a in args]))
    assert line.startswith("linc: error: " + message.format(**where)), line
