"""Reliability of the formula layer: hostile text into every reader, hostile names and deep formulas
through every writer and its reader. Only typed errors (``linc.LincError``) may escape.

The fuzzing runs a few thousand examples by default; set ``LINC_FUZZ_EXAMPLES`` for more.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linc.errors import FormulaDepthError, FormulaSyntaxError, LincError
from linc.kg.codec import dumps, loads
from linc.logic import (
    Const, Exists, Func, Iff, Implies, Not, Xor, alpha_normalize, nnf, parse,
    read, substitute, to_folio, to_nltk, universal_closure,
)
from linc.logic.formula import MAX_DEPTH, And, Eq, Forall, Pred, Var, depth, subformulas
from linc.logic.lean import theorem_file
from linc.logic.names import _ASCII_WORD, LEAN, NLTK, PROVER9, SMT, TPTP, SymbolTable, ascii_identifier
from linc.logic.prover9 import problem_text as prover9_problem
from linc.logic.signature import check_signature, repair_signature
from linc.logic.smt import to_z3
from linc.logic.tptp import problem_text as tptp_problem, to_tptp
from tests.logic.strategies import (
    HOSTILE_NAMES, PLAIN_VARIABLES, TPTP_VARIABLES, canonical, formulas, hostile_formulas,
)

EXAMPLES = int(os.environ.get("LINC_FUZZ_EXAMPLES", "1500"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
ROUND_TRIPS = settings(max_examples=max(300, EXAMPLES // 5), deadline=None, suppress_health_check=list(HealthCheck))
SYNTAXES = ("nltk", "folio", "tptp")
WRITERS = {"nltk": to_nltk, "folio": to_folio, "tptp": to_tptp}

# ---------------------------------------------------------------- fuzzing the readers

_SPELLINGS = [
    "all", "exists", "some", "not", "and", "or", "forall", "Exists", "ForAll", "x", "y1950", "X", "P", "Q",
    "Likes", "bob", "f", "a", "(", ")", ",", ".", "-", "&", "|", "->", "<->", "=", "!=", "~", "^", "!", "?",
    "[", "]", ":", "¬", "∧", "∨", "→", "↔", "⊕", "∀", "∃", "≠", "$true", "$false", "$less", "'Mark'", "'a b'",
    "'", '"', '"abc"', "fof(a, axiom, ", "<~>", "~|", "~&", "<=", "=>", "<=>", "\\", "\x00", "é", "\n",
]
_TOKEN_SOUP = st.lists(st.sampled_from(_SPELLINGS), max_size=25).flatmap(
    lambda toks: st.lists(st.sampled_from(["", " "]), min_size=len(toks), max_size=len(toks)).map(
        lambda seps: "".join(t + s for t, s in zip(toks, seps))
    )
)


def _check_reading(text: str) -> None:
    """Every syntax, strict and lenient: a formula that round-trips through every writer, or a typed error."""
    for syntax in SYNTAXES:
        for lenient in (False, True):
            try:
                f = read(text, syntax=syntax, lenient=lenient).formula
            except FormulaSyntaxError:
                continue
            assert depth(f) <= MAX_DEPTH
            hash(f), repr(f)
            for target, write in WRITERS.items():
                if target == "nltk" and any(isinstance(g, Xor) for g in subformulas(f)):
                    continue  # NLTK syntax has no exclusive or (see test_nltk_writes_xor_as_its_equivalent)
                assert canonical(parse(write(f), syntax=target)) == canonical(f), (text, syntax, target)


@FUZZ
@given(st.text(max_size=120))
def test_arbitrary_text_reads_or_fails_typed(text):
    _check_reading(text)


@FUZZ
@given(_TOKEN_SOUP)
def test_token_soup_reads_or_fails_typed(text):
    _check_reading(text)


# ---------------------------------------------------------------- round trips with hostile names


@ROUND_TRIPS
@given(hostile_formulas(xor=False))
@example(And(Forall(Var("all"), Pred("all", ())), Eq(Var("all"), Var("all"))))  # a free twin of a bound variable
def test_hostile_names_round_trip_through_every_writer(f):
    """Up to the names of variables: NLTK and FOLIO cannot spell a variable named ``all`` or a free
    variable named ``bob``, TPTP no variable in lower case; the writers rename those."""
    for syntax, write in WRITERS.items():
        text = write(f)
        for lenient in (False, True):
            reading = read(text, syntax=syntax, lenient=lenient)
            assert canonical(reading.formula) == canonical(f), (syntax, lenient, text)
            assert syntax == "tptp" or reading.repairs == [], reading.repairs


@ROUND_TRIPS
@given(hostile_formulas(variables=PLAIN_VARIABLES))
def test_hostile_symbols_round_trip_exactly_in_nltk_and_folio(f):
    assert parse(to_folio(f), syntax="folio") == f
    assert parse(str(f), syntax="folio") == f
    if not any(isinstance(g, Xor) for g in subformulas(f)):
        assert parse(to_nltk(f), syntax="nltk") == f


@ROUND_TRIPS
@given(hostile_formulas(variables=TPTP_VARIABLES))
def test_hostile_symbols_round_trip_exactly_in_tptp(f):
    assert parse(to_tptp(f), syntax="tptp") == f


@ROUND_TRIPS
@given(hostile_formulas())
def test_backend_writers_take_any_name(f):
    """Prover9, TPTP (E), Lean and Z3 text never breaks, whatever the names."""
    prover9_problem([f], f)
    tptp_problem([f], f)
    to_z3(f)
    _check_lean_names(theorem_file([f], f))


@pytest.mark.parametrize(
    "f, nltk, folio",
    [
        (Pred("P", (Const("y1950"),)), "P('y1950')", "P('y1950')"),  # read from TPTP as a constant
        (Pred("not", (Const("a"),)), "'not'(a)", "not(a)"),  # not ¬a
        (Pred("Likes", (Const("some"), Const("bob"))), "Likes('some',bob)", "Likes(some, bob)"),
        (Forall(Var("x"), Pred("P", (Const("x"),))), "all x.P('x')", "∀x P('x')"),
        (Pred("P", (Const("Mr. Smith"),)), "P('Mr. Smith')", "P('Mr. Smith')"),
        (Pred("P", (Const("it's"),)), "P('it\\'s')", "P('it\\'s')"),
    ],
)
def test_names_that_would_read_otherwise_are_quoted(f, nltk, folio):
    assert to_nltk(f) == nltk and parse(nltk) == f
    assert to_folio(f) == folio and parse(folio, syntax="folio") == f


def test_variables_the_syntax_cannot_spell_are_renamed():
    bound_keyword = Forall(Var("all"), Pred("P", (Var("all"),)))
    assert to_nltk(bound_keyword) == "all v1.P(v1)"
    assert parse(to_nltk(bound_keyword)) == Forall(Var("v1"), Pred("P", (Var("v1"),)))
    free_constant_shaped = Pred("P", (Var("bob"), Const("v1")))
    assert to_folio(free_constant_shaped) == "P(v1, 'v1')"  # quoted: the constant, never a variable
    assert parse(to_folio(free_constant_shaped), syntax="folio") == Pred("P", (Var("v1"), Const("v1")))


def test_nltk_writes_xor_as_its_equivalent():
    f = Xor(Pred("P"), Pred("Q"))
    assert parse(to_nltk(f)) == Not(Iff(Pred("P"), Pred("Q")))


# ---------------------------------------------------------------- TPTP semantics


@pytest.mark.parametrize(
    "text, expected",
    [
        ("p('Mark')", Pred("p", (Const("Mark"),))),  # quoted atoms are constants, not variables
        ("'Bob' = 'Alice'", Eq(Const("Bob"), Const("Alice"))),
        ("'p'('a b', 'it\\'s')", Pred("p", (Const("a b"), Const("it's")))),
        ("'Mark'", Pred("Mark")),
        ("p('abc') & p(abc)", And(Pred("p", (Const("abc"),)), Pred("p", (Const("abc"),)))),  # the same atom
        ('p("abc") & ~p(abc)', And(Pred("p", (Const('"abc"'),)), Not(Pred("p", (Const("abc"),))))),
        ("p & $true", Pred("p")),
        ("p | $false", Pred("p")),
        ("$true => p", Pred("p")),
        ("p => $false", Not(Pred("p"))),
        ("p <=> $false", Not(Pred("p"))),
        ("p <~> $true", Not(Pred("p"))),
        ("~$false & (p ~| $false)", Not(Pred("p"))),
        ("$true", Forall(Var("X"), Eq(Var("X"), Var("X")))),
        ("p | $true", Forall(Var("X"), Eq(Var("X"), Var("X")))),
        ("![X]: (q(X) & $false)", Not(Forall(Var("X"), Eq(Var("X"), Var("X"))))),
    ],
)
def test_tptp_reads_quoted_atoms_distinct_objects_and_truth_constants(text, expected):
    assert parse(text, syntax="tptp") == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("$less(a, b)", "defined symbols"),
        ("p($true)", "not a term"),
        ('"abc"', "distinct object"),
        ('"abc"(a)', "distinct object"),
        ("p('\"abc\"')", "distinct object"),
    ],
)
def test_tptp_refuses_what_it_cannot_read_faithfully(text, message):
    with pytest.raises(FormulaSyntaxError, match=message):
        parse(text, syntax="tptp")


def _backends():
    from linc.plugins import get_prover

    for name in ("z3", "resolution", "prover9", "eprover"):
        prover = get_prover(name, timeout=20)
        if prover.availability()[0]:
            yield name, prover


@pytest.mark.parametrize(
    "premises, conclusion, expected",
    [
        (["p('Mark')"], "p(anne)", "Uncertain"),
        (["'Bob' = 'Alice'", "p(c)"], "p(d)", "Uncertain"),  # read as X = Y, it proved everything
        ([], "$true", "True"),
        ([], "~$false", "True"),
        (["p"], "p & $true", "True"),
        (['"a" = "b"'], "q", "Inconsistent"),
        ([], '"a" != "b"', "True"),
        (['p("a")', "~p(a)"], "q", "Uncertain"),
        (['![X]: (X = "a")', 'q("b")'], "r", "Inconsistent"),
    ],
)
def test_tptp_verdicts_on_every_backend(premises, conclusion, expected):
    fs = [parse(p, syntax="tptp") for p in premises]
    goal = parse(conclusion, syntax="tptp")
    for name, prover in _backends():
        label = prover.decide(fs, goal).label.value
        assert label == expected or (label == "Unknown" and name == "resolution"), (name, label)


def test_tptp_cli_no_longer_proves_a_constant_for_a_variable():
    from typer.testing import CliRunner

    from linc.cli import app

    result = CliRunner().invoke(app, ["prove", "--syntax", "tptp", "-p", "p('Mark')", "-c", "p(anne)", "--json"])
    assert result.exit_code == 0, result.output
    assert '"label": "Uncertain"' in result.stdout


# ---------------------------------------------------------------- the emitted Lean file


def _check_lean_names(text: str) -> None:
    declared = re.findall(r"^axiom (\S+) :", text, re.M)
    own = {"U", "U_nonempty", "linc_goal"} | set(re.findall(r"\((h\d+) :", text))
    symbols = [n for n in declared if n != "U_nonempty"]
    assert len(set(declared)) == len(declared), declared
    assert all(re.fullmatch(r"(P|f|c)_[A-Za-z0-9_]*", n) for n in symbols), symbols
    assert not own & set(symbols)
    assert all(re.fullmatch(r"v_[A-Za-z0-9_]*", v) for v in re.findall(r"[∀∃] (\S+) : U", text))


def test_lean_file_never_clashes_with_itself():
    names = ["U", "h1", "linc_goal", "Nonempty", "opaque", "theorem", "Prop", "True", "U_nonempty", "P_x", "x"]
    x = Var("x")
    premises = [Pred(n, (Const(n),)) for n in names] + [Forall(Var(n), Pred("R", (Var(n), Func(n, (x,))))) for n in names]
    text = theorem_file(premises, Pred("Nonempty", (Const("U"),)))
    _check_lean_names(text)
    assert "axiom P_Nonempty : U → Prop" in text and "axiom c_U : U" in text


# ---------------------------------------------------------------- depth


LEVELS = [10, 200, 1000, 100_000]


def _deep_texts(n: int) -> dict[str, list[str]]:
    return {
        "nltk": ["-" * n + "P(a)", "P(" + "f(" * n + "a" + ")" * (n + 1), "all x." * n + "P(x)",
                 "(" * n + "P(a)" + ")" * n, "(P(a) -> " * n + "P(a)" + ")" * n, " & ".join(["P(a)"] * n)],
        "folio": ["¬" * n + "P(a)", "P(" + "f(" * n + "a" + ")" * (n + 1), "∀x " * n + "P(x)",
                  "(P(a) → " * n + "P(a)" + ")" * n, " ⊕ ".join(["P(a)"] * n)],
        "tptp": ["~" * n + "p(a)", "p(" + "f(" * n + "a" + ")" * (n + 1), "![X]: " * n + "p(X)",
                 "(p(a) => " * n + "p(a)" + ")" * n, " | ".join(["p(a)"] * n)],
    }


@pytest.mark.parametrize("n", LEVELS)
def test_deep_text_reads_or_fails_with_the_depth_error(n):
    for syntax, texts in _deep_texts(n).items():
        for text in texts:
            for lenient in (False, True):
                try:
                    f = parse(text, syntax=syntax, lenient=lenient)
                except FormulaDepthError as err:
                    assert n > MAX_DEPTH // 2 and err.limit in (MAX_DEPTH, 2 * MAX_DEPTH) and err.position is not None
                    continue
                except FormulaSyntaxError as err:
                    assert len(text) > 20_000, err  # only the length limit may come first
                    continue
                assert n <= MAX_DEPTH and depth(f) <= MAX_DEPTH
                _walk_everything(f)


def _deep_formulas(n: int):
    """Each shape built up to ``n`` levels deep through the constructors."""
    x, a = Var("x"), Const("a")

    def chain(step, start, levels=n):
        f = start
        while depth(f) < levels:
            f = step(f)
        return f

    yield lambda: chain(Not, Pred("P", (a,)))
    yield lambda: Pred("P", (chain(lambda t: Func("f", (t,)), a, n - 1),))
    yield lambda: chain(lambda f: And(f, Pred("Q", (x,))), Pred("P", (x,)))
    yield lambda: chain(lambda f: Implies(Pred("Q", (x,)), f), Pred("P", (x,)))
    yield lambda: chain(lambda f: Iff(f, Pred("Q")), Pred("P"))
    yield lambda: chain(lambda f: Xor(Pred("Q"), f), Pred("P"))
    yield lambda: chain(lambda f: Forall(x, f), Pred("P", (x,)))
    yield lambda: chain(lambda f: Exists(Var("y"), f), Pred("P", (x,)))


def _within_stack(frames: int, fn):
    """Run ``fn`` with ``frames`` frames already on the stack, as a deep caller (an agent
    framework, an MCP server) would have."""
    return fn() if frames == 0 else _within_stack(frames - 1, fn)


def _walk_everything(f) -> None:
    """Every walker on ``f``, from a deep stack: success, or the typed depth error for the
    transformations that deepen a formula (universal closure, negation normal form)."""
    twin = loads(dumps(f))  # an equal formula built independently
    steps = [
        lambda: str(f), lambda: repr(f), lambda: hash(f) == hash(twin), lambda: f == twin,
        lambda: to_nltk(f), lambda: to_folio(f), lambda: to_tptp(f), lambda: tptp_problem([f], f),
        lambda: prover9_problem([f], f), lambda: theorem_file([f], f), lambda: to_z3(f).sexpr(),
        lambda: check_signature([f]), lambda: repair_signature([f, Pred("f", (Const("a"),))]),
        lambda: alpha_normalize(f), lambda: substitute(f, {Var("x"): Const("b")}),
        lambda: universal_closure(f), lambda: nnf(f),
        lambda: parse(to_folio(f), syntax="folio"), lambda: parse(to_tptp(f), syntax="tptp"),
    ]
    assert f == twin and hash(f) == hash(twin)
    for step in steps:
        try:
            _within_stack(300, step)
        except FormulaDepthError:
            pass
        except LincError as err:  # pragma: no cover - reported with the step
            pytest.fail(f"{err!r} from {step}")


@pytest.mark.parametrize("n", LEVELS)
def test_deep_formulas_are_refused_where_they_are_made(n):
    for make in _deep_formulas(n):
        if n > MAX_DEPTH:
            with pytest.raises(FormulaDepthError) as err:
                make()
            assert err.value.depth == MAX_DEPTH + 1 and err.value.limit == MAX_DEPTH
            assert isinstance(err.value, LincError) and "the limit is" in str(err.value)
        else:
            _walk_everything(make())


def test_formulas_at_the_limit_go_through_everything():
    for make in _deep_formulas(MAX_DEPTH):
        f = make()
        assert depth(f) == MAX_DEPTH
        _walk_everything(f)
        assert canonical(parse(to_folio(f), syntax="folio")) == canonical(f)
        assert canonical(parse(to_tptp(f), syntax="tptp")) == canonical(f)


def test_malformed_nodes_are_typed_errors():
    for make in (lambda: Pred("", ()), lambda: Pred("P", ("a",)), lambda: Func("f", ()), lambda: Not("P"),
                 lambda: Forall(Const("x"), Pred("P")), lambda: Eq(Pred("P"), Const("a")), lambda: Const(None)):
        with pytest.raises(FormulaSyntaxError):
            make()


def test_depth_error_pickles():
    import pickle

    err = FormulaDepthError(101, 100, "text", 3)
    again = pickle.loads(pickle.dumps(err))
    assert (again.depth, again.limit, again.position, str(again)) == (101, 100, 3, str(err))


def test_symbol_tables_stay_injective_on_hostile_names():
    for rules in (PROVER9, TPTP, LEAN):
        table = SymbolTable(rules)
        out = [table.name(kind, n, 1) for kind in ("predicate", "function", "constant", "variable") for n in HOSTILE_NAMES]
        assert len(set(out)) == len(out)


@FUZZ
@given(st.one_of(st.text(), st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True), st.sampled_from(HOSTILE_NAMES)))
def test_symbol_table_shortcut_for_plain_names_is_transliteration(name):
    """A table takes a plain ASCII word as its own transliteration without the Unicode work:
    exactly the names ``ascii_identifier`` leaves unchanged (but ``_``, which takes the long way)."""
    assert bool(_ASCII_WORD.fullmatch(name)) == (ascii_identifier(name) == name != "_")
    for rules in (PROVER9, TPTP, LEAN, SMT, NLTK):
        for kind in ("predicate", "function", "constant", "variable"):
            assert SymbolTable(rules).name(kind, name) == _long_way(rules, kind, name)


def _long_way(rules, kind, name):
    """A table's name for a first symbol, as it was made before the shortcut."""
    base = ascii_identifier(name) if rules.ascii_only else name
    if rules.always_prefix or base != name or name.lower() in rules.reserved or not re.fullmatch(rules.valid[kind], base):
        base = rules.prefix[kind] + base
    if not re.fullmatch(rules.valid[kind], base):
        base = rules.prefix[kind] + ascii_identifier(base)
    n, unique = 1, base
    while unique.lower() in rules.reserved:
        n += 1
        unique = f"{base}_{n}"
    return unique


@settings(max_examples=200, deadline=None)
@given(formulas())
def test_ordinary_formulas_keep_their_names_in_every_writer(f):
    assert parse(to_folio(f), syntax="folio") == f
    assert canonical(parse(to_tptp(f), syntax="tptp")) == canonical(f)


def test_signature_repair_keeps_untouched_formulas_and_sees_each_object_afresh():
    """Symbol summaries are remembered per formula object: a formula equal to a known one but made
    anew is summarised alike, and a repair rebuilds only the formulas that hold a renamed symbol."""
    from linc.logic import Const, Pred, parse
    from linc.logic.signature import clashes, repair_signature

    show, good, other = parse("Show(Breakingbad)"), parse("all x.(Breakingbad(x) -> Good(x))"), parse("Good(Lost)")
    fixed, repairs = repair_signature([show, good, other])
    assert [str(f) for f in fixed] == ["Show(breakingbad)", "∀x (Breakingbad(x) → Good(x))", "Good(Lost)"]
    assert fixed[1] is good and fixed[2] is other and repairs
    again = Pred("Show", (Const("Breakingbad"),))  # equal to show, another object
    assert again is not show and clashes([again, good]) == clashes([show, good]) != {}
