"""The controlled-English feature grammar compiled, once, into a plain context-free grammar.

nltk's feature chart parser unifies feature structures on every step and deep-copies them (with
the lambda terms inside) as it goes: ~40 ms a sentence shape. This grammar's features are of two
kinds, and neither needs unification at parse time:

- the syntactic ones (``NUM``, ``REF``) take a few atomic values, so each production is grounded
  into one context-free production per assignment of its feature variables (a feature a category
  leaves out, which unifies with anything, is grounded over every value too);
- ``SEM`` only flows upwards: a production's ``SEM`` is a term over its children's ``SEM``
  variables.

So a sentence is chart-parsed over the grounded grammar (every analysis kept, as a packed forest),
and a complete edge's ``SEM`` is what nltk makes of it: the production's term with its children's
``SEM`` substituted (``Expression.substitute_bindings``, which also simplifies), and the sentence's
reading that term simplified. An nltk parse tree is one ground tree with its free feature
variables given values, and every ground tree is an instance of an nltk tree, so both find the same
set of distinct meanings; ``tests/parsing/test_grammar_compiled.py`` checks that, sentence by
sentence, on every corpus of controlled English at hand.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence, Union

from nltk.featstruct import TYPE
from nltk.grammar import FeatStructNonterminal, Production
from nltk.sem import logic as nl

from linc.errors import ParserError

__all__ = ["CompiledGrammar", "GaveUp"]

SEM = "SEM"
#: Distinct meanings one edge may have before the parse is given up (a sentence that ambiguous is
#: left to the caller; this grammar gives every edge of ProofWriter's sentences one).
MAX_EDGE_MEANINGS = 16

# A grounded category: its TYPE and the values of its syntactic features, in a fixed order.
Symbol = tuple[str, tuple[str, ...]]
Element = Union[Symbol, str]  # a category, or a terminal word


class GaveUp(Exception):
    """The compiled parser cannot give this sentence's readings (too ambiguous, or a cycle of unary
    productions): ask nltk's chart parser."""


@dataclass(frozen=True)
class _Rule:
    lhs: Symbol
    rhs: tuple[Element, ...]
    sem: nl.Expression | nl.Variable | None  # the left-hand SEM: a term, one child's SEM, or none
    args: tuple[nl.Variable | None, ...]  # the SEM variable of each right-hand element


# A complete edge (category, start, end), and one way of building it: a production and its children
# (an edge each, None for a terminal), or a lexical entry's SEM.
_Edge = tuple[Symbol, int, int]
_Derivation = Union[tuple[_Rule, tuple[Union[_Edge, None], ...]], nl.Expression]


class CompiledGrammar:
    """A feature grammar whose syntactic features are atomic, grounded into context-free rules.

    ``lexical`` are the categories the open lexicon may give a word (with their SEMs): their
    features join the feature values the grammar is grounded over. Raises :class:`ParserError`
    for a grammar outside what can be compiled (nested or non-atomic features, a right-hand SEM
    that is not a variable, empty productions)."""

    def __init__(self, productions: Sequence[Production], start: FeatStructNonterminal, lexical: Iterable[FeatStructNonterminal] = ()):
        categories = [c for p in productions for c in (p.lhs(), *p.rhs()) if isinstance(c, FeatStructNonterminal)]
        categories += list(lexical)
        self._features: dict[str, tuple[str, ...]] = {}  # TYPE -> its syntactic features, in order
        values: dict[str, set[str]] = {}
        for cat in categories:
            for name, value in cat.items():
                if name in (TYPE, SEM):
                    continue
                if not isinstance(name, str) or not isinstance(value, (str, nl.Variable)):
                    raise ParserError(f"cannot compile feature {name}={value!r} of {cat}: only atomic features are")
                self._features.setdefault(cat[TYPE], ())
                if name not in self._features[cat[TYPE]]:
                    self._features[cat[TYPE]] += (name,)
                if isinstance(value, str):
                    values.setdefault(name, set()).add(value)
        self._values = {name: tuple(sorted(v)) for name, v in values.items()}
        self._start = start[TYPE]
        self._rules: list[_Rule] = [rule for p in productions for rule in self._ground(p)]
        self._by_first: dict[Element, list[_Rule]] = {}
        for rule in self._rules:
            self._by_first.setdefault(rule.rhs[0], []).append(rule)

    # ------------------------------------------------------------ grounding

    def _ground(self, production: Production) -> list[_Rule]:
        lhs, rhs = production.lhs(), production.rhs()
        if not rhs:
            raise ParserError(f"cannot compile the empty production {production}")
        args = tuple(self._sem_variable(e, production) if isinstance(e, FeatStructNonterminal) else None for e in rhs)
        sem = lhs.get(SEM)
        if isinstance(sem, nl.Variable) and sem not in args:
            raise ParserError(f"cannot compile {production}: its SEM {sem} is no child's")
        rules = []
        for lhs_symbol, rhs_symbols in self._groundings([lhs, *rhs]):
            rules.append(_Rule(lhs_symbol, rhs_symbols, sem, args))
        return rules

    @staticmethod
    def _sem_variable(element: FeatStructNonterminal, production: Production) -> nl.Variable | None:
        sem = element.get(SEM)
        if sem is not None and not isinstance(sem, nl.Variable):
            raise ParserError(f"cannot compile {production}: a right-hand SEM must be a variable, not {sem}")
        return sem

    def _groundings(self, elements: list) -> Iterable[tuple[Symbol, tuple[Element, ...]]]:
        """Every assignment of values to the syntactic feature variables of ``elements`` (a feature
        left out is a variable of its own), as grounded (lhs, rhs)."""
        slots: list[tuple[int, str, object]] = []  # (element, feature, constant value or variable)
        for index, element in enumerate(elements):
            if isinstance(element, FeatStructNonterminal):
                for name in self._features.get(element[TYPE], ()):
                    slots.append((index, name, element.get(name, ("fresh", index, name))))
        variables: dict[object, tuple[str, ...]] = {}
        for _, name, value in slots:
            if not isinstance(value, str):
                domain = set(self._values.get(name, ()))
                variables[value] = tuple(sorted(domain.intersection(variables[value]) if value in variables else domain))
        names = list(variables)
        for choice in itertools.product(*(variables[v] for v in names)):
            assignment = dict(zip(names, choice))
            grounded: list[Element] = [e if isinstance(e, str) else (e[TYPE], ()) for e in elements]
            for index, _, value in slots:
                kind, feats = grounded[index]
                grounded[index] = (kind, feats + (value if isinstance(value, str) else assignment[value],))
            yield grounded[0], tuple(grounded[1:])  # type: ignore[misc]

    def lexical_symbols(self, entry: FeatStructNonterminal) -> list[Symbol]:
        """The grounded categories a lexical entry stands for."""
        return [lhs for lhs, _ in self._groundings([entry])]

    # ------------------------------------------------------------ parsing

    def meanings(self, tokens: Sequence[str], lexicon: Mapping[int, Sequence[FeatStructNonterminal]], deadline: float) -> list[nl.Expression]:
        """The distinct simplified SEMs of the start category over ``tokens``. A token is a
        terminal, or (at the positions in ``lexicon``) a word with the given categories. Raises
        :class:`GaveUp`, and ``TimeoutError`` past ``deadline`` (``time.perf_counter()``)."""
        n = len(tokens)
        complete: dict[tuple[int, int], dict[Symbol, list[_Derivation]]] = {}
        active: dict[tuple[int, int], list[tuple[_Rule, int, tuple]]] = {}

        def add(symbol: Symbol, i: int, j: int, derivation: _Derivation) -> None:
            cell = complete.setdefault((i, j), {})
            if symbol in cell:  # later edges point at the edge, not at one way of building it
                cell[symbol].append(derivation)
                return
            cell[symbol] = [derivation]
            for rule in self._by_first.get(symbol, ()):
                advance(rule, 0, (), i, j, (symbol, i, j))

        def advance(rule: _Rule, dot: int, children: tuple, i: int, j: int, child: _Edge | None) -> None:
            children = children + (child,)
            if dot + 1 == len(rule.rhs):
                add(rule.lhs, i, j, (rule, children))
            else:
                active.setdefault((i, j), []).append((rule, dot + 1, children))

        for j in range(1, n + 1):
            if time.perf_counter() > deadline:
                raise TimeoutError("the compiled chart parse ran out of time")
            for i in range(j - 1, -1, -1):
                if i == j - 1:
                    word = tokens[i]
                    if i in lexicon:
                        for entry in lexicon[i]:
                            for symbol in self.lexical_symbols(entry):
                                add(symbol, i, j, entry[SEM])
                    else:
                        for rule in self._by_first.get(word, ()):
                            advance(rule, 0, (), i, j, None)
                for k in range(i, j):
                    for rule, dot, children in active.get((i, k), ()):
                        nxt = rule.rhs[dot]
                        if isinstance(nxt, str):
                            if k == j - 1 and k not in lexicon and tokens[k] == nxt:
                                advance(rule, dot, children, i, j, None)
                        elif nxt in complete.get((k, j), ()):
                            advance(rule, dot, children, i, j, (nxt, k, j))
        roots = [s for s in complete.get((0, n), ()) if s[0] == self._start]
        memo: dict[_Edge, list[nl.Expression]] = {}
        found: list[nl.Expression] = []
        for symbol in roots:
            for sem in self._sems((symbol, 0, n), complete, memo, set(), deadline):
                reading = sem.simplify()
                if reading not in found:
                    found.append(reading)
        return found

    def _sems(self, edge: _Edge, complete: dict, memo: dict, open_: set, deadline: float) -> list[nl.Expression]:
        """The distinct SEMs of a complete edge, each as nltk computes it for that analysis."""
        if edge in memo:
            return memo[edge]
        if edge in open_:
            raise GaveUp(f"a cycle of unary productions through {edge}")
        if time.perf_counter() > deadline:
            raise TimeoutError("the compiled chart parse ran out of time")
        open_.add(edge)
        symbol, i, j = edge
        out: list[nl.Expression] = []  # distinct by nltk's equality (str() is blind to bracketing)
        for derivation in complete[(i, j)][symbol]:
            if isinstance(derivation, nl.Expression):
                out.append(derivation)
                continue
            rule, children = derivation
            choices = [self._sems(c, complete, memo, open_, deadline) if c is not None and a is not None else [None]
                       for c, a in zip(children, rule.args)]
            if not all(choices):
                raise GaveUp(f"a SEM variable of {symbol[0]} over tokens {i}-{j} is bound to nothing")
            for combination in itertools.product(*choices):
                sem = _compose(rule, combination)
                if sem is not None and sem not in out:
                    out.append(sem)
            if len(out) > MAX_EDGE_MEANINGS:
                raise GaveUp(f"more than {MAX_EDGE_MEANINGS} meanings of {symbol[0]} over tokens {i}-{j}")
        open_.discard(edge)
        memo[edge] = out
        return out


def _compose(rule: _Rule, children: tuple[nl.Expression | None, ...]) -> nl.Expression | None:
    """The left-hand SEM of ``rule`` given its children's, as nltk's complete edge has it."""
    bindings = {var: sem for var, sem in zip(rule.args, children) if var is not None and sem is not None}
    if rule.sem is None:
        return None
    if isinstance(rule.sem, nl.Variable):
        return bindings[rule.sem]
    return rule.sem.substitute_bindings(bindings) if bindings else rule.sem
