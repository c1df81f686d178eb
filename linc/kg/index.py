"""The in-memory index of the stored facts, kept in step with the file by applying new rows.

It answers, without touching SQLite: is this literal (or its opposite) stored, which rules
mention a predicate, which stored literals match a pattern, and which facts form the component
of a set of symbols (union-find over predicates, functions and equality constants, see
:mod:`linc.kg.shape`). Removing facts is rare (``retract``); the index is then rebuilt.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from linc.kg.horn import Atom, LeastModel, Reason, horn_clause
from linc.kg.shape import Literal, Shape, analyse
from linc.logic.formula import Formula

Symbol = tuple[str, str]


@dataclass
class Refutation:
    """Why stored facts refute a literal: the facts, and the derived atoms that meet a goal."""

    facts: set[int]
    atoms: list[Atom]
    extra: dict[Atom, Reason]  # atoms that would follow from the literal (empty for ``¬A``)
    goals: set[int]  # the stored goal clauses met (a negative literal, or a rule with no positive literal)

    def proof(self, index: "Index") -> str:
        lines = index.model.derivation(self.atoms, self.extra)
        goals = "; ".join(f"#{g} {index.formulas[g]}" for g in sorted(self.goals))
        tail = [f"which contradicts {goals}"] if goals else []
        return "\n".join(["derivation (least model of the stored Horn rules):", *(f"  {line}" for line in lines), *tail])


class Index:
    """Facts by id with their shapes, literal lookups, rule lookups and symbol components."""

    def __init__(self) -> None:
        self.formulas: dict[int, Formula] = {}
        self.shapes: dict[int, Shape] = {}
        self.literals: dict[Literal, int] = {}
        #: (predicate, positive?, argument position, constant) -> stored literals matching it
        self._by_arg: dict[tuple[str, bool, int, str], set[Literal]] = defaultdict(set)
        self._by_pred: dict[tuple[str, bool], set[Literal]] = defaultdict(set)
        self.rules_by_pred: dict[str, set[int]] = defaultdict(set)
        #: (predicate, positive?) -> how many rule occurrences have that polarity (both counts twice)
        self.rule_polarity: Counter[tuple[str, bool]] = Counter()
        self.by_constant: dict[str, set[int]] = defaultdict(set)
        self.eq_constants: Counter[str] = Counter()
        self.quantified_equality = 0
        self._parent: dict[Symbol, Symbol] = {}
        self._members: dict[Symbol, list[int]] = {}
        self._complex: Counter[Symbol] = Counter()  # per component root: facts that are not simple
        self._nonhorn: Counter[Symbol] = Counter()  # per component root: rules that are not Horn clauses
        self.model = LeastModel()
        self._max_id = 0

    def __len__(self) -> int:
        return len(self.formulas)

    @property
    def max_id(self) -> int:
        return self._max_id

    # ------------------------------------------------------------ adding

    def add(self, fact_id: int, formula: Formula) -> None:
        self.load([(fact_id, formula)])

    def load(self, rows: list[tuple[int, Formula]]) -> None:
        """Add facts in id order; the least model grows once, from all their atoms together."""
        atoms: list[tuple[Atom, int]] = []
        for fact_id, formula in rows:
            self._add(fact_id, formula, atoms)
        self.model.add_atoms(atoms)

    def _add(self, fact_id: int, formula: Formula, atoms: list[tuple[Atom, int]]) -> None:
        shape = analyse(formula)
        self._max_id = max(self._max_id, fact_id)
        self.formulas[fact_id] = formula
        self.shapes[fact_id] = shape
        for c in shape.constants:
            self.by_constant[c].add(fact_id)
        clause = None
        if shape.literal is not None:
            self._add_literal(shape.literal, fact_id)
            if shape.literal[2]:
                atoms.append((shape.literal[:2], fact_id))
        else:
            clause = horn_clause(shape)
            if clause is not None:
                self.model.add_clause(fact_id, clause)
            for p in shape.predicates:
                self.rules_by_pred[p].add(fact_id)
            for occ in shape.occurrences:
                for positive in (True, False) if occ.positive is None else (occ.positive,):
                    self.rule_polarity[(occ.pred, positive)] += 1
            if not shape.simple:
                # a non-simple rule: count both polarities of all its predicates (it may use them any way)
                for p in shape.predicates:
                    self.rule_polarity[(p, True)] += 1
                    self.rule_polarity[(p, False)] += 1
        new_eq = []
        if shape.eq_constants or shape.quantified_equality:  # never for a literal
            self.quantified_equality += shape.quantified_equality
            new_eq = [c for c in shape.eq_constants if self.eq_constants[c] == 0]
            self.eq_constants.update(shape.eq_constants)
        root = self._join(fact_id)
        self._members.setdefault(root, []).append(fact_id)
        if not shape.simple:
            self._complex[root] += 1
        elif shape.literal is None and clause is None:
            self._nonhorn[root] += 1
        for c in new_eq:  # a constant now inside an equality ties every fact that mentions it
            for other in list(self.by_constant[c]):
                if other != fact_id:
                    self._join(other, {("constant", c)})

    def _add_literal(self, lit: Literal, fact_id: int) -> None:
        pred, args, positive = lit
        self.literals[lit] = fact_id
        self._by_pred[(pred, positive)].add(lit)
        for i, a in enumerate(args):
            self._by_arg[(pred, positive, i, a)].add(lit)

    # ------------------------------------------------------------ components

    def _find(self, s: Symbol) -> Symbol:
        parent = self._parent.setdefault(s, s)
        while parent != s:
            grand = self._parent[parent]
            self._parent[s] = grand
            s, parent = parent, grand
        return s

    def _union(self, a: Symbol, b: Symbol) -> Symbol:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return ra
        if len(self._members.get(ra, ())) < len(self._members.get(rb, ())):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._members.setdefault(ra, []).extend(self._members.pop(rb, []))
        self._complex[ra] += self._complex.pop(rb, 0)
        self._nonhorn[ra] += self._nonhorn.pop(rb, 0)
        return ra

    def _join(self, fact_id: int, extra: set[Symbol] = frozenset()) -> Symbol:
        """Union the fact's connectors (and ``extra``) into one component; returns its root."""
        symbols = sorted(self.shapes[fact_id].connectors(self.eq_constants.keys()) | extra) or [("fact", str(fact_id))]
        root = self._find(symbols[0])
        for s in symbols[1:]:
            root = self._union(root, s)
        return root

    def component(self, symbols: set[Symbol]) -> tuple[set[Symbol], bool]:
        """The component roots of ``symbols``, and whether any fact in them is not simple."""
        roots = {self._find(s) for s in symbols if s in self._parent}
        return roots, any(self._complex.get(r, 0) for r in roots)

    def horn(self, literal: Literal) -> bool:
        """Whether the literal's component holds only literals and Horn rules (no equality
        anywhere near it), so the least model decides it."""
        if self.quantified_equality or any(c in self.eq_constants for c in literal[1]):
            return False
        root = self._find(("predicate", literal[0])) if ("predicate", literal[0]) in self._parent else None
        return root is None or not (self._complex.get(root, 0) or self._nonhorn.get(root, 0))

    def horn_rule(self, shape: Shape) -> bool:
        """Whether a new Horn rule joins only components of literals and Horn rules."""
        if self.quantified_equality:
            return False
        roots = {self._find(("predicate", p)) for p in shape.predicates if ("predicate", p) in self._parent}
        return not any(self._complex.get(r, 0) or self._nonhorn.get(r, 0) for r in roots)

    def rule_refutation(self, clause) -> set[int] | None:
        """The stored facts that refute a new Horn rule (:meth:`horn_rule`), or None."""
        found = self.model.clause_conflict(clause, lambda a: self.literals.get((a[0], a[1], False)))
        if found is None:
            return None
        goals, atoms, extra = found
        return goals | self.model.support(atoms, extra)

    def refutation(self, literal: Literal) -> Refutation | None:
        """For a literal whose component is Horn (:meth:`horn`): why the stored facts refute it,
        or None when adding it keeps the store consistent."""
        pred, args, positive = literal
        atom = (pred, args)
        model = self.model
        if not positive:
            return Refutation(model.support([atom]), [atom], {}, set()) if atom in model.atoms else None
        opposite = self.literals.get((pred, args, False))
        if opposite is not None:
            return Refutation({opposite}, [atom], {atom: ("fact", None)}, {opposite})
        if atom in model.atoms:
            return None
        extra = {atom: ("fact", None)}
        extra.update(model.consequences([atom], extra))
        found = model.violated(list(extra), extra, lambda a: self.literals.get((a[0], a[1], False)))
        if found is None:
            return None
        goals, atoms = found
        return Refutation(goals | model.support(atoms, extra), atoms, extra, goals)

    def members(self, roots: set[Symbol]) -> list[int]:
        return sorted(i for r in roots for i in self._members.get(r, ()))

    # ------------------------------------------------------------ literal lookups

    def matching(self, pred: str, positive: bool, bound: dict[int, str]) -> set[Literal] | list[Literal]:
        """Stored literals of ``pred`` with this polarity and these constants at these positions."""
        if not bound:
            return self._by_pred.get((pred, positive), set())
        sets = [self._by_arg.get((pred, positive, i, c), set()) for i, c in bound.items()]
        smallest = min(sets, key=len)
        return [lit for lit in smallest if all(lit[1][i] == c for i, c in bound.items())]
