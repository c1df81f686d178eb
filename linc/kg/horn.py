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
from dataclasses import dataclass, field
from typing import Callable, Iterator

from linc.kg.shape import Shape
from linc.logic.formula import Var

Atom = tuple[str, tuple[str, ...]]
#: (predicate, arguments): a variable is its slot number (int), a constant its name (str).
Pattern = tuple[str, tuple[int | str, ...]]
Binding = list  # slot -> constant name, None while unbound
#: Why an atom holds: ("fact", fact id) or ("rule", rule id, body atoms)
Reason = tuple
#: The id a rule being checked (not stored yet) goes by in reasons.
NEW_RULE = -1
#: A rule compiled for one trigger position (see :func:`_firing`): called with the new atom's
#: arguments and the model's atoms and indexes, it returns (head, grounded body) per match.
Firing = Callable[[tuple[str, ...], dict, dict, dict], list[tuple[Atom, tuple[Atom, ...]]]]


@dataclass(frozen=True)
class Clause:
    """A Horn rule: ``body → head`` (``head`` None for a goal clause: the body must not all hold).

    ``plans`` caches the join order per trigger position (see :func:`_plan`)."""

    body: tuple[Pattern, ...]
    head: Pattern | None
    slots: int
    plans: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


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
    bound = {a for o in shape.occurrences if not o.positive for a in o.args if isinstance(a, Var)}
    if any(v not in bound for v in shape.variables):
        return None  # a variable the body does not bind ranges over every constant
    slot = {v: n for n, v in enumerate(dict.fromkeys(a for o in shape.occurrences for a in o.args if isinstance(a, Var)))}

    def pattern(o) -> Pattern:
        return o.pred, tuple(slot[a] if isinstance(a, Var) else a.name for a in o.args)

    body = tuple(pattern(o) for o in shape.occurrences if not o.positive)
    return Clause(body, pattern(heads[0]) if heads else None, len(slot))


class LeastModel:
    """Positive atoms forward-chained from the stored Horn rules, with their reasons."""

    def __init__(self) -> None:
        self.atoms: dict[Atom, Reason] = {}
        self._by_arg: dict[tuple[str, int, str], set[Atom]] = defaultdict(set)
        self._by_pred: dict[str, set[Atom]] = defaultdict(set)
        self.clauses: dict[int, Clause] = {}
        #: pred -> (rule id, body position, its compiled firing): rules with a head; and goal
        #: clauses (their firing None: they are only ever joined with atoms still to be added)
        self._rules: dict[str, list[tuple[int, int, Firing | None]]] = defaultdict(list)
        self._goals: dict[str, list[tuple[int, int, Firing | None]]] = defaultdict(list)

    # ------------------------------------------------------------ growing

    def add_atoms(self, facts: list[tuple[Atom, int]]) -> None:
        """Add stored positive literals and everything they derive (one pass for a whole file:
        every new atom enters the model at once and fires the rules it is a body atom of)."""
        queue = deque()
        for atom, fact_id in facts:
            if atom not in self.atoms:
                self._commit(atom, ("fact", fact_id))
                queue.append(atom)
        self._saturate(queue)

    def add_clause(self, rule_id: int, clause: Clause) -> None:
        self.clauses[rule_id] = clause
        self._index_body(rule_id, clause)
        if clause.head is not None:
            queue = deque()
            for b in self._join(clause, [None] * clause.slots, {}, None):
                head = _ground(clause.head, b)
                if head not in self.atoms:
                    self._commit(head, _because(rule_id, clause, b))
                    queue.append(head)
            self._saturate(queue)

    def _index_body(self, rule_id: int, clause: Clause) -> None:
        by_body = self._rules if clause.head is not None else self._goals
        for i, (pred, _) in enumerate(clause.body):
            by_body[pred].append((rule_id, i, _firing(clause, i) if clause.head is not None else None))

    def _saturate(self, queue: deque[Atom]) -> None:
        """Forward chaining from the atoms in ``queue`` (already in the model). A derived atom
        enters the model at once, so its reason only names atoms that entered before it (the
        derivations stay acyclic), and it is queued to fire the rules in turn."""
        atoms, rules, by_arg, by_pred = self.atoms, self._rules, self._by_arg, self._by_pred
        while queue:
            pred, args = queue.popleft()
            for rule_id, _, fire in rules.get(pred, ()):
                for head, body in fire(args, atoms, by_arg, by_pred):  # type: ignore[misc]
                    if head not in atoms:
                        self._commit(head, ("rule", rule_id, body))
                        queue.append(head)

    def _commit(self, atom: Atom, reason: Reason) -> None:
        self.atoms[atom] = reason
        self._by_pred[atom[0]].add(atom)
        if len(atom[1]) > 1:  # a unary atom is only ever looked up whole
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
            for rule_id, clause, b in self._fire(queue.popleft(), seen, goals=False):
                head = _ground(clause.head, b)  # type: ignore[arg-type]
                if head not in self.atoms and head not in seen:
                    seen[head] = delta[head] = _because(rule_id, clause, b)
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
            for rule_id, clause, b in self._fire(atom, extra, goals=True):
                return {rule_id}, [_ground(p, b) for p in clause.body]
        return None

    def clause_conflict(self, clause: Clause, negative: Callable[[Atom], int | None]) -> tuple[set[int], list[Atom], dict[Atom, Reason]] | None:
        """Whether adding ``clause`` to the stored facts meets a goal clause: (goal fact ids, atoms
        whose derivations complete the conflict, the atoms the clause would add), or None."""
        self.clauses[NEW_RULE] = clause
        self._index_body(NEW_RULE, clause)
        try:
            matches = self._join(clause, [None] * clause.slots, {}, None)
            if clause.head is None:
                return (set(), [_ground(p, matches[0]) for p in clause.body], {}) if matches else None
            extra: dict[Atom, Reason] = {}
            for b in matches:
                head = _ground(clause.head, b)
                if head not in self.atoms:
                    extra.setdefault(head, _because(NEW_RULE, clause, b))
            extra.update(self.consequences(list(extra), extra))
            found = self.violated(list(extra), extra, negative)
            return None if found is None else (*found, extra)
        finally:
            del self.clauses[NEW_RULE]
            by_body = self._rules if clause.head is not None else self._goals
            for pred, _ in clause.body:
                by_body[pred] = [e for e in by_body[pred] if e[0] != NEW_RULE]

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

    def _fire(self, atom: Atom, extra: dict[Atom, Reason], *, goals: bool) -> Iterator[tuple[int, Clause, Binding]]:
        """(rule id, clause, binding) for every rule body ``atom`` completes, with the model and
        ``extra``: goal clauses only, or rules with a head only."""
        for rule_id, position, _ in (self._goals if goals else self._rules).get(atom[0], ()):
            clause = self.clauses[rule_id]
            first = _bind(clause.body[position][1], atom[1], [None] * clause.slots)
            if first is not None:
                for b in self._join(clause, first, extra, position) if len(clause.body) > 1 else (first,):
                    yield rule_id, clause, b

    def _join(self, clause: Clause, binding: Binding, extra: dict[Atom, Reason], skip: int | None) -> list[Binding]:
        """Bindings that make every body atom (but ``skip``, which ``binding`` matched) hold in
        the model or ``extra``, one body atom at a time."""
        steps = clause.plans.get(skip)
        if steps is None:
            steps = clause.plans[skip] = _plan(clause.body, skip)
        rows = [binding]
        atoms = self.atoms
        for pred, args, probe in steps:
            grown = []
            if len(probe) == len(args):  # every argument bound: one lookup, nothing new to bind
                for b in rows:
                    atom = (pred, tuple(b[a] if a.__class__ is int else a for a in args))
                    if atom in atoms or atom in extra:
                        grown.append(b)
            else:
                for b in rows:
                    for atom in self._candidates(pred, args, probe, b, extra):
                        more = _bind(args, atom[1], b)
                        if more is not None:
                            grown.append(more)
            if not grown:
                return grown
            rows = grown
        return rows

    def _candidates(self, pred: str, args: tuple, probe: list[tuple[int, int | str]], b: Binding, extra: dict[Atom, Reason]):
        """Atoms of ``pred`` that may match (some argument unbound): looked up by the most
        selective bound argument."""
        if probe:
            found = min((self._by_arg.get((pred, i, b[a] if a.__class__ is int else a), ()) for i, a in probe), key=len)
        else:
            found = self._by_pred.get(pred, ())
        if not extra:
            return found
        return [*found, *(a for a in extra if a[0] == pred and len(a[1]) == len(args))]


def _plan(body: tuple[Pattern, ...], skip: int | None) -> list[tuple[str, tuple, list[tuple[int, int | str]]]]:
    """The join order of a rule body when ``body[skip]`` is matched first: the atom with the most
    bound arguments next; each step with its bound argument positions."""
    known = {a for a in body[skip][1] if a.__class__ is int} if skip is not None else set()
    left = [i for i in range(len(body)) if i != skip]
    steps = []
    while left:
        i = max(left, key=lambda j: sum(a.__class__ is not int or a in known for a in body[j][1]))
        left.remove(i)
        pred, args = body[i]
        steps.append((pred, args, [(n, a) for n, a in enumerate(args) if a.__class__ is not int or a in known]))
        known |= {a for a in args if a.__class__ is int}
    return steps


def _firing(clause: Clause, position: int) -> Firing:
    """The clause's rule as fired by a new atom at body ``position``, compiled when the rule is
    indexed. Forward chaining from a whole file fires rules hundreds of thousands of times; the
    generic join (:meth:`LeastModel._join`) builds a binding list per step, this runs the same
    join plan as nested loops over local names (same matches, twice as quick)."""
    names: dict[str, str] = {}  # predicate and constant names -> the local holding each (no quoting)

    def name(value: str) -> str:
        return names.setdefault(value, f"k{len(names)}")

    def value(p: int | str) -> str:
        return f"s{p}" if p.__class__ is int else name(p)  # type: ignore[arg-type]

    def atom(pred: str, args: tuple) -> str:
        return f"({name(pred)}, ({''.join(value(a) + ', ' for a in args)}))"

    pred, args = clause.body[position]
    lines = [f"    if len(args) != {len(args)}:", "        return out"]
    bound: set[int] = set()
    for i, a in enumerate(args):
        if a.__class__ is int and a not in bound:
            lines.append(f"    s{a} = args[{i}]")
            bound.add(a)  # type: ignore[arg-type]
        else:
            lines += [f"    if args[{i}] != {value(a)}:", "        return out"]
    depth = 1
    for pred, args, probe in _plan(clause.body, position):
        pad = "    " * depth
        if len(probe) == len(args):  # every argument bound: one lookup
            lines.append(f"{pad}if {atom(pred, args)} in atoms:")
            depth += 1
            continue
        lookups = [f"by_arg.get(({name(pred)}, {i}, {value(a)}), ())" for i, a in probe]
        source = (f"by_pred.get({name(pred)}, ())" if not lookups else lookups[0] if len(lookups) == 1
                  else f"min(({', '.join(lookups)}), key=len)")
        tests, new = [f"len(t{depth}) == {len(args)}"], {}
        for i, a in enumerate(args):
            if a.__class__ is int and a not in bound and a not in new:
                new[a] = i
            else:
                tests.append(f"t{depth}[{i}] == {f't{depth}[{new[a]}]' if a in new else value(a)}")
        lines += [f"{pad}for _, t{depth} in {source}:", f"{pad}    if {' and '.join(tests)}:"]
        lines += [f"{pad}        s{a} = t{depth}[{i}]" for a, i in new.items()]
        bound |= set(new)
        depth += 2
    body = "".join(atom(p, a) + ", " for p, a in clause.body)
    lines.append(f"{'    ' * depth}out.append(({atom(*clause.head)}, ({body})))")  # type: ignore[misc]
    source = "\n".join(["def fire(args, atoms, by_arg, by_pred):", "    out = []", *lines, "    return out"])
    scope = {local: value for value, local in names.items()}
    exec(source, scope)  # noqa: S102 - code made here from a rule's own join plan, names passed as values
    return scope["fire"]


def _bind(pattern: tuple, args: tuple[str, ...], binding: Binding) -> Binding | None:
    """``binding`` extended so that ``pattern`` matches ``args`` (a copy when it grows), or None."""
    if len(pattern) != len(args):
        return None
    out = binding
    for p, a in zip(pattern, args):
        if p.__class__ is int:
            value = out[p]
            if value is None:
                if out is binding:
                    out = list(binding)
                out[p] = a
            elif value != a:
                return None
        elif p != a:
            return None
    return out


def _ground(pattern: Pattern, b: Binding) -> Atom:
    pred, args = pattern
    return pred, tuple(b[a] if a.__class__ is int else a for a in args)


def _because(rule_id: int, clause: Clause, b: Binding) -> Reason:
    return "rule", rule_id, tuple(_ground(p, b) for p in clause.body)


def show(atom: Atom) -> str:
    return f"{atom[0]}({', '.join(atom[1])})" if atom[1] else atom[0]
