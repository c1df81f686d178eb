"""Logical equivalence of a translation with a reference, up to a renaming of its symbols.

A semantic parser is right when its formulas mean what the gold annotation means (the
logical-equivalence measure of MALLS / LogicLLaMA), whatever it calls things: a sample that writes
``IsStudent(rose)`` where the gold has ``Student(rose)`` is right if it uses ``IsStudent`` for
``Student`` throughout. :func:`compare` chooses one injective renaming of the sample's symbols onto
the gold's symbols of the same kind and arity, the one that makes the most formulas equivalent
(the search is bounded), and says how each gold formula's counterpart relates to it.

Equivalence is decided by Z3 both ways (``a ⊨ b`` and ``b ⊨ a``), each check under a time limit;
a check whose formulas are effectively propositional (:mod:`linc.logic.epr`, as most FOLIO
formulas are) is grounded and decided without quantifiers, an order of magnitude quicker.
Names and shared structure only order the candidate renamings; the equivalences decide.

>>> from linc.logic.read import parse
>>> c = compare([parse("all x.(IsStudent(x) -> --Young(x))")], parse("IsStudent(Rose)"),
...             [parse("∀x (Student(x) → Young(x))", "folio")], parse("Student(rose)", "folio"))
>>> [p.relation for p in c.premises], c.conclusion.relation, c.equivalent, c.alignment
(['equivalent'], 'equivalent', True, {'Rose': 'rose', 'IsStudent/1': 'Student', 'Young/1': 'Young'})
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterable, Sequence

import z3

from linc.logic.deadline import check_by
from linc.logic.epr import ELEMENT, Grounding, Names, NotEPR, compile_epr, declarations, universe
from linc.logic.formula import (Binary, Const, Eq, Formula, Func, Not, Pred, Term, Var, alpha_normalize, conjoin, nnf,
                                 nnf_size, subformulas, universal_closure)
from linc.logic.signature import Symbol, rename_symbols, symbol_set, symbols
from linc.logic.smt import Z3Translator, solver_for

__all__ = ["RELATIONS", "Checker", "Comparison", "Counterpart", "compare", "shared_context"]

#: How a sample formula ``a`` relates to its gold formula ``b``.
RELATIONS = {
    "equivalent": "a ⊨ b and b ⊨ a",
    "stronger": "a ⊨ b only",
    "weaker": "b ⊨ a only",
    "different": "neither entails the other",
    "unknown": "a check ran out of time",
    "missing": "the sample has no formula for it",
}
#: Candidate renamings tried for one formula pair that fails under the current renaming.
LOCAL_TRIES = 12
#: Formulas whose negation normal form would be larger are matched by shape as written only
#: (a chain of n ↔ has an NNF of about 2ⁿ nodes: building it would stall the comparison).
MAX_NNF = 10_000


class Checker:
    """Entailment checks by Z3 in one context, each under ``timeout`` seconds, remembered.

    ``ctx``: the Z3 context to work in (default: a new one). Making a context costs milliseconds,
    more than a typical check: a caller that judges many problems one after another passes the
    same context each time (:func:`shared_context`)."""

    def __init__(self, timeout: float = 1.0, ctx: z3.Context | None = None):
        self.timeout = timeout
        self.tr = Z3Translator(ctx)
        self.checks = 0  # checks actually run (remembered answers are free)
        self._known: dict[tuple[Formula, Formula], bool | None] = {}
        self._terms: dict[Formula, z3.BoolRef] = {}
        self._ground: z3.Solver | None = None  # the ground path's solver, made on first use
        self._groundings: dict[Formula, Grounding | None] = {}
        self._names: Names = {}
        self._declared: set[str] = set()

    def _term(self, f: Formula) -> z3.BoolRef:
        term = self._terms.get(f)
        if term is None:
            term = self._terms[f] = self.tr.formula(universal_closure(f))
        return term

    def entails(self, a: Formula, b: Formula) -> bool | None:
        """Does ``a`` entail ``b`` (free variables read universally)? None: Z3 ran out of time."""
        key = (a, b)
        if key not in self._known and alpha_normalize(a) == alpha_normalize(b):
            self._known[key] = True
        if key not in self._known:
            self.checks += 1
            answer = self._ground_check(a, b)
            if answer is None:
                answer = self._check(a, b)
            self._known[key] = True if answer == z3.unsat else False if answer == z3.sat else None
        return self._known[key]

    def _check(self, a: Formula, b: Formula) -> z3.CheckSatResult:
        """a ∧ ¬b, with quantifiers, on a new solver: Z3's quantifier instantiation keeps state
        past a pop, so a reused solver answers by the checks before it (see linc_provers.z3prover)."""
        solver = z3.SimpleSolver(ctx=self.tr.ctx)
        solver.add(self._term(a))
        solver.add(z3.Not(self._term(b)))
        return check_by(solver, time.monotonic() + self.timeout)

    def _ground_check(self, a: Formula, b: Formula) -> z3.CheckSatResult | None:
        """a ∧ ¬b grounded over their constants (satisfiable exactly when it is with quantifiers),
        or None when the pair is not for the ground path: outside the fragment, too many
        instances, or a name Z3's parser keeps for itself."""
        pair = (self._grounding(universal_closure(a)), self._grounding(Not(universal_closure(b))))
        if pair[0] is None or pair[1] is None:
            return None
        constants = universe(pair)
        if constants is None:
            return None
        if self._ground is None:
            self._ground = solver_for(self.tr.ctx, "QF_UF")
            self._ground.from_string(f"(declare-sort U 0)(declare-fun {ELEMENT} () U)")
            self._declared = set()
        solver = self._ground
        solver.push()
        try:
            solver.from_string("".join(declarations(pair, self._declared))
                               + "".join(f"(assert {g.text(constants)})" for g in pair))
            answer = check_by(solver, time.monotonic() + self.timeout)
        except z3.Z3Exception:
            answer = None
        finally:
            solver.pop()
        if answer is None or answer == z3.unknown:  # a fresh solver after a refusal or a cut search
            self._ground = None
        return answer

    def _grounding(self, f: Formula) -> Grounding | None:
        if f not in self._groundings:
            try:  # each compiled formula's Skolem constants are its own: tagged by its number
                self._groundings[f] = compile_epr(f, self.tr.table.name, f"j{len(self._groundings)}", self._names)
            except NotEPR:
                self._groundings[f] = None
        return self._groundings[f]

    def equivalent(self, a: Formula, b: Formula) -> bool:
        return self.entails(a, b) is True and self.entails(b, a) is True

    def decided(self, a: Formula, b: Formula) -> bool:
        """Is whether ``a`` ≡ ``b`` known without a new check?"""
        if (a, b) not in self._known:
            return False
        return self._known[(a, b)] is not True or (b, a) in self._known

    def relation(self, a: Formula, b: Formula) -> str:
        """One of :data:`RELATIONS` (never ``missing``)."""
        ab, ba = self.entails(a, b), self.entails(b, a)
        if ab is None or ba is None:
            return "equivalent" if ab is True and ba is True else "unknown"
        return {(True, True): "equivalent", (True, False): "stronger", (False, True): "weaker"}.get((ab, ba), "different")


_LOCAL = threading.local()


def shared_context() -> z3.Context:
    """A Z3 context kept for this thread of this process (Z3 contexts are not thread-safe, and a
    forked child must not use its parent's)."""
    pid = os.getpid()
    if getattr(_LOCAL, "pid", None) != pid:
        _LOCAL.pid, _LOCAL.ctx = pid, z3.Context()
    return _LOCAL.ctx


@dataclass
class Counterpart:
    """A gold formula, the sample formula judged against it, and how they relate."""

    gold: int  # 0-based position in the gold list (the conclusion: after the premises)
    sample: int | None  # 0-based position of the sample formula; None when it has none
    relation: str
    alignment: dict[str, str] = field(default_factory=dict)  # the renaming of this sample formula's symbols


@dataclass
class Comparison:
    """A sample (premises and conclusion) against the gold, under the renaming found."""

    alignment: dict[str, str]  # sample symbol -> gold symbol (``Name/arity`` for predicates and functions)
    premises: list[Counterpart]  # one per gold premise, in gold order
    conclusion: Counterpart
    equivalent: bool  # the premises together and the conclusion are equivalent to the gold's
    checks: int = 0  # entailment checks run
    exhausted: bool = False  # the search stopped at its budget (a better renaming may exist)

    @property
    def premises_equivalent(self) -> int:
        return sum(p.relation == "equivalent" for p in self.premises)


def compare(
    sample_premises: Sequence[Formula],
    sample_conclusion: Formula | None,
    gold_premises: Sequence[Formula],
    gold_conclusion: Formula,
    checker: Checker | None = None,
    max_checks: int = 200,
    seconds: float = 10.0,
) -> Comparison:
    """Judge a sample against the gold under the renaming that makes the most formulas equivalent.

    Premises are paired by position when both lists have as many; otherwise (a model split or
    merged premises) any sample premise may stand for any gold premise, one for one, and the
    whole-problem verdict compares the conjunctions. The renaming search stops after
    ``max_checks`` entailment checks or ``seconds``, whichever comes first."""
    if sample_conclusion == gold_conclusion and list(sample_premises) == list(gold_premises):
        return _identical([*gold_premises, gold_conclusion])
    return _Search(list(sample_premises), sample_conclusion, list(gold_premises), gold_conclusion,
                   checker or Checker(), max_checks, time.monotonic() + seconds).run()


def _identical(formulas: list[Formula]) -> Comparison:
    """What the search finds for a sample that is the gold itself (the gold parser's votes are):
    the identity renaming (each symbol's own name and shape outweigh any other), every formula
    equivalent to itself (no check needed)."""
    owned = [_own(f) for f in formulas]
    parts = [Counterpart(j, j, "equivalent", dict(shown)) for j, (_, shown) in enumerate(owned)]
    return Comparison(_shown_identity(frozenset().union(*[own for own, _ in owned])), parts[:-1], parts[-1], True)


@lru_cache(maxsize=4096)
def _own(f: Formula) -> tuple[frozenset[Symbol], dict[str, str]]:
    """A formula's symbols and its identity renaming as text, once per formula: a story's
    premises are judged again with each of its conclusions."""
    own = symbol_set(f)
    return own, _shown_identity(own)


def _shown_identity(symbols_: Iterable[Symbol]) -> dict[str, str]:
    """What :func:`_shown` writes for the identity renaming of ``symbols_`` (each symbol its own
    image, in the same order), without the pairs to sort."""
    return {_written(a): a[1] for a in sorted(symbols_)}


class _Search:
    def __init__(self, sp: list[Formula], sc: Formula | None, gp: list[Formula], gc: Formula,
                 checker: Checker, max_checks: int, deadline: float):
        self.sample = [*sp, sc] if sc is not None else sp
        self.gold = [*gp, gc]
        self.n_sample, self.n_gold = len(sp), len(gp)
        self.conclusion = (len(sp), len(gp)) if sc is not None else None
        self.positional = len(sp) == len(gp)
        self.checker, self.start, self.deadline = checker, checker.checks, deadline
        self.budget = checker.checks + max_checks
        self.sample_symbols = [set(symbols([f])) for f in self.sample]
        self.gold_symbols = [set(symbols([f])) for f in self.gold]
        self.gold_names = {s[1] for syms in self.gold_symbols for s in syms}
        if self.positional:
            self.pairs = [(i, i) for i in range(len(sp))]
        else:
            self.pairs = sorted(itertools.product(range(len(sp)), range(len(gp))), key=lambda p: (abs(p[0] - p[1]), p))
        if self.conclusion is not None:
            self.pairs.append(self.conclusion)
        self._nnf: dict[Formula, Formula | None] = {}
        self.evidence = self._evidence()
        self._renamed: dict[tuple[int, tuple], Formula] = {}

    @property
    def spent(self) -> bool:
        return self.checker.checks >= self.budget or time.monotonic() >= self.deadline

    # ---------------------------------------------------------------- the renaming

    def _evidence(self) -> defaultdict[tuple[Symbol, Symbol], float]:
        """Votes for sample symbol ↦ gold symbol: formulas of one shape (after negation normal
        form, so ``¬¬P`` is ``P`` and ``A → B`` is ``¬A ∨ B``) say it strongly (2, more than any
        name similarity); symbols met in the same order in paired formulas say it weakly (0.1)."""
        votes: defaultdict[tuple[Symbol, Symbol], float] = defaultdict(float)
        for i, j in self.pairs:
            s, g = self.sample[i], self.gold[j]
            shared = self._alike(s, g)
            for pair in (shared or {}).items():
                votes[pair] += 2.0
            if self.positional or (i, j) == self.conclusion:
                for a, b in zip(_in_order(s), _in_order(g)):
                    if a[0] == b[0] and a[2] == b[2]:
                        votes[(a, b)] += 0.1
        return votes

    def _alike(self, s: Formula, g: Formula) -> dict[Symbol, Symbol] | None:
        """The correspondence giving ``s`` and ``g`` one shape, as written or in negation normal
        form (each formula's NNF made once, and not at all past :data:`MAX_NNF` nodes)."""
        shared = _correspond(s, g)
        if shared is None:
            a, b = self._normal(s), self._normal(g)
            shared = None if a is None or b is None else _correspond(a, b)
        return shared

    def _normal(self, f: Formula) -> Formula | None:
        if f not in self._nnf:
            self._nnf[f] = nnf(f) if nnf_size(f) <= MAX_NNF else None
        return self._nnf[f]

    def _preference(self, a: Symbol, b: Symbol) -> float:
        return self.evidence.get((a, b), 0.0) + _similarity(a[1], b[1])

    def _initial(self) -> dict[Symbol, Symbol]:
        """The greedy injective renaming by evidence, then name similarity."""
        mine = set().union(*self.sample_symbols) if self.sample_symbols else set()
        theirs = set().union(*self.gold_symbols)
        options = [(a, b) for a in mine for b in theirs if a[0] == b[0] and a[2] == b[2]]
        options.sort(key=lambda ab: (self._preference(*ab), ab), reverse=True)
        mapping: dict[Symbol, Symbol] = {}
        used: set[Symbol] = set()
        for a, b in options:
            if a not in mapping and b not in used:
                mapping[a] = b
                used.add(b)
        return mapping

    def renamed(self, i: int, mapping: dict[Symbol, Symbol]) -> Formula:
        """Sample formula ``i`` with its symbols renamed; a symbol the renaming leaves out gets a
        name the gold does not use, so it can never be taken for a gold symbol by accident."""
        own = tuple(sorted((a, mapping.get(a)) for a in self.sample_symbols[i]))
        key = (i, own)
        if key not in self._renamed:
            names = {a: b[1] if b is not None else self._fresh(a[1]) for a, b in own}
            self._renamed[key] = rename_symbols(self.sample[i], names)
        return self._renamed[key]

    def _fresh(self, name: str) -> str:
        new, n = f"{name}_sample", 1
        while new in self.gold_names:
            n += 1
            new = f"{name}_sample{n}"
        return new

    def equivalent(self, i: int, j: int, mapping: dict[Symbol, Symbol]) -> bool:
        return self.checker.equivalent(self.renamed(i, mapping), self.gold[j])

    def matching(self, mapping: dict[Symbol, Symbol]) -> dict[int, int]:
        """gold position -> sample position of the equivalent pairs, one for one (a pair's
        formulas are checked only while the budget lasts)."""
        matched: dict[int, int] = {}
        taken: set[int] = set()
        for i, j in self.pairs:
            if j in matched or i in taken:
                continue
            if self.spent and not self.checker.decided(self.renamed(i, mapping), self.gold[j]):
                continue
            if self.equivalent(i, j, mapping):
                matched[j] = i
                taken.add(i)
        return matched

    def improve(self, mapping: dict[Symbol, Symbol], matched: dict[int, int]) -> tuple[dict[Symbol, Symbol], dict[int, int]] | None:
        """A renaming that makes more pairs equivalent, found by re-mapping the symbols of one
        failing pair onto the symbols of its gold formula; None if none was found in budget."""
        for i, j in self.pairs:
            if j in matched or i in matched.values():
                continue
            for candidate in self._local(i, j, mapping):
                if self.spent:
                    return None
                # only a renaming that gives both formulas the same symbols is worth a check
                if set(symbols([self.renamed(i, candidate)])) != self.gold_symbols[j] or not self.equivalent(i, j, candidate):
                    continue
                better = self.matching(candidate)
                if len(better) > len(matched):
                    return candidate, better
        return None

    def _local(self, i: int, j: int, mapping: dict[Symbol, Symbol]) -> Iterable[dict[Symbol, Symbol]]:
        """Renamings that differ from ``mapping`` on sample formula ``i``'s symbols only, at most
        :data:`LOCAL_TRIES`: first the correspondence that gives both formulas one shape (if
        any), then one symbol at a time sent to a symbol of gold formula ``j`` of its kind and
        arity, best evidence first. A gold symbol taken from another sample symbol is swapped."""
        shared = self._alike(self.sample[i], self.gold[j])
        moves: list[dict[Symbol, Symbol]] = [shared] if shared else []
        singles = [(a, b) for a in self.sample_symbols[i] for b in self.gold_symbols[j]
                   if a[0] == b[0] and a[2] == b[2] and mapping.get(a) != b]
        singles.sort(key=lambda ab: (self._preference(*ab), ab), reverse=True)
        moves += [{a: b} for a, b in singles]
        tried = 0
        for move in moves:
            if tried >= LOCAL_TRIES:
                return
            candidate = dict(mapping)
            for a, b in move.items():
                _assign(candidate, a, b)
            if candidate != mapping:
                tried += 1
                yield candidate

    # ---------------------------------------------------------------- the verdicts

    def run(self) -> Comparison:
        mapping = self._initial()
        matched = self.matching(mapping)
        while len(matched) < len(self.pairs) and not self.spent:
            step = self.improve(mapping, matched)
            if step is None:
                break
            mapping, matched = step
        exhausted = self.spent and len(matched) < min(len(self.pairs), self.n_gold + 1)
        premises = [self._counterpart(j, matched, mapping) for j in range(self.n_gold)]
        conclusion = self._counterpart(self.n_gold, matched, mapping)
        return Comparison(
            alignment=_shown(mapping, self.sample_symbols),
            premises=premises,
            conclusion=conclusion,
            equivalent=self._whole(premises, conclusion, mapping),
            checks=self.checker.checks - self.start,
            exhausted=exhausted,
        )

    def _counterpart(self, j: int, matched: dict[int, int], mapping: dict[Symbol, Symbol]) -> Counterpart:
        if j in matched:
            i, relation = matched[j], "equivalent"
        else:
            conclusion = j == self.n_gold
            free = [i for i in range(self.n_sample) if i not in matched.values()]
            if conclusion:
                i = self.conclusion[0] if self.conclusion is not None else None
            else:
                i = j if self.positional else min(free, key=lambda k: (abs(k - j), k), default=None)
            relation = "missing" if i is None else self.checker.relation(self.renamed(i, mapping), self.gold[j])
        own = {a: mapping[a] for a in self.sample_symbols[i] if a in mapping} if i is not None else {}
        return Counterpart(j, i, relation, _shown(own, [set(own)]))

    def _whole(self, premises: list[Counterpart], conclusion: Counterpart, mapping: dict[Symbol, Symbol]) -> bool:
        """All premises and the conclusion equivalent, one for one; or, when the sample has another
        number of premises (it split or merged some), the conjunction of its premises equivalent
        to the gold's."""
        if conclusion.relation != "equivalent":
            return False
        if self.positional:
            return all(p.relation == "equivalent" for p in premises)
        if not self.n_sample or not self.n_gold:
            return self.n_sample == self.n_gold
        mine = conjoin([self.renamed(i, mapping) for i in range(self.n_sample)])
        return self.checker.equivalent(mine, conjoin(self.gold[: self.n_gold]))


def _assign(mapping: dict[Symbol, Symbol], a: Symbol, b: Symbol) -> None:
    """Send ``a`` to ``b`` in place; the sample symbol that had ``b`` gets ``a``'s old image."""
    old = mapping.get(a)
    other = next((x for x, y in mapping.items() if y == b and x != a), None)
    if other is not None:
        if old is None:
            del mapping[other]
        else:
            mapping[other] = old
    mapping[a] = b


def _shown(mapping: dict[Symbol, Symbol], owned: Sequence[set[Symbol]]) -> dict[str, str]:
    """The renaming as text: ``IsStudent/1 -> Student`` (constants without arity)."""
    present = set().union(*owned) if owned else set()
    out = {}
    for a, b in sorted(mapping.items()):
        if a in present:
            out[_written(a)] = b[1]
    return out


def _written(a: Symbol) -> str:
    """A sample symbol as the renaming shows it: a constant by its name, the others with their arity."""
    return a[1] if a[0] == "constant" else f"{a[1]}/{a[2]}"


@lru_cache(maxsize=65536)
def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower().replace("_", ""), b.lower().replace("_", "")).ratio()


def _in_order(f: Formula) -> list[Symbol]:
    """``f``'s symbols in order of first occurrence."""
    return list(dict.fromkeys(_walk_symbols(f)))


def _walk_symbols(f: Formula) -> Iterable[Symbol]:
    for g in subformulas(f):
        if isinstance(g, Pred):
            yield ("predicate", g.name, len(g.args))
        for t in (g.args if isinstance(g, Pred) else (g.left, g.right) if isinstance(g, Eq) else ()):
            yield from _term_symbols(t)


def _term_symbols(t: Term) -> Iterable[Symbol]:
    if isinstance(t, Const):
        yield ("constant", t.name, 0)
    elif isinstance(t, Func):
        yield ("function", t.name, len(t.args))
        for a in t.args:
            yield from _term_symbols(a)


def _correspond(a: Formula, b: Formula) -> dict[Symbol, Symbol] | None:
    """The symbol correspondence that makes ``a`` and ``b`` the same formula up to symbol (and
    bound variable) names, or None if their shapes differ or a symbol would need two images."""
    pairs: dict[Symbol, Symbol] = {}
    back: dict[Symbol, Symbol] = {}

    def bind(x: Symbol, y: Symbol) -> bool:
        if x[0] != y[0] or x[2] != y[2] or pairs.setdefault(x, y) != y or back.setdefault(y, x) != x:
            return False
        return True

    def term(s: Term, t: Term, env: dict[Var, Var]) -> bool:
        if isinstance(s, Var) or isinstance(t, Var):
            return isinstance(s, Var) and isinstance(t, Var) and env.get(s, s) == t
        if isinstance(s, Const) and isinstance(t, Const):
            return bind(("constant", s.name, 0), ("constant", t.name, 0))
        if isinstance(s, Func) and isinstance(t, Func) and len(s.args) == len(t.args):
            return bind(("function", s.name, len(s.args)), ("function", t.name, len(t.args))) and \
                all(term(x, y, env) for x, y in zip(s.args, t.args))
        return False

    stack: list[tuple[Formula, Formula, dict[Var, Var]]] = [(a, b, {})]
    while stack:
        f, g, env = stack.pop()
        if type(f) is not type(g):
            return None
        if isinstance(f, Pred):
            if len(f.args) != len(g.args) or not bind(("predicate", f.name, len(f.args)), ("predicate", g.name, len(g.args))):  # type: ignore[union-attr]
                return None
            if not all(term(x, y, env) for x, y in zip(f.args, g.args)):  # type: ignore[union-attr]
                return None
        elif isinstance(f, Eq):
            if not (term(f.left, g.left, env) and term(f.right, g.right, env)):  # type: ignore[union-attr]
                return None
        elif isinstance(f, Not):
            stack.append((f.body, g.body, env))  # type: ignore[union-attr]
        elif isinstance(f, Binary):
            stack.append((f.left, g.left, env))  # type: ignore[union-attr]
            stack.append((f.right, g.right, env))  # type: ignore[union-attr]
        else:
            stack.append((f.body, g.body, {**env, f.var: g.var}))  # type: ignore[union-attr]
    return pairs
