"""The readers: precedence, scope, names, lenient repairs, and typed errors on bad input."""

from __future__ import annotations

import time

import pytest

from linc.errors import FormulaSyntaxError
from linc.logic.read import is_respelling
from linc.logic import (
    And, Const, Eq, Exists, Forall, Func, Iff, Implies, Not, Or, Pred, Var, Xor, parse, parse_lenient,
)

x, y = Var("x"), Var("y")
P, Q = (lambda t: Pred("P", (t,))), (lambda t: Pred("Q", (t,)))
a, b = Const("a"), Const("b")


@pytest.mark.parametrize(
    "text, syntax, expected",
    [
        ("all x.(P(x) -> Q(x))", "nltk", Forall(x, Implies(P(x), Q(x)))),
        # NLTK's own scope rule: the body of a quantifier is the next unary formula
        ("all x.P(x) & Q(a)", "nltk", And(Forall(x, P(x)), Q(a))),
        ("all x y.R(x,y)", "nltk", Forall(x, Forall(y, Pred("R", (x, y))))),
        ("A & B | C", "nltk", Or(And(Pred("A"), Pred("B")), Pred("C"))),
        ("A -> B -> C", "nltk", Implies(Implies(Pred("A"), Pred("B")), Pred("C"))),
        ("-a = b", "nltk", Not(Eq(a, b))),
        ("f(a) != b", "nltk", Not(Eq(Func("f", (a,)), b))),
        ("P(x)", "nltk", P(x)),  # x is shaped like a Prover9 variable: free variable
        ("P(Jerry) ^ Q(a)", "nltk", And(Pred("P", (Const("Jerry"),)), Q(a))),
        ("∀x (P(x) → Q(x))", "folio", Forall(x, Implies(P(x), Q(x)))),
        ("∀x P(x) → Q(x)", "folio", Forall(x, Implies(P(x), Q(x)))),
        ("¬∃x (P(x)) ∧ Q(a)", "folio", And(Not(Exists(x, P(x))), Q(a))),
        # a run of quantifiers is one prefix, as 'all x y.' is: its scope widens as one
        ("∀x ∀y (R(x, y)) → Q(x)", "folio", Forall(x, Forall(y, Implies(Pred("R", (x, y)), Q(x))))),
        ("∀x ∀y (R(x, y)) → Q(a)", "folio", Implies(Forall(x, Forall(y, Pred("R", (x, y)))), Q(a))),
        ("∀x (∀y R(x, y)) → Q(x)", "folio", Forall(x, Implies(Forall(y, Pred("R", (x, y))), Q(x)))),
        ("P(a) ⊕ Q(a) ∨ P(b)", "folio", Or(Xor(P(a), Q(a)), P(b))),
        ("P(a) ∧ Q(a) → P(b) ↔ Q(b)", "folio", Iff(Implies(And(P(a), Q(a)), P(b)), Q(b))),
        ("Superhero(captain america)", "folio", Pred("Superhero", (Const("captain_america"),))),
        ("Language(c++) ∧ Model(gpt-3)", "folio",
         And(Pred("Language", (Const("c_plus_plus"),)), Pred("Model", (Const("gpt_3"),)))),
        ("Player(IgaŚwiątek)", "folio", Pred("Player", (Const("IgaŚwiątek"),))),
        ("fof(ax, axiom, ! [X] : (p(X) => 'Q'(X))).", "tptp",
         Forall(Var("X"), Implies(Pred("p", (Var("X"),)), Pred("Q", (Var("X"),))))),
        ("? [X,Y] : (r(X,Y) <~> X != Y)", "tptp",
         Exists(Var("X"), Exists(Var("Y"), Xor(Pred("r", (Var("X"), Var("Y"))), Not(Eq(Var("X"), Var("Y"))))))),
    ],
)
def test_reads(text, syntax, expected):
    assert parse(text, syntax=syntax) == expected


@pytest.mark.parametrize(
    "text, expected, repair",
    [
        ("~P(a)", Not(P(a)), "'~' as negation"),
        ("¬P(a) ∧ Q(a)", And(Not(P(a)), Q(a)), "'¬' as negation"),
        ("Exists x.P(x)", Exists(x, P(x)), "'Exists'"),
        ("ForAll x. (P(x) -> Q(x))", Forall(x, Implies(P(x), Q(x))), "'ForAll'"),
        ("exists x (P(x))", Exists(x, P(x)), "missing '.'"),
        ("all x. P(x) -> Q(x)", Forall(x, Implies(P(x), Q(x))), "widened the scope"),
        ("all x. exists y. (R(x, y)) -> Q(x)", Forall(x, Exists(y, Implies(Pred("R", (x, y)), Q(x)))),
         "widened the scope of 'exists y'"),
        ("all x.(P(x) -> Q(x)", Forall(x, Implies(P(x), Q(x))), "added 1 missing closing"),
        ("P(a))", P(a), "removed 1 surplus"),
        ("P(gpt-3)", Pred("P", (Const("gpt_3"),)), "'gpt-3'"),
        ("P(Mr. Smith, bob's)", Pred("P", (Const("Mr_Smith"), Const("bob_s"))), "'Mr. Smith'"),
        ('Title("Harry Potter")', Pred("Title", (Const("Harry_Potter"),)), "Harry Potter"),
        # the textbook's and the mathematician's quantifier prefixes
        ("(∀x)(P(x) → Q(x))", Forall(x, Implies(P(x), Q(x))), "read '(∀x)' as '∀x.'"),
        ("-(exists x)(P(x) & Q(x))", Not(Exists(x, And(P(x), Q(x)))), "read '(exists x)' as 'exists x.'"),
        ("(all x, y)(R(x, y) -> R(y, x))", Forall(x, Forall(y, Implies(Pred("R", (x, y)), Pred("R", (y, x))))), "'(all x, y)'"),
        ("∀x: (P(x) → Q(x))", Forall(x, Implies(P(x), Q(x))), "read '∀x:' as '∀x.'"),
        ("all x, y: R(x, y)", Forall(x, Forall(y, Pred("R", (x, y)))), "read 'all x, y:' as 'all x y.'"),
        ("all x. (P(x) -> Q(x));", Forall(x, Implies(P(x), Q(x))), "dropped the semicolon at the end"),
        # other symbols logic texts write for a connective
        ("P(a) ⟶ Q(a)", Implies(P(a), Q(a)), "'⟶' as implication"),
        ("P(a) ⟹ Q(a)", Implies(P(a), Q(a)), "'⟹' as implication"),
        ("P(a) ⊃ Q(a)", Implies(P(a), Q(a)), "'⊃' as implication"),
        ("P(a) ⟺ Q(a)", Iff(P(a), Q(a)), "'⟺' as equivalence"),
        ("P(a) ≡ Q(a)", Iff(P(a), Q(a)), "'≡' as equivalence"),
        ("P(a) ⊻ Q(a)", Xor(P(a), Q(a)), "'⊻' as exclusive or"),
        ("−P(a)", Not(P(a)), "'−' as negation"),
        # LaTeX's commands
        (r"\forall x (P(x) \rightarrow \neg Q(x))", Forall(x, Implies(P(x), Not(Q(x)))), "as the universal quantifier"),
        (r"\exists x. (P(x) \land x \neq a) \lor Q(a)", Or(Exists(x, And(P(x), Not(Eq(x, a)))), Q(a)), "as disjunction"),
        (r"P(a) \to Q(a)", Implies(P(a), Q(a)), "as implication"),
    ],
)
def test_lenient_repairs_are_recorded(text, expected, repair):
    formula, repairs = parse_lenient(text)
    assert formula == expected
    assert any(repair in r for r in repairs), repairs
    try:  # the strict reader refuses what needed a repair, or reads it as NLTK would
        assert parse(text) != expected
    except FormulaSyntaxError:
        pass


def test_respellings_of_a_quantifier_prefix_or_a_closing_mark_are_no_guess():
    for text in ("(∀x)(P(x) → Q(x))", "∀x: P(x)", "P(a);"):
        assert all(is_respelling(r) for r in parse_lenient(text)[1]), text


@pytest.mark.parametrize(
    "text, message, position",
    [
        # an unknown connective: once read as a made-up name 'P_x_Q_x', now refused where it is
        ("all x. (P(x) ⇝ Q(x))", "unexpected '⇝'", 13),
        ("all x. (Rating(x) > 9 -> P(x))", "unexpected '>'", 18),
        ("P(f(a) b)", "expected ',' or ')'", 7),
        # '(∀x y)' is also ∀x over the proposition y: no prefix, and what follows has no connective
        ("(∀x y)(P(x))", "missing connective", 6),
        ("P(a); Q(a)", "unexpected ';'", 4),
        # a LaTeX command is read only as a whole word: '\top' is not '\to' and 'p'
        (r"P(a) \top Q(a)", "unexpected", 5),
    ],
)
def test_ambiguous_or_unknown_marks_stay_errors_with_their_position(text, message, position):
    with pytest.raises(FormulaSyntaxError) as err:
        parse_lenient(text)
    assert message in str(err.value)
    assert err.value.position == position


def test_clean_input_has_no_repairs():
    assert parse_lenient("all x.(P(x) -> -Q(x))")[1] == []


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("P(x) Q(x)", "missing connective", 5),
        ("P(x), Q(x)", "comma", 4),
        ("(P(a) & Q(a)", "never closed", 0),
        ("P(a) & Q(a))", "no '(' is open", 11),
        ("P(a) &", "no right-hand side", 5),
        ("all x.", "formula ends", 6),
        ("P()", "no arguments", 2),
        ("P(a\x07)", "unexpected character", 3),
    ],
)
def test_errors_point_at_the_defect(text, message, position):
    with pytest.raises(FormulaSyntaxError) as err:
        parse(text)
    assert message in str(err.value)
    assert err.value.position == position
    caret_line = str(err.value).splitlines()[-1]
    assert caret_line.index("^") - 2 == position


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "P(a) & " * 15_000,  # ~100 kB
        "(" * 10_000 + "P" + ")" * 10_000,
        "(" * 5_000 + "P" + ")" * 5_000,
        "-" * 9_000 + "P",
        "all x." * 3_000 + "P(x)",
        " & ".join(f"P{i}(a)" for i in range(1_500)),
        "all x.",
        "exists .P(x)",
        "P(a)\x00",
        "\x1b[31mP(a)",
    ],
)
@pytest.mark.parametrize("syntax", ["nltk", "folio", "tptp"])
@pytest.mark.parametrize("lenient", [False, True])
def test_bad_input_is_a_quick_typed_error(text, syntax, lenient):
    start = time.perf_counter()
    with pytest.raises(FormulaSyntaxError):
        parse(text, syntax=syntax, lenient=lenient)
    assert time.perf_counter() - start < 5  # generous: a guard against hangs, not a benchmark


def test_non_string_input():
    with pytest.raises(FormulaSyntaxError, match="expected a formula string"):
        parse(None)  # type: ignore[arg-type]


def test_unknown_syntax():
    with pytest.raises(FormulaSyntaxError, match="known: folio, nltk, tptp"):
        parse("P(a)", syntax="prolog")


def test_a_string_read_again_is_not_parsed_again(monkeypatch):
    import sys

    reader = sys.modules["linc.logic.read"]

    first = reader.read("Dog(rex", "folio", lenient=True)
    with pytest.raises(FormulaSyntaxError):
        reader.read("Dog(rex", "folio")
    monkeypatch.setattr(reader, "_read", lambda *a: pytest.fail("parsed again"))
    again = reader.read("Dog(rex", "folio", lenient=True)
    assert again.formula == first.formula and again.repairs == first.repairs and first.repairs
    again.repairs.append("the caller's own note")
    assert reader.read("Dog(rex", "folio", lenient=True).repairs == first.repairs  # each caller its own list
    for _ in range(2):  # a string that does not read fails every time, with its position
        with pytest.raises(FormulaSyntaxError, match="position"):
            reader.read("Dog(rex", "folio")


@pytest.mark.parametrize("syntax", ["nltk", "folio", "tptp"])
@pytest.mark.parametrize("text", ["P(a) ", "  P(a)", "P(a)\n\t ", " \u00a0P(a) &  Q(b)  "])
def test_tokens_cover_the_text_with_one_end(syntax, text):
    from linc.logic.syntax import lexer_for

    tokens = lexer_for(syntax, lenient=True).tokenize(text, [])
    assert tokens.kinds.count("EOF") == 1 and tokens.kinds[-1] == "EOF"
    assert tokens.starts[-1] == len(text)
    for value, start in zip(tokens.texts[:-1], tokens.starts):
        assert text[start:start + len(value)] == value  # each token where it was found


def test_lenient_spellings_are_noted_once_each_in_order():
    _, repairs = parse_lenient("~P(a) & ~Q(a) & ¬R(a) | ~ S(a)")
    assert repairs[:2] == ["read '~' as negation", "read '¬' as negation"]
    assert sum("'~'" in r for r in repairs) == 1


def test_a_shared_reading_does_not_leak_between_callers():
    """Readings are remembered and their atoms shared: a caller's changes stay its own."""
    first = parse_lenient("all x. (Dog(x) -> Animal(x)).")
    first[1].append("the caller's own note")
    second = parse_lenient("all x. (Dog(x) -> Animal(x)).")
    assert second[1] == ["dropped the full stop at the end"]
    assert second[0] == first[0] == Forall(x, Implies(Pred("Dog", (x,)), Pred("Animal", (x,))))
    with pytest.raises(Exception):  # formulas are immutable, so sharing them is safe
        second[0].body.left.name = "Cat"  # type: ignore[misc]


@pytest.mark.parametrize("text, expected, repairs", [
    ("Likes(bob, ann) b)", "missing connective before 'b'", None),
    ("P(captain america)", Pred("P", (Const("captain_america"),)), ["read the name 'captain america' as 'captain_america'"]),
    # an atom then a name: a connective is missing (once read as a made-up name 'P_a_b')
    ("(P(a) b)", "missing connective before 'b'", None),
    ("P(a) = b", Eq(Func("P", (a,)), b), []),
])
def test_atoms_that_are_not_plain_take_the_general_path(text, expected, repairs):
    """What the reader made of these before its fast path for plain atoms ``P(a, x)``."""
    if repairs is None:
        with pytest.raises(FormulaSyntaxError, match=expected):
            parse_lenient(text)
    else:
        assert parse_lenient(text) == (expected, repairs)


@pytest.mark.parametrize("syntax", ["folio", "nltk"])
@pytest.mark.parametrize("text", [
    "(" + " ∧ ".join(["P(a)"] * 100) + ") ∨ Q(b)",
    "(" + "∀x " * 99 + "P(x)) ∨ Q(b)",
])
def test_the_depth_limit_holds_for_the_readers_nodes(text, syntax):
    """The connectives and quantifiers the reader makes without the constructors' type checks keep
    the depth limit, and the error says where the reader was when the node got too deep: at the
    ')' closing the group (as before that shortcut)."""
    from linc.errors import FormulaDepthError

    if syntax == "nltk":
        text = text.replace("∧", "&").replace("∀x ", "all x.").replace("∨", "|")
    with pytest.raises(FormulaDepthError) as caught:
        parse(text, syntax, lenient=True)
    assert (caught.value.depth, caught.value.limit) == (101, 100)
    assert caught.value.position == text.rindex(") ")
    assert parse("∀x " * 98 + "P(x)", "folio").depth == 100  # one level less reads


def test_assembled_nodes_are_the_constructors_nodes():
    """formula._assemble (the reader's way to make a node) gives what the constructor gives."""
    from linc.logic.formula import _assemble

    p, q = Pred("P", (x, Func("f", (a,)))), Q(Const('"d"'))
    for cls, one, two in [(And, p, q), (Or, q, p), (Xor, p, p), (Implies, p, q), (Iff, q, q),
                          (Forall, x, p), (Exists, y, Not(p)), (Pred, "R", (a, x)), (Pred, "S", ())]:
        made, built = _assemble(cls, one, two), cls(one, two)
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        assert (made.depth, made._open) == (built.depth, built._open)


@pytest.mark.parametrize("make, message", [
    (lambda: Pred("P", (Pred("Q", ()),)), "Pred needs terms as arguments, got Pred"),
    (lambda: Implies(x, P(a)), "Implies needs two formulas, got Var"),
    (lambda: Forall(a, P(a)), "Forall binds a variable, got Const"),
    (lambda: Forall(x, a), "Forall needs a formula, got Const"),
    (lambda: Eq(P(a), b), "Eq needs two terms, got Pred"),
    (lambda: Func("f", [a]), "Func needs a tuple of terms"),
    (lambda: Not(x), "Not needs a formula, got Var"),
])
def test_the_constructors_still_refuse_what_the_reader_never_passes(make, message):
    with pytest.raises(FormulaSyntaxError, match=message):
        make()


def test_a_bound_name_not_shaped_like_a_variable_is_a_variable_only_where_bound():
    """Names read through the per-syntax table (a constant outside any quantifier) still become
    variables where a quantifier binds them, in plain atoms and in nested terms alike."""
    va = Var("a")
    assert parse("all a.(P(a) & R(a, f(a))) & Q(a)") == And(
        Forall(va, And(P(va), Pred("R", (va, Func("f", (va,)))))), Q(a)
    )
    assert parse("R(a, x) & all a.R(a, x)") == And(Pred("R", (a, x)), Forall(va, Pred("R", (va, x))))


@pytest.mark.parametrize("text, message", [
    ("p(a, $b)", r"'\$b' is not a term"),
    ("$p(a, b)", r"'\$p': of TPTP's defined symbols linc reads only \$true and \$false"),
])
def test_tptp_defined_symbols_in_an_atom_are_refused(text, message):
    with pytest.raises(FormulaSyntaxError, match=message):
        parse(text, "tptp")


@pytest.mark.parametrize("text, syntax, position", [
    # positions are worked out only when needed: after a repair changed the tokens, they still
    # point into the text as written
    ("(P(a) ∧ Q(b) R(c).", "folio", 13),  # a full stop dropped, a parenthesis added
    ("all x.(P(x) & Q(x)))) R(a)", "nltk", 19),  # surplus ')' not at the end: not repaired
    ("P(a) & Q(b) R(c)))", "nltk", 12),  # surplus ')' at the end dropped
])
def test_errors_after_repairs_point_into_the_text(text, syntax, position):
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_lenient(text, syntax)
    assert caught.value.position == position


def test_positions_of_repaired_tokens():
    from linc.logic.read import _balance_parentheses
    from linc.logic.syntax import lexer_for

    text = "(P(a) & (Q(b) ."
    tokens = lexer_for("nltk", lenient=True).tokenize(text, [])
    del tokens.kinds[-2], tokens.texts[-2], tokens.starts[-2]  # as the reader drops a full stop
    _balance_parentheses(tokens, repairs := [])
    assert repairs == ["added 2 missing closing parentheses at the end"]
    kinds, texts, starts = tokens
    assert kinds[-3:] == ["RP", "RP", "EOF"] and starts[-3:] == [len(text)] * 3
    assert [text[s] for s, k in zip(starts, kinds) if k == "NAME"] == ["P", "a", "Q", "b"]
