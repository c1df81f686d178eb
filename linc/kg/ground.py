"""Which stored facts a check must see: ground instances around the new facts, or a component.

:func:`plan` picks, for new formulas (a fact to store, or premises and a negated goal):

- the **whole store**, when an equality under a quantifier is stored or asked (it can bound the
  domain, which every fact feels);
- the **ground instances** that can matter, when the new formulas are ground literals and their
  component holds simple facts only (see :mod:`linc.kg.shape`): a breadth-first walk over
  ground atoms, from the new literals through the rule instances that contain them, keeping only
  instances whose anchored literals are matched by stored (or new) opposite literals. The result
  is propositional, so the solver decides it completely and fast;
- otherwise the **component** of the new formulas' symbols, as whole formulas.

The walk gives up (and the component is used) when a rule has a variable no anchored literal
binds (its instances would range over every constant) or when it grows past ``budget``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from linc.kg.index import Index
from linc.kg.shape import Literal, Occurrence, Shape, analyse, literal_of
from linc.logic.formula import Const, Formula, Var, substitute

#: Rule instances plus join steps one walk may take before it falls back to the component.
BUDGET = 200_000

Atom = tuple[str, tuple[str, ...]]


@dataclass
class Plan:
    """The stored facts a check needs: as ground instances (``ground``) or whole formulas."""

    ground: bool
    #: fact id -> the formulas standing for it in the check (its instances, or itself)
    parts: dict[int, list[Formula]] = field(default_factory=dict)
    reason: str = ""

    @property
    def rules_used(self) -> bool:
        """False when only literals are involved: they clash only with their opposites."""
        return any(len(v) != 1 or literal_of(v[0]) is None for v in self.parts.values())


def plan(index: Index, seeds: Sequence[Formula], budget: int = BUDGET) -> Plan:
    """The part of the store that can decide whether ``seeds`` together with it are consistent."""
    shapes = [analyse(s) for s in seeds]
    if index.quantified_equality or any(s.quantified_equality for s in shapes):
        return _whole(index, index.formulas, "an equality under a quantifier is involved: every fact can matter")
    eq = set(index.eq_constants) | {c for s in shapes for c in s.eq_constants}
    symbols = set().union(*(s.connectors(eq) for s in shapes))
    for c in {c for s in shapes for c in s.eq_constants}:  # a new equality constant ties what mentions it
        for i in index.by_constant.get(c, ()):
            symbols |= index.shapes[i].connectors(eq)
    roots, complex_ = index.component(symbols)
    if all(s.literal is not None for s in shapes) and not complex_:
        walked = _Walk(index, [s.literal for s in shapes], budget).run()  # type: ignore[misc]
        if walked is not None:
            return walked
        reason = "the ground instances around the fact range too wide"
    else:
        reason = "a rule outside the simple (function-free, equality-free, universal) fragment is connected"
    return _whole(index, index.members(roots), reason)


def _whole(index: Index, ids, reason: str) -> Plan:
    return Plan(False, {i: [index.formulas[i]] for i in sorted(ids)}, reason)


class _Walk:
    """One breadth-first walk over ground atoms (see the module docstring)."""

    def __init__(self, index: Index, seeds: list[Literal], budget: int):
        self.index = index
        self.seeds = set(seeds)
        self.budget = budget
        self.parts: dict[int, list[Formula]] = {}
        self._instances: dict[int, set[Formula]] = {}

    def run(self) -> Plan | None:
        queue: deque[Atom] = deque((p, args) for p, args, _ in self.seeds)
        seen = set(queue)
        index = self.index
        while queue:
            pred, args = queue.popleft()
            for positive in (True, False):
                i = index.literals.get((pred, args, positive))
                if i is not None:
                    self.parts[i] = [index.formulas[i]]
            for rid in sorted(index.rules_by_pred.get(pred, ())):
                shape = index.shapes[rid]
                for occ in shape.occurrences:
                    if occ.pred != pred or len(occ.args) != len(args):
                        continue
                    start = unify(occ.args, args, {})
                    if start is None:
                        continue
                    for binding in self._extend(shape, start):
                        if binding is None:
                            return None
                        instance = substitute(shape.matrix, {v: Const(c) for v, c in binding.items()})  # type: ignore[arg-type]
                        done = self._instances.setdefault(rid, set())
                        if instance in done:
                            continue
                        done.add(instance)
                        self.parts.setdefault(rid, []).append(instance)
                        self.budget -= 1
                        if self.budget < 0:
                            return None
                        for o in shape.occurrences:
                            atom = (o.pred, tuple(binding[a] if isinstance(a, Var) else a.name for a in o.args))  # type: ignore[index]
                            if atom not in seen:
                                seen.add(atom)
                                queue.append(atom)
        return Plan(True, self.parts)

    def _anchored(self, shape: Shape) -> list[Occurrence]:
        """Occurrences whose instance is pure (so the instance is true) unless a stored literal
        of the opposite polarity matches it."""
        pol = self.index.rule_polarity
        return [o for o in shape.occurrences if o.forcing and o.positive is not None and pol[(o.pred, not o.positive)] == 0]

    def _extend(self, shape: Shape, binding: dict[Var, str]) -> Iterator[dict[Var, str] | None]:
        """Every full binding of the rule's variables whose anchored literals are all matched;
        None when some variable is bound by no anchored literal."""
        anchored = self._anchored(shape)

        def walk(b: dict[Var, str]) -> Iterator[dict[Var, str] | None]:
            open_ = [o for o in anchored if any(isinstance(a, Var) and a not in b for a in o.args)]
            for o in anchored:
                if o not in open_ and not self._has((o.pred, ground_pattern((o.pred, o.args), b)[1], not o.positive)):
                    return
            if all(v in b for v in shape.variables):
                yield b
                return
            if not open_:
                yield None
                return
            o = max(open_, key=lambda o: sum(not isinstance(a, Var) or a in b for a in o.args))
            bound = {i: (b[a] if isinstance(a, Var) else a.name) for i, a in enumerate(o.args) if not isinstance(a, Var) or a in b}
            for lit in self._matching(o.pred, not o.positive, bound):  # type: ignore[operator]
                self.budget -= 1
                if self.budget < 0:
                    yield None
                    return
                more = unify(o.args, lit[1], b)
                if more is not None:
                    yield from walk(more)

        yield from walk(binding)

    def _has(self, lit: Literal) -> bool:
        return lit in self.index.literals or lit in self.seeds

    def _matching(self, pred: str, positive: bool, bound: dict[int, str]) -> list[Literal]:
        found = list(self.index.matching(pred, positive, bound))
        found += [s for s in self.seeds if s[0] == pred and s[2] == positive and all(s[1][i] == c for i, c in bound.items())]
        return sorted(found)


def unify(pattern: tuple, args: tuple[str, ...], binding: dict) -> dict | None:
    """``binding`` extended so that ``pattern`` (``Var`` / ``Const``) matches ``args``, or None."""
    if len(pattern) != len(args):
        return None
    out = dict(binding)
    for p, a in zip(pattern, args):
        if isinstance(p, Var):
            if out.setdefault(p, a) != a:
                return None
        elif isinstance(p, Const) and p.name != a:
            return None
    return out


def ground_pattern(pattern: tuple, binding: dict) -> Atom:
    pred, args = pattern
    return pred, tuple(binding[a] if isinstance(a, Var) else a.name for a in args)
