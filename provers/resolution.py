"""The pure-Python backend: a bounded given-clause resolution prover, in process.

No binary and no worker process: this is the fallback that always works. The calculus is binary
resolution plus factoring with most general unifiers (occurs check on), with tautology deletion
and forward and backward subsumption — refutation-complete, so a search whose clause set
saturates proves "not provable" (``Outcome.SATURATED``), which is what lets this backend answer
``Uncertain``. Equality is handled by its axioms (reflexivity, symmetry, transitivity,
congruence for every symbol in the clause set), added only when ``=`` occurs.

Every search is bounded by a deadline, checked cooperatively inside the loop, and by step
limits (given clauses, generated clauses, kept clauses); hitting one is ``Unknown``. The three
questions of :mod:`linc_provers._refute` (``pos``, ``neg``, ``cons``) share the clausified premises
and run interleaved in time slices, and :func:`~linc_provers._refute.combine` turns their attempts
into the label, exactly as for the other refutation backends.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from linc.logic.formula import Formula, Not
from linc.options import at_least
from linc.proving import Label, Prover, ProverResult
from linc_provers._clauses import (
    Clause,
    ClauseLimit,
    Clausifier,
    clause_text,
    equality_axioms,
    normalise,
    shift,
    subsumes,
    substitute,
    unify,
    weight,
)
from linc_provers._refute import QUESTIONS, Attempt, Outcome, combine, plan

#: Every AGE_RATIO-th given clause is the oldest one (fairness); the others the lightest.
AGE_RATIO = 5
#: Weight factor for clauses that do not descend from the goal (set-of-support preference).
PREMISE_FACTOR = 1.5
#: Seconds one question runs before the next one gets its turn.
SLICE = 0.02
#: How many unification attempts between two looks at the clock.
CLOCK_EVERY = 64


@dataclass(eq=False, slots=True)
class _Clause:
    id: int
    lits: Clause
    parents: tuple[int, ...]
    rule: str
    goal: bool  # descends from the negated goal
    keys: frozenset = field(default_factory=frozenset)
    eligible: tuple[int, ...] = ()  # the literals inferences may use (see _eligible)
    dead: bool = False  # subsumed after it was kept
    used: bool = False  # was given (selected)


class _Stop(Exception):
    """A bound was hit inside a step."""

    def __init__(self, attempt: Attempt):
        self.attempt = attempt


def _key(lit) -> tuple:
    return (lit[0], lit[1][0], len(lit[1]))


def _eligible(lits: Clause) -> tuple[int, ...]:
    """Resolution with negative selection: one selected negative literal (the heaviest) if the
    clause has any, else all its (positive) literals. This is ordered resolution with selection
    under the empty ordering — a superset of the inferences of any admissible ordering with the
    same selection, hence refutation-complete, and it makes mixed clauses resolve only with
    positive ones (hyperresolution-like), which saturates far more often."""
    negative = [i for i, (sign, _) in enumerate(lits) if not sign]
    if negative:
        return (max(negative, key=lambda i: weight((lits[i],))),)
    return tuple(range(len(lits)))


class Search:
    """One refutation search; :meth:`step` does one given-clause iteration."""

    def __init__(self, inputs: list[tuple[Clause, str, bool]], eq: str, deadline: float,
                 max_given: int, max_generated: int, max_kept: int):
        self.eq, self.deadline = eq, deadline
        self.max_given, self.max_generated, self.max_kept = max_given, max_generated, max_kept
        self.clauses: list[_Clause] = []
        self.by_weight: list[tuple[float, int]] = []
        self.by_age: deque[int] = deque()
        self.active: dict[tuple, list[tuple[_Clause, int]]] = defaultdict(list)  # complementary-literal index
        self.first: dict[tuple, list[_Clause]] = defaultdict(list)  # kept clauses by their first key
        self.having: dict[tuple, list[_Clause]] = defaultdict(list)  # kept clauses by every key
        self.given = self.generated = self.kept = self.ticks = 0
        self.result: Attempt | None = None
        try:
            for lits, rule, goal in inputs:
                self._add(lits, (), rule, goal)
        except _Stop as stop:
            self.result = stop.attempt

    # -------------------------------------------------------- keeping clauses

    def _add(self, lits: Clause, parents: tuple[int, ...], rule: str, goal: bool) -> None:
        """Keep a new clause unless it is subsumed; the empty clause ends the search."""
        keys = frozenset(_key(l) for l in lits)
        for k in keys:
            for c in self.first[k]:
                if not c.dead and len(c.lits) <= len(lits) and c.keys <= keys:
                    self._tick()
                    if subsumes(c.lits, lits, self._tick):
                        return
        c = _Clause(len(self.clauses), lits, parents, rule, goal, keys, _eligible(lits))
        self.clauses.append(c)
        if not lits:
            used = self._ancestors(c)
            premises = {int(r.split()[1]) - 1 for r in (self.clauses[i].rule for i in used) if r.startswith("premise ")}
            raise _Stop(Attempt(Outcome.PROVED, self._proof(used), without_goal=not goal, support=sorted(premises)))
        self.kept += 1
        if self.kept > self.max_kept:
            raise _Stop(Attempt(Outcome.LIMIT, f"kept-clause limit ({self.max_kept})"))
        self.first[_key(lits[0])].append(c)
        for k in keys:
            self.having[k].append(c)
        heapq.heappush(self.by_weight, (weight(lits) * (1.0 if goal else PREMISE_FACTOR), c.id))
        self.by_age.append(c.id)

    def _tick(self) -> None:
        self.ticks += 1
        if self.ticks % CLOCK_EVERY == 0 and time.monotonic() >= self.deadline:
            raise _Stop(Attempt(Outcome.LIMIT, "time limit"))

    def _new(self, lits: list, parents: tuple[int, ...], rule: str, goal: bool) -> None:
        self.generated += 1
        if self.generated > self.max_generated:
            raise _Stop(Attempt(Outcome.LIMIT, f"generated-clause limit ({self.max_generated})"))
        clause = normalise(lits)
        if clause is not None:  # tautologies are dropped
            self._add(clause, parents, rule, goal)

    # -------------------------------------------------------- the loop

    def _select(self) -> _Clause | None:
        queue = self.by_age if self.given % AGE_RATIO == 0 else None
        while True:
            if queue is not None:
                if not queue:
                    return None
                c = self.clauses[queue.popleft()]
            else:
                if not self.by_weight:
                    return None
                c = self.clauses[heapq.heappop(self.by_weight)[1]]
            if not c.dead and not c.used:
                return c

    def step(self) -> Attempt | None:
        """One given clause: select, simplify backwards, infer; an Attempt once the search ends."""
        if self.result is not None:
            return self.result
        try:
            self._step()
        except _Stop as stop:
            self.result = stop.attempt
        return self.result

    def _step(self) -> None:
        if time.monotonic() >= self.deadline:
            raise _Stop(Attempt(Outcome.LIMIT, "time limit"))
        if self.given >= self.max_given:
            raise _Stop(Attempt(Outcome.LIMIT, f"given-clause limit ({self.max_given})"))
        g = self._select()
        if g is None:
            raise _Stop(Attempt(Outcome.SATURATED, f"saturated after {self.given} given clauses, {self.kept} kept"))
        self.given += 1
        g.used = True
        self._backward(g)
        for i in g.eligible:
            self.active[_key(g.lits[i])].append((g, i))
        self._factors(g)
        self._resolvents(g)

    def _backward(self, g: _Clause) -> None:
        """Remove kept clauses that the given clause subsumes."""
        for c in self.having[_key(g.lits[0])]:
            if c is not g and not c.dead and len(g.lits) <= len(c.lits) and g.keys <= c.keys:
                self._tick()
                if subsumes(g.lits, c.lits, self._tick):
                    c.dead = True

    def _factors(self, g: _Clause) -> None:
        lits = g.lits
        if not lits[-1][0]:  # a negative literal is selected (negatives sort last): positive factoring only
            return
        for i in range(len(lits)):
            for j in range(i + 1, len(lits)):
                if _key(lits[i]) == _key(lits[j]):
                    self._tick()
                    s = unify(lits[i][1], lits[j][1])
                    if s is not None:
                        out = [(sign, substitute(a, s)) for k, (sign, a) in enumerate(lits) if k != j]
                        self._new(out, (g.id,), "factor", g.goal)

    def _resolvents(self, g: _Clause) -> None:
        mine = shift(g.lits)  # renamed apart from every kept clause (including g itself)
        for i in g.eligible:
            sign, atom = mine[i]
            partners = self.active[(not sign, atom[0], len(atom))]
            for n in range(len(partners)):  # the list may grow (self-resolution); fix its length
                c, j = partners[n]
                if c.dead:
                    continue
                self._tick()
                s = unify(atom, c.lits[j][1])
                if s is None:
                    continue
                out = [(sg, substitute(a, s)) for k, (sg, a) in enumerate(mine) if k != i]
                out += [(sg, substitute(a, s)) for k, (sg, a) in enumerate(c.lits) if k != j]
                self._new(out, (c.id, g.id), "resolve", g.goal or c.goal)

    # -------------------------------------------------------- the proof

    def _ancestors(self, empty: _Clause) -> set[int]:
        """The ids of the clauses the empty clause descends from (itself included)."""
        needed, stack = set(), [empty.id]
        while stack:
            i = stack.pop()
            if i not in needed:
                needed.add(i)
                stack.extend(self.clauses[i].parents)
        return needed

    def _proof(self, needed: set[int]) -> str:
        """The derivation of ⊥ from the clauses in ``needed``, renumbered 1..n, with parents."""
        number = {i: n for n, i in enumerate(sorted(needed), 1)}
        lines = []
        for i in sorted(needed):
            c = self.clauses[i]
            how = f"{c.rule} {', '.join(str(number[p]) for p in c.parents)}" if c.parents else c.rule
            lines.append(f"{number[i]}. {clause_text(c.lits, self.eq)}  [{how}]")
        return "\n".join(lines)


class ResolutionProver(Prover):
    """Given-clause binary resolution (negative selection) with factoring and subsumption; equality by axioms."""

    name = "resolution"
    #: Share of the timeout the consistency question keeps once a direction is proved.
    grace = 0.2

    def __init__(self, timeout: float = 10.0, max_given: int = 20_000, max_generated: int = 2_000_000,
                 max_kept: int = 60_000):
        super().__init__(timeout)
        self.max_given, self.max_generated, self.max_kept = (at_least(max_given, 1, "max_given"),
                                                             at_least(max_generated, 1, "max_generated"),
                                                             at_least(max_kept, 1, "max_kept"))

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, "built in, pure Python"

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        start = time.monotonic()
        clausifier = Clausifier([*premises, conclusion])
        try:
            base = [(c, f"premise {n}", False) for n, p in enumerate(premises, 1) for c in clausifier.clauses(p)]
            goals = {"pos": clausifier.clauses(Not(conclusion)), "neg": clausifier.clauses(conclusion), "cons": []}
        except ClauseLimit as e:
            return ProverResult(Label.UNKNOWN, self.name, 0.0, reason=f"clause form too large: {e}")
        if clausifier.uses_equality:
            everything = [c for c, _, _ in base] + goals["pos"] + goals["neg"]
            base += [(c, "equality axiom", False) for c in equality_axioms(everything, clausifier.eq)]
        deadline = start + timeout
        searches = {
            q: Search(base + [(c, "negated conclusion" if q == "pos" else "conclusion", True) for c in goals[q]],
                      clausifier.eq, deadline, self.max_given, self.max_generated, self.max_kept)
            for q in QUESTIONS
        }
        attempts = self._interleave(searches, deadline, self.grace * timeout)
        result = combine(self.name, attempts)
        result.details = {q: {"given": s.given, "kept": s.kept, "generated": s.generated} for q, s in searches.items()}
        return result

    def _interleave(self, searches: dict[str, Search], deadline: float, grace: float) -> dict[str, Attempt]:
        """Run the questions in turns of :data:`SLICE` seconds until each has an attempt."""
        deadlines = {q: deadline for q in searches}
        attempts: dict[str, Attempt] = {}
        running = dict(searches)
        while running:
            for q, search in list(running.items()):
                now = time.monotonic()
                if now >= deadlines[q]:
                    known = deadlines[q] < deadline
                    attempts[q] = Attempt(Outcome.LIMIT, "cancelled: the answer was already known" if known else "time limit")
                    del running[q]
                    continue
                search.deadline = deadlines[q]
                turn_end = min(now + SLICE, deadlines[q])
                outcome = search.step()
                while outcome is None and time.monotonic() < turn_end:
                    outcome = search.step()
                if outcome is not None:
                    attempts[q] = outcome
                    del running[q]
                    for other, when in plan(attempts, time.monotonic(), grace).items():
                        if other in running:
                            deadlines[other] = min(deadlines[other], when)
        return attempts
