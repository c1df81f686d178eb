"""The grammar parser's chart parse: the readings of one sentence skeleton, with nltk.

This is the only part of the grammar parser that needs nltk (whose import alone takes a good part
of a second), and it is imported only when a skeleton is not in the readings cache: a run whose
sentence shapes were all parsed before never imports it.

A skeleton is parsed by the feature grammar compiled to a plain context-free grammar
(:mod:`linc.parsing.grammar_compiled`), which finds the same meanings as nltk's own feature chart
parser ~50 times faster; an ambiguous skeleton (an error) is handed to nltk's parser, so that the two
meanings the error names are the ones nltk's trees give first.
"""

from __future__ import annotations

import time
from functools import cache
from importlib import resources
from typing import Mapping

from nltk.featstruct import TYPE
from nltk.grammar import FeatStructNonterminal, FeatureGrammar, Production
from nltk.parse.featurechart import FeatureBottomUpLeftCornerChartParser
from nltk.sem import logic as nl

from linc.errors import ParserError
from linc.logic.formula import And, Const, Eq, Exists, Forall, Formula, Func, Iff, Implies, Not, Or, Pred, Term, Var
from linc.parsing.grammar_compiled import CompiledGrammar, GaveUp

__all__ = ["base_grammar", "chart_parse", "from_nltk", "parse_skeleton", "slot_categories"]

GRAMMAR_FILE = "controlled_english.fcfg"
# Distinct parses per sentence looked at; more than one distinct meaning is an ambiguity error.
MAX_READINGS = 2

_X, _Y = nl.Variable("x"), nl.Variable("y")


# ---------------------------------------------------------------- the open lexicon


def _unary(name: str) -> nl.Expression:
    atom = nl.ApplicationExpression(nl.ConstantExpression(nl.Variable(name)), nl.IndividualVariableExpression(_X))
    return nl.LambdaExpression(_X, atom)


def _binary(name: str) -> nl.Expression:
    head = nl.ApplicationExpression(nl.ConstantExpression(nl.Variable(name)), nl.IndividualVariableExpression(_X))
    atom = nl.ApplicationExpression(head, nl.IndividualVariableExpression(_Y))
    return nl.LambdaExpression(_Y, nl.LambdaExpression(_X, atom))


def _entry(category: str, sem: nl.Expression, **features: str) -> FeatStructNonterminal:
    return FeatStructNonterminal({TYPE: category, "SEM": sem, **features})


@cache
def slot_categories(slot: str) -> tuple[FeatStructNonterminal, ...]:
    """Every category a slot (``<w3>``, see :func:`linc.parsing.grammar._slot`) allows: an -s word
    (or an irregular plural) is a plural noun or a third-person verb; a noun whose plural is itself
    ("sheep") a singular or plural noun; another word an adjective, a singular noun or a base-form
    verb; a first word may also be a name. Their SEMs use the placeholder symbols of
    :func:`linc.parsing.grammar._symbols` (remembered: callers only read them)."""
    kind, i = slot[1], slot[2:-1]
    const = _entry("NP", nl.ConstantExpression(nl.Variable(f"const{i}")), NUM="sg")
    if kind == "c":
        return (const,)
    if kind in "sS":
        out = [_entry("NPL", _unary(f"plural{i}")), _entry("TV", _binary(f"verb{i}"), NUM="sg")]
    elif kind in "nN":
        out = [_entry("N", _unary(f"pred{i}")), _entry("NPL", _unary(f"plural{i}"))]
    else:
        out = [
            _entry("ADJ", _unary(f"pred{i}")),
            _entry("N", _unary(f"pred{i}")),
            _entry("TV", _binary(f"verbbase{i}"), NUM="pl"),
        ]
    return tuple(out + [const] if kind.isupper() else out)


# ---------------------------------------------------------------- parsing


@cache
def base_grammar() -> FeatureGrammar:
    text = resources.files("linc.parsing").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")
    return FeatureGrammar.fromstring(text)


@cache
def _compiled() -> CompiledGrammar:
    base = base_grammar()
    return CompiledGrammar(base.productions(), base.start(), [e for kind in "csSnNwW" for e in slot_categories(f"<{kind}0>")])


def parse_skeleton(skeleton: tuple[str, ...], max_seconds: float) -> tuple[Formula, ...]:
    """The distinct meanings (at most MAX_READINGS) of a skeleton as formulas over placeholder
    symbols. Raises ``TimeoutError`` after ``max_seconds``, :class:`ParserError` (no sentence
    named) for a meaning without a first-order reading."""
    lexicon = {i: slot_categories(t) for i, t in enumerate(skeleton) if t.startswith("<")}
    try:
        meanings = _compiled().meanings(skeleton, lexicon, time.perf_counter() + max_seconds)
    except GaveUp:
        meanings = list(chart_parse(skeleton, max_seconds))
    if len(meanings) >= MAX_READINGS:
        meanings = list(chart_parse(skeleton, max_seconds))
    return tuple(from_nltk(m) for m in meanings)


def chart_parse(skeleton: tuple[str, ...], max_seconds: float) -> tuple[nl.Expression, ...]:
    """nltk's chart parse of a skeleton: its first MAX_READINGS distinct meanings, in its order."""
    base = base_grammar()
    lexicon = [Production(lhs, [t]) for t in skeleton if t.startswith("<") for lhs in slot_categories(t)]
    grammar = FeatureGrammar(base.start(), base.productions() + lexicon)
    chart = FeatureBottomUpLeftCornerChartParser(grammar, max_time=max_seconds)
    meanings: list[nl.Expression] = []
    for tree in chart.parse(list(skeleton)):
        sem = tree.label()["SEM"].simplify()
        if sem not in meanings:
            meanings.append(sem)
        if len(meanings) == MAX_READINGS:
            break
    return tuple(meanings)


def from_nltk(expr: nl.Expression, names: Mapping[str, str] | None = None, sentence: str = "") -> Formula:
    """Convert an nltk first-order expression into the linc IR, renaming symbols through ``names``.

    >>> str(from_nltk(nl.Expression.fromstring("all x.(Man(x) -> -Mortal(socrates))")))
    '∀x (Man(x) → ¬Mortal(socrates))'
    >>> str(from_nltk(nl.Expression.fromstring("exists y.(P(y) & y = father(ann))")))
    '∃y (P(y) ∧ y = father(ann))'
    """
    names = names or {}

    def formula(e: nl.Expression) -> Formula:
        if isinstance(e, nl.AllExpression):
            return Forall(Var(e.variable.name), formula(e.term))
        if isinstance(e, nl.ExistsExpression):
            return Exists(Var(e.variable.name), formula(e.term))
        if isinstance(e, nl.NegatedExpression):
            return Not(formula(e.term))
        if isinstance(e, nl.EqualityExpression):
            return Eq(term(e.first), term(e.second))
        for nltk_class, ir_class in _CONNECTIVES:
            if isinstance(e, nltk_class):
                return ir_class(formula(e.first), formula(e.second))
        if isinstance(e, nl.ApplicationExpression):
            head, args = e.uncurry()
            if isinstance(head, _SYMBOLS):
                return Pred(symbol(head), tuple(term(a) for a in args))
        if isinstance(e, nl.ConstantExpression):
            return Pred(symbol(e))
        raise ParserError(f"no first-order reading ({e}) of {sentence!r}")

    def term(e: nl.Expression) -> Term:
        if isinstance(e, nl.IndividualVariableExpression):
            return Var(e.variable.name)
        if isinstance(e, nl.ConstantExpression):
            return Const(symbol(e))
        if isinstance(e, nl.ApplicationExpression):
            head, args = e.uncurry()
            if isinstance(head, _SYMBOLS):
                return Func(symbol(head), tuple(term(a) for a in args))
        raise ParserError(f"no first-order term ({e}) in the reading of {sentence!r}")

    def symbol(e: nl.AbstractVariableExpression) -> str:
        return names.get(e.variable.name, e.variable.name)

    return formula(expr)


# Heads of atoms and function terms: constants, and nltk's one-letter "function variables" (P, F).
_SYMBOLS = (nl.ConstantExpression, nl.FunctionVariableExpression)
_CONNECTIVES = (
    (nl.AndExpression, And),
    (nl.OrExpression, Or),
    (nl.ImpExpression, Implies),
    (nl.IffExpression, Iff),
)
