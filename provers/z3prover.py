"""The Z3 backend: in-process SMT over one uninterpreted sort, with its state kept warm.

Building a Z3 context and solver costs more than deciding a small problem, so a backend instance
keeps one context and one solver (per process: a forked worker builds its own) and reuses them.
Translated formulas are cached (premises are translated together, through SMT-LIB text, which
is several times faster than Z3's Python API). The solver's outer scope holds the current premise
list, asserted once and kept while the next decisions share it (the votes of one problem, or one
theory's questions); a different premise list pops that scope first, so no assertion outlives
its problem. Questions are asked with push/pop inside that scope. A pop leaves some of Z3's
quantifier state behind, so a check that does not finish on a reused solver is asked again on
a new one (see ``_Warm``).

A problem that is effectively propositional (function-free once Skolemised, as ProofWriter's
and most of FOLIO's are) is grounded over its constants and decided without quantifiers, on a
second solver of the same context (see :mod:`linc_provers._z3ground`); ``ground=False`` turns
that off. Either way, two checks decide a problem: premises ∧ ¬C (unsatisfiable: ``True``) and
premises ∧ C (unsatisfiable: ``False``); when only one direction is unsatisfiable, the premises'
own consistency (known from a satisfiable direction, else checked once per premise list, then
remembered) tells ``True``/``False`` from ``Inconsistent``. Each check gets the time left; a
check that runs out returns ``unknown`` and the answer becomes ``Unknown``. The "proof" is the
unsat core, in IR notation, read once both directions and the consistency are settled; the
support is that core made minimal (on the ground path by Z3 itself, else by deletion). On
``Uncertain`` the countermodel (only when ``countermodels`` is on) holds two small models, one where C holds and
one where it fails, each searched from domain size 1 upwards so that they stay readable.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import OrderedDict
from functools import cached_property, lru_cache
from typing import Any

import z3

from linc.logic.formula import Const, Formula, Func, Not, Pred, atom_terms, subformulas, terms_of
from linc.logic.smt import Z3Translator
from linc.options import at_least
from linc.proving import Label, Prover, ProverResult
from linc_provers._z3ground import GOAL_PREFIXES, Ground

#: Predicates and functions are listed in full only up to this many argument tuples.
MAX_TUPLES = 512
#: Tracking literals and model helpers use names with a space: no IR symbol maps to one (SMT rules).
_TRACK = "linc track {}"
#: A warm context is dropped and rebuilt once it has declared this many symbols (memory bound).
MAX_DECLS = 50_000
#: The support of a proof is made minimal only for cores up to this size, within this many seconds.
MINIMISE_PREMISES = 64
MINIMISE_SECONDS = 1.0


class Z3Prover(Prover):
    """Z3 (Microsoft Research) through its Python API, with a warm context per instance."""

    name = "z3"

    def __init__(self, timeout: float = 10.0, small_models: bool = True, max_model_size: int = 6,
                 cached_premise_sets: int = 256, cached_formulas: int = 4096, ground: bool = True):
        super().__init__(timeout)
        self.ground = ground  # effectively propositional problems grounded (linc_provers._z3ground)
        self.small_models = small_models
        self.max_model_size = at_least(max_model_size, 1, "max_model_size")
        self.cached_premise_sets = at_least(cached_premise_sets, 1, "cached_premise_sets")
        self.cached_formulas = at_least(cached_formulas, 1, "cached_formulas")
        self._warm: _Warm | None = None
        self._lock = threading.Lock()  # a Z3 context is not thread-safe

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_warm"], state["_lock"] = None, None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, f"z3-solver {z3.get_version_string()}"

    def _state(self) -> "_Warm":
        """This process's warm context (a forked child must not share its parent's)."""
        warm = self._warm
        if warm is None or warm.pid != os.getpid() or len(warm.tr.decls) > MAX_DECLS:
            warm = self._warm = _Warm(self.cached_premise_sets, self.cached_formulas)
        return warm

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        with self._lock:
            warm = self._state()
            deadline = time.monotonic() + timeout
            negation = _negation(conclusion)
            session = (self.ground and warm.ground_session(premises, conclusion, negation, deadline)) or warm.session(premises, deadline, self.ground)
            try:
                return self._answer(session, conclusion, negation)
            finally:  # released under the lock: a session may hold the last reference to a solver
                del session  # the backend has replaced (Z3 contexts are not thread-safe)

    def _answer(self, session: "_Session", conclusion: Formula, negation: Formula) -> ProverResult:
        # Both directions (and the premises' consistency) are settled before any core is read:
        # on the ground path a core is made minimal only once the premises are known consistent.
        pos = session.check(negation)
        if pos == z3.unsat:
            cons = session.premises.consistent
            if cons is None:  # premises ∧ C satisfiable shows them consistent in one check
                neg = session.check(conclusion)
                cons = z3.sat if neg == z3.sat else session.consistency()
                if cons == z3.unknown and neg == z3.unsat:
                    cons = z3.unsat
                session.premises.consistent = cons if cons != z3.unknown else None
            if cons == z3.unsat:
                return ProverResult(Label.INCONSISTENT, self.name, 0.0, proof=session.premises.core or session.core(negation), consistent=False)
            proof, used = session.core(negation), session.used()
            return ProverResult(Label.TRUE, self.name, 0.0, proof=proof, consistent=True if cons == z3.sat else None,
                                support=session.minimal(used, negation))
        if pos == z3.sat:
            session.premises.consistent = z3.sat
        neg = session.check(conclusion)
        if neg == z3.unsat:
            cons = session.consistency()
            if cons == z3.unsat:
                return ProverResult(Label.INCONSISTENT, self.name, 0.0, proof=session.premises.core or session.core(conclusion), consistent=False)
            proof, used = session.core(conclusion), session.used()
            return ProverResult(Label.FALSE, self.name, 0.0, proof=proof, consistent=True if cons == z3.sat else None,
                                support=session.minimal(used, conclusion))
        if pos == z3.sat and neg == z3.sat:
            countermodel = {
                "conclusion_true": session.model(conclusion, self.small_models, self.max_model_size),
                "conclusion_false": session.model(Not(conclusion), self.small_models, self.max_model_size),
            } if self.countermodels else None
            return ProverResult(Label.UNCERTAIN, self.name, 0.0, countermodel=countermodel, consistent=True)
        reason = session.reason or "z3 returned unknown"
        consistent = True if session.premises.consistent == z3.sat else None
        return ProverResult(Label.UNKNOWN, self.name, 0.0, reason=reason, consistent=consistent)


class _Premises:
    """What is known about one premise list: its names for unsat cores, its symbols, its consistency."""

    def __init__(self, premises: tuple[Formula, ...]):
        self.formulas = premises
        self.tracks = _tracks(len(premises))
        self.consistent: z3.CheckSatResult | None = None  # the premises alone, once checked definitely
        self.core: str | None = None  # the unsat core of the premises alone, when inconsistent

    def name(self, track: str) -> str:
        """How an unsat core shows the premise behind ``track`` (formatted only when shown)."""
        i = self.index[track]
        return f"premise_{i + 1}: {self.formulas[i]}"

    # Only unsat cores and countermodels need these, so they are built on first use.
    @cached_property
    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tracks)}

    @cached_property
    def symbols(self) -> frozenset[tuple[str, str, int]]:
        return _symbols(self.formulas)


class _Warm:
    """One process's Z3 context and solver. The solver's outer scope holds the premises of the
    latest problem, asserted (tracked, for unsat cores) once and kept while the next problems
    have the same premises (the votes of one problem); another premise list pops that scope
    first, so no assertion outlives its premise list. Facts about premise lists are cached.

    A pop does not take back everything: Z3's quantifier instantiation keeps state past it, so a
    solver that served other premise lists (``seasoned``) may search worse than a new one
    (measured: a vote of a recorded FOLIO problem, ``Uncertain`` in 50 ms on a new solver, ran to
    its 10 s limit after the 120 problems before it). A new solver per premise list costs ~1 ms,
    more than most decisions, so a check runs on a seasoned solver for :data:`SEASONED_SECONDS`
    at most, then on a new one: answers do not depend on the problems before."""

    #: The solver is rebuilt after this many premise lists (bounds anything Z3 keeps across scopes).
    MAX_SCOPES = 5_000

    def __init__(self, premise_sets: int, formulas: int):
        self.pid = os.getpid()
        self.tr = Z3Translator()
        self.goal = z3.Bool(_TRACK.format("goal"), self.tr.ctx)
        self.solver = z3.SimpleSolver(ctx=self.tr.ctx)
        self.current: _Premises | None = None  # the premise list asserted in the outer scope
        self.scoped = False  # an outer scope is open (possibly half-filled if asserting failed)
        self.scopes = 0  # premise lists this solver has held
        self._formulas: OrderedDict[Formula, z3.BoolRef] = OrderedDict()
        self._premises: OrderedDict[tuple[Formula, ...], _Premises] = OrderedDict()
        self._sizes = (premise_sets, formulas)
        self.ground: Ground | None = None  # the ground path's solver, built on first use

    def formulas(self, fs: tuple[Formula, ...]) -> list[z3.BoolRef]:
        """Z3 terms of ``fs``; the ones not cached are translated together (one SMT-LIB parse)."""
        cache = self._formulas
        missing = [f for f in dict.fromkeys(fs) if f not in cache]
        for f, term in zip(missing, self.tr.formulas(missing)):
            cache[f] = term
        terms = []
        for f in fs:
            cache.move_to_end(f)
            terms.append(cache[f])
        while len(cache) > self._sizes[1]:
            cache.popitem(last=False)
        return terms

    def formula(self, f: Formula) -> z3.BoolRef:
        return self.formulas((f,))[0]

    def session(self, premises: list[Formula], deadline: float, grounding: bool = False) -> "_Session":
        key = tuple(premises)
        known = _lru(self._premises, key, self._sizes[0], lambda: _Premises(key))
        if self.current is not known:
            if self.scoped:
                self.solver.pop()
                self.scoped = False
            self.current = None
            if self.scopes >= self.MAX_SCOPES:
                self.solver, self.scopes = z3.SimpleSolver(ctx=self.tr.ctx), 0
            self._assert(known)
        return _Session(self, known, deadline, grounding)

    def _assert(self, known: _Premises) -> None:
        self.solver.push()
        self.scoped = True
        self.scopes += 1
        for name, term in zip(known.tracks, self.formulas(known.formulas)):
            self.solver.assert_and_track(term, z3.Bool(name, self.tr.ctx))
        self.current = known

    @property
    def seasoned(self) -> bool:
        """The solver has held other premise lists than the current one."""
        return self.scopes > 1

    def renew(self) -> z3.Solver:
        """A fresh solver holding the same premise list, after a check that did not finish: an
        interrupted quantified search can leave state in the solver past its scope. Measured: after
        a check of transitive, irreflexive and serial R stopped at 220 or 345 ms, the next problem
        (transitive and serial R, satisfiable) ran to its 10 s limit on the same solver; a fresh
        one answers it at once."""
        known, self.current, self.scoped, self.scopes = self.current, None, False, 0
        self.solver = z3.SimpleSolver(ctx=self.tr.ctx)
        if known is not None:
            self._assert(known)
        return self.solver


    def ground_session(self, premises: list[Formula], conclusion: Formula, negation: Formula, deadline: float) -> "_GroundSession | None":
        """The problem on the ground path, or None when it is not for it (see linc_provers._z3ground)."""
        if self.ground is None:
            self.ground = Ground(self.tr, self._sizes[1])
        key = tuple(premises)
        known = _lru(self._premises, key, self._sizes[0], lambda: _Premises(key))
        literals = self.ground.load(key, known.tracks, conclusion, negation, known)
        return None if literals is None else _GroundSession(self, known, deadline, conclusion, literals)


#: Seconds a check runs on a solver that held other premise lists before a new solver is asked
#: instead: a hundred times what making the new one costs (~1 ms), so the detour costs a check that
#: needs longer under 1%, and a decision stuck on the old solver's state 0.1 s.
SEASONED_SECONDS = 0.1

#: A conclusion's negation, the same object each time it is asked again (the caches keyed on
#: it then find it without comparing formulas).
_negation = lru_cache(maxsize=4096)(Not)

_TRACKS: list[str] = []


def _tracks(n: int) -> list[str]:
    """The tracking literals' names of premises 1..n (made once: every premise list needs them)."""
    while len(_TRACKS) < n:
        _TRACKS.append(_TRACK.format(f"premise_{len(_TRACKS) + 1}"))
    return _TRACKS[:n]


def _lru(cache: OrderedDict, key: Any, size: int, make: Any) -> Any:
    value = cache.get(key)
    if value is None:
        value = cache[key] = make()
        if len(cache) > size:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return value


class _Session:
    """The questions of one decision, asked on a premise list's solver inside push/pop."""

    def __init__(self, warm: _Warm, premises: _Premises, deadline: float, grounding: bool = False):
        self.warm = warm
        self.premises = premises
        self.solver = warm.solver
        self.deadline = deadline
        self.grounding = grounding  # a core may be made minimal on the ground solver (the backend's ``ground``)
        self.reason = ""
        self._cores: dict[Formula | None, list[str]] = {}  # goal -> the core of its unsatisfiable check
        self._last_core: list[str] = []  # the core shown last
        self._goal: Formula | None = None  # its goal

    def _timeout(self, cap: float | None = None) -> int | None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.reason = "time limit"
            return None
        return max(1, int((left if cap is None else min(cap, left)) * 1000))

    def check(self, goal: Formula | None = None) -> z3.CheckSatResult:
        if not self.warm.seasoned:
            return self._check(goal)
        result = self._check(goal, SEASONED_SECONDS)
        if result == z3.unknown and self.deadline > time.monotonic():  # _check renewed the solver
            result = self._check(goal)
        return result

    def _check(self, goal: Formula | None, cap: float | None = None) -> z3.CheckSatResult:
        ms = self._timeout(cap)
        if ms is None:
            return z3.unknown
        self.solver.set("timeout", ms)
        self.solver.push()
        try:
            if goal is not None:
                self.solver.assert_and_track(self.warm.formula(goal), self.warm.goal)
            result = self.solver.check()
            if result == z3.unknown:
                self.reason = self.solver.reason_unknown()
            elif result == z3.unsat:
                self._cores[goal] = [str(c) for c in self.solver.unsat_core()]
        finally:
            self.solver.pop()
        if result == z3.unknown:
            self.solver = self.warm.renew()
        return result

    def consistency(self) -> z3.CheckSatResult:
        """Are the premises alone satisfiable? Asked once per premise list (definite answers kept)."""
        p = self.premises
        if p.consistent is None:
            result = self.check()
            if result == z3.unsat:
                p.core = self.core(None)
            if result != z3.unknown:
                p.consistent = result
            return result
        return p.consistent

    def core(self, goal: Formula | None) -> str:
        """The unsat core of the premises with ``goal`` (their unsatisfiable check), one used
        formula a line."""
        self._last_core, self._goal = self._cores.get(goal, []), goal
        return self._shown()

    def _shown(self) -> str:
        goal = _TRACK.format("goal")
        lines = ["unsat core (these formulas cannot all hold):"]
        for name in sorted(self._last_core, key=lambda n: (n == goal, len(n), n)):
            lines.append(f"  goal: {self._goal}" if name == goal else f"  {self.premises.name(name)}")
        return "\n".join(lines)

    def used(self) -> list[int]:
        """0-based positions of the premises in the core shown last."""
        position = self.premises.index
        return sorted(position[n] for n in self._last_core if n in position)

    def minimal(self, used: list[int], goal: Formula) -> list[int]:
        """``used`` made minimal by deletion (Z3's cores are not minimal): each premise is dropped
        in turn and stays out when the rest, with ``goal``, is still unsatisfiable. A separate
        solver over just the core asks, with one assumption literal per premise; bounded by
        :data:`MINIMISE_SECONDS` and :data:`MINIMISE_PREMISES` (past them the core is kept as is).
        A core that grounds (it often does where its whole problem did not: fewer constants) is
        made minimal on the ground solver instead, without quantifier instantiation."""
        if len(used) <= 1 or len(used) > MINIMISE_PREMISES:
            return used
        if self.grounding:
            subset = [self.premises.formulas[i] for i in used]
            ground = self.warm.ground_session(subset, goal, _negation(goal), self.deadline)
            if ground is not None:
                return [used[k] for k in ground.minimal(list(range(len(used))), goal)]
        deadline = min(self.deadline, time.monotonic() + MINIMISE_SECONDS)
        ctx = self.warm.tr.ctx
        solver = z3.SimpleSolver(ctx=ctx)
        solver.add(self.warm.formula(goal))
        flags = {i: z3.Bool(_TRACK.format(f"keep {i}"), ctx) for i in used}
        for i, term in zip(used, self.warm.formulas(tuple(self.premises.formulas[i] for i in used))):
            solver.add(z3.Implies(flags[i], term))
        keep = list(used)
        for i in used:
            left = deadline - time.monotonic()
            if i not in keep or left <= 0:
                continue
            trial = [j for j in keep if j != i]
            solver.set("timeout", max(1, int(left * 1000)))
            if solver.check([flags[j] for j in trial]) == z3.unsat:
                core = {str(c) for c in solver.unsat_core()}
                keep = [j for j in trial if str(flags[j]) in core]
        return keep

    def model(self, extra: Formula, small: bool, max_size: int) -> dict[str, Any] | None:
        """A readable model of premises ∧ ``extra``, over the smallest domain found in time."""
        tr = self.warm.tr
        symbols = self.premises.symbols | _symbols((extra,))
        sizes = range(1, max_size + 1) if small else []
        answers = []
        self.solver.push()
        try:
            self.solver.add(self.warm.formula(extra))
            for n in sizes:
                self.solver.push()
                elements = [z3.Const(_TRACK.format(f"elem {i}"), tr.sort) for i in range(n)]
                u = z3.Const(_TRACK.format("u"), tr.sort)
                self.solver.add(z3.ForAll([u], z3.Or([u == e for e in elements])))
                ms = self._timeout(cap=1.0)
                if ms is None:
                    self.solver.pop()
                    return None
                self.solver.set("timeout", ms)
                answers.append(self.solver.check())
                found = answers[-1] == z3.sat and self.solver.model()
                self.solver.pop()
                if found:
                    return _readable(found, tr, symbols)
            ms = self._timeout()
            if ms is None:
                return None
            self.solver.set("timeout", ms)
            answers.append(self.solver.check())
            return _readable(self.solver.model(), tr, symbols) if answers[-1] == z3.sat else None
        finally:
            self.solver.pop()
            if z3.unknown in answers:
                self.solver = self.warm.renew()


class _GroundSession(_Session):
    """The same questions asked of the ground solver, where the problem is loaded; cores are
    found when asked for, models on the quantified path (they are only wanted on ``Uncertain``)."""

    def __init__(self, warm: _Warm, premises: _Premises, deadline: float, conclusion: Formula,
                 literals: tuple[z3.BoolRef, z3.BoolRef]):
        super().__init__(warm, premises, deadline)
        self.ground: Ground = warm.ground  # type: ignore[assignment]
        self.conclusion = conclusion
        self.literals = literals  # standing for the conclusion, and for its negation
        self._minimal = False  # the last core is minimal already

    def _literal(self, goal: Formula | None) -> z3.BoolRef | None:
        if goal is None:
            return None
        return self.literals[0] if goal is self.conclusion or goal == self.conclusion else self.literals[1]

    def check(self, goal: Formula | None = None) -> z3.CheckSatResult:
        if self._timeout() is None:
            return z3.unknown
        literal = self._literal(goal)
        result = self.ground.check(literal, self.deadline)
        if result == z3.unknown:
            self.reason = "time limit" if time.monotonic() >= self.deadline else self.ground.solver.reason_unknown()
        return result

    def core(self, goal: Formula | None) -> str:
        # A conclusion's core (the proof's support) is made minimal by Z3 when the premises are
        # known consistent (minimising the core of an inconsistent problem can cost more than the
        # decision, in vain); the premises' own core is shown as found.
        minimal = goal is not None and self.premises.consistent == z3.sat
        found = None if self._timeout() is None else self.ground.core(self.premises.tracks, self._literal(goal), self.deadline, minimal)
        # no core in time: all premises (and the goal) cannot hold together
        names = found if found is not None else list(self.premises.tracks) + ([] if goal is None else [GOAL_PREFIXES[0]])
        self._goal = goal
        self._last_core = [_TRACK.format("goal") if n.startswith(GOAL_PREFIXES) else n for n in names]
        self._minimal = minimal and found is not None
        return self._shown()

    def minimal(self, used: list[int], goal: Formula) -> list[int]:
        """``used`` made minimal by Z3 (deletion, on the ground solver: see
        :meth:`linc_provers._z3ground.Ground.core`), unless the core was found minimal already."""
        if self._minimal or len(used) <= 1 or self._timeout() is None:
            return used
        tracks = self.premises.tracks
        names = self.ground.core([tracks[i] for i in used], self._literal(goal), self.deadline, True)
        if names is None:
            return used
        kept = set(names)
        return [i for i in used if tracks[i] in kept]

    def model(self, extra: Formula, small: bool, max_size: int) -> dict[str, Any] | None:
        return self.warm.session(list(self.premises.formulas), self.deadline).model(extra, small, max_size)


def _symbols(formulas: tuple[Formula, ...]) -> frozenset[tuple[str, str, int]]:
    """The (kind, name, arity) keys of the symbols in ``formulas`` (the translator's decl keys)."""
    out: set[tuple[str, str, int]] = set()
    for f in formulas:
        for g in subformulas(f):
            if isinstance(g, Pred):
                out.add(("predicate", g.name, len(g.args)))
            for t in (t for a in atom_terms(g) for t in terms_of(a)):
                if isinstance(t, Const):
                    out.add(("constant", t.name, 0))
                elif isinstance(t, Func):
                    out.add(("function", t.name, len(t.args)))
    return frozenset(out)


def _readable(model: z3.ModelRef, tr: Z3Translator, symbols: frozenset[tuple[str, str, int]]) -> dict[str, Any]:
    """Domain elements as e0, e1, ...; the problem's constants, functions and predicates with IR names."""
    universe = model.get_universe(tr.sort) or []
    element = {str(e): f"e{i}" for i, e in enumerate(universe)}

    def show(value: z3.ExprRef) -> Any:
        if z3.is_bool(value):
            return z3.is_true(value)
        return element.get(str(value), str(value))

    out: dict[str, Any] = {"domain": list(element.values()), "constants": {}, "functions": {}, "predicates": {}}
    for (kind, name, arity), decl in sorted(tr.decls.items()):
        if (kind, name, arity) not in symbols:
            continue
        if kind == "constant":
            out["constants"][name] = show(model.eval(decl(), model_completion=True))
            continue
        if len(universe) ** arity > MAX_TUPLES:
            out["predicates" if kind == "predicate" else "functions"][name] = f"(too large to list: {len(universe)}^{arity})"
            continue
        rows = itertools.product(universe, repeat=arity)
        values = [(tuple(element[str(a)] for a in row), show(model.eval(decl(*row), model_completion=True))) for row in rows]
        if kind == "predicate" and arity == 0:
            out["predicates"][name] = values[0][1]
        elif kind == "predicate":
            out["predicates"][name] = [list(args) for args, holds in values if holds]
        else:
            out["functions"][name] = {",".join(args): value for args, value in values}
    return out
