"""The least model of the stored Horn facts, kept materialised: checks and questions in one lookup.

When a component holds only positive and negative ground literals and *Horn* rules (one clause
each, at most one positive literal, every head variable bound by the body), the store is
consistent exactly when forward chaining from its positive facts violates no goal clause (a
stored negative literal, or a rule whose literals are all negative). So the least model is kept
up to date as facts arrive (semi-naive: only consequences of the new atom are derived), each atom
with one justification; then

- a new positive literal conflicts iff its consequences meet a goal clause;
- a new negative literal ``¬A`` conflicts iff ``A`` is in the model;
- a ground question is True iff its atom is in the model (its derivation names the support).

The justifications give the stored facts behind a conflict or a proof without a solver.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable, Iterator

from linc.kg.shape import Shape
from linc.logic.formula import Const, Var

Atom = tuple[str, tuple[str, ...]]
Pattern = tuple[str, tuple]  # (predicate, args of Var / Const)
#: Why an atom holds: ("fact", fact id) or ("rule", rule id, body atoms)
Reason = tuple
#: The id a rule being checked (not stored yet) goes by in reasons.
NEW_RULE = -1


@dataclass(frozen=True)
class Clause:
    """A Horn rule: ``body → head`` (``head`` None for a goal clause: the body must not all hold)."""

    body: tuple[Pattern, ...]
    head: Pattern | None


def horn_clause(shape: Shape) -> Clause | None:
    """The rule as one Horn clause, if it is one (simple, a disjunction of literals, at most one
    positive, head variables all in the body)."""
    if not shape.simple or shape.literal is not None or not shape.occurrences:
        return None
    if any(not o.forcing or o.positive is None for o in shape.occurrences):
        return None
    heads = [o for o in shape.occurrences if o.positive]
    if len(heads) > 1:
        return None
    body = tuple((o.pred, o.args) for o in shape.occurrences if not o.positive)
    bound = {a for _, args in body for a in args if isinstance(a, Var)}
    if any(v not in bound for v in shape.variables):
        return None  # a variable the body does not bind ranges over every constant
    head = (heads[0].pred, heads[0].args) if heads else None
    return Clause(body, head)


class LeastModel:
    """Positive atoms forward-chained from the stored Horn rules, with their reasons."""

    def __init__(self) -> None:
        self.atoms: dict[Atom, Reason] = {}
        self._by_arg: dict[tuple[str, int, str], set[Atom]] = defaultdict(set)
        self._by_pred: dict[str, set[Atom]] = defaultdict(set)
        self.clauses: dict[int, Clause] = {}
        self._by_body: dict[str, list[tuple[int, int]]] = defaultdict(list)  # pred -> (rule id, body position)

    # ------------------------------------------------------------ growing

    def add_atom(self, atom: Atom, fact_id: int) -> None:
        if atom not in self.atoms:
            self._commit({atom: ("fact", fact_id), **self.consequences([atom], {atom: ("fact", fact_id)})})

    def add_clause(self, rule_id: int, clause: Clause) -> None:
        self.clauses[rule_id] = clause
        for i, (pred, _) in enumerate(clause.body):
            self._by_body[pred].append((rule_id, i))
        if clause.head is not None:
            fresh: dict[Atom, Reason] = {}
            for binding in self._join(clause.body, {}, {}, skip=None):
                head = ground_pattern(clause.head, binding)
                if head not in self.atoms and head not in fresh:
                    fresh[head] = ("rule", rule_id, tuple(ground_pattern(p, binding) for p in clause.body))
            self._commit({**fresh, **self.consequences(list(fresh), fresh)})

    def _commit(self, new: dict[Atom, Reason]) -> None:
        for atom, reason in new.items():
            self.atoms[atom] = reason
            self._by_pred[atom[0]].add(atom)
            for i, c in enumerate(atom[1]):
                self._by_arg[(atom[0], i, c)].add(atom)

    # ------------------------------------------------------------ reasoning

    def consequences(self, start: list[Atom], extra: dict[Atom, Reason]) -> dict[Atom, Reason]:
        """Atoms that follow from the model plus ``extra`` (which holds ``start``), not yet in
        either: semi-naive forward chaining from ``start``."""
        delta: dict[Atom, Reason] = {}
        seen = {**extra}
        queue = deque(start)
        while queue:
            atom = queue.popleft()
            for rule_id, position in self._by_body.get(atom[0], ()):
                clause = self.clauses[rule_id]
                if clause.head is None:
                    continue
                first = unify(clause.body[position][1], atom[1], {})
                if first is None:
                    continue
                for binding in self._join(clause.body, first, seen, skip=position):
                    head = ground_pattern(clause.head, binding)
                    if head in self.atoms or head in seen:
                        continue
                    reason = ("rule", rule_id, tuple(ground_pattern(p, binding) for p in clause.body))
                    seen[head] = delta[head] = reason
                    queue.append(head)
        return delta

    def violated(self, atoms: list[Atom], extra: dict[Atom, Reason], negative: Callable[[Atom], int | None]) -> tuple[set[int], list[Atom]] | None:
        """A goal clause that ``atoms`` (new, in ``extra``) make false: a stored negative literal
        on one of them (``negative`` gives its fact id) or a goal rule whose body now holds.
        Returns (goal fact ids, the atoms whose derivations complete the conflict), or None."""
        for atom in atoms:
            opposite = negative(atom)
            if opposite is not None:
                return {opposite}, [atom]
            for rule_id, position in self._by_body.get(atom[0], ()):
                clause = self.clauses[rule_id]
                if clause.head is not None:
                    continue
                first = unify(clause.body[position][1], atom[1], {})
                if first is None:
                    continue
                for binding in self._join(clause.body, first, extra, skip=position):
                    return {rule_id}, [ground_pattern(p, binding) for p in clause.body]
        return None

    def clause_conflict(self, clause: Clause, negative: Callable[[Atom], int | None]) -> tuple[set[int], list[Atom], dict[Atom, Reason]] | None:
        """Whether adding ``clause`` to the stored facts meets a goal clause: (goal fact ids, atoms
        whose derivations complete the conflict, the atoms the clause would add), or None."""
        self.clauses[NEW_RULE] = clause
        for i, (pred, _) in enumerate(clause.body):
            self._by_body[pred].append((NEW_RULE, i))
        try:
            if clause.head is None:
                for binding in self._join(clause.body, {}, {}, skip=None):
                    return set(), [ground_pattern(p, binding) for p in clause.body], {}
                return None
            extra: dict[Atom, Reason] = {}
            for binding in self._join(clause.body, {}, {}, skip=None):
                head = ground_pattern(clause.head, binding)
                if head not in self.atoms:
                    extra.setdefault(head, ("rule", NEW_RULE, tuple(ground_pattern(p, binding) for p in clause.body)))
            extra.update(self.consequences(list(extra), extra))
            found = self.violated(list(extra), extra, negative)
            return None if found is None else (*found, extra)
        finally:
            del self.clauses[NEW_RULE]
            for pred, _ in clause.body:
                self._by_body[pred] = [e for e in self._by_body[pred] if e[0] != NEW_RULE]

    def support(self, atoms: list[Atom], extra: dict[Atom, Reason] | None = None) -> set[int]:
        """The stored facts the derivations of ``atoms`` rest on."""
        extra = extra or {}
        out: set[int] = set()
        seen: set[Atom] = set()
        stack = list(atoms)
        while stack:
            atom = stack.pop()
            if atom in seen:
                continue
            seen.add(atom)
            reason = self.atoms.get(atom) or extra.get(atom)
            if reason is None:
                continue
            if reason[0] == "rule":
                stack.extend(reason[2])
            if reason[1] is not None and reason[1] != NEW_RULE:
                out.add(reason[1])
        return out

    def derivation(self, atoms: list[Atom], extra: dict[Atom, Reason] | None = None) -> list[str]:
        """The derivation of ``atoms``, premises first, one step a line (a forward-chaining proof)."""
        extra = extra or {}
        lines: list[str] = []
        done: set[Atom] = set()
        stack: list[tuple[Atom, bool]] = [(a, False) for a in reversed(atoms)]
        while stack:
            atom, expanded = stack.pop()
            if atom in done:
                continue
            reason = self.atoms.get(atom) or extra.get(atom)
            if reason is None or reason[0] == "fact" or expanded:
                done.add(atom)
                if reason is None or reason[1] is None:
                    lines.append(f"{show(atom)}   (the fact in question)")
                elif reason[0] == "fact":
                    lines.append(f"{show(atom)}   stored fact #{reason[1]}")
                else:
                    lines.append(f"{show(atom)}   by rule #{reason[1]} from {', '.join(show(b) for b in reason[2])}")
                continue
            stack.append((atom, True))
            stack.extend((b, False) for b in reversed(reason[2]))
        return lines

    # ------------------------------------------------------------ joins

    def _join(self, body: tuple[Pattern, ...], binding: dict, extra: dict[Atom, Reason], skip: int | None) -> Iterator[dict]:
        """Bindings that make every body atom (but ``skip``) hold in the model or ``extra``."""
        todo = [i for i in range(len(body)) if i != skip]

        def walk(b: dict, left: list[int]) -> Iterator[dict]:
            if not left:
                yield b
                return
            i = max(left, key=lambda j: sum(not isinstance(a, Var) or a in b for a in body[j][1]))
            pred, args = body[i]
            rest = [j for j in left if j != i]
            for atom in self._candidates(pred, args, b, extra):
                more = unify(args, atom[1], b)
                if more is not None:
                    yield from walk(more, rest)

        yield from walk(binding, todo)

    def _candidates(self, pred: str, args: tuple, b: dict, extra: dict[Atom, Reason]) -> list[Atom]:
        bound = [(i, b[a] if isinstance(a, Var) else a.name) for i, a in enumerate(args) if not isinstance(a, Var) or a in b]
        if len(bound) == len(args):
            atom = (pred, tuple(c for _, c in bound))
            return [atom] if atom in self.atoms or atom in extra else []
        if bound:
            found = list(min((self._by_arg.get((pred, i, c), set()) for i, c in bound), key=len))
        else:
            found = list(self._by_pred.get(pred, ()))
        return found + [a for a in extra if a[0] == pred and len(a[1]) == len(args)]


def show(atom: Atom) -> str:
    return f"{atom[0]}({', '.join(atom[1])})" if atom[1] else atom[0]


def unify(pattern: tuple, args: tuple[str, ...], binding: dict) -> dict | None:
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


def ground_pattern(pattern: Pattern, binding: dict) -> Atom:
    pred, args = pattern
    return pred, tuple(binding[a] if isinstance(a, Var) else a.name for a in args)
