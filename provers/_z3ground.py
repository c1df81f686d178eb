"""The Z3 backend's ground path: effectively propositional problems decided without quantifiers.

When the premises, the conclusion and its negation are all effectively propositional (see
:mod:`linc.logic.epr`: function-free once Skolemised, as ProofWriter's theories and most FOLIO
problems are), the problem is grounded over its constants and handed, as SMT-LIB text, to a
second solver of the backend's warm context. Z3 decides the ground problem without quantifier
instantiation, several times faster than the quantified one, and the answer is the same: the
ground set is satisfiable exactly when the quantified one is. Anything else (a Skolem function,
a problem whose grounding would be too large, a name Z3's parser refuses) is left to the
quantified path.

The solver's parser remembers every declaration for as long as the solver lives, scopes or not,
so each symbol is declared once. The outer scope holds the premises, grounded
over the problem's constants, each behind its tracking literal (for unsat cores) and all of them
behind one literal (a check assumes one literal, not one per premise: much quicker); it is kept
while the next problem has the same premises and constants (the votes of one problem). The
scope also holds each conclusion asked and its negation, each behind its own literal.
"""

from __future__ import annotations

from collections import OrderedDict

import z3
from z3 import z3core

from linc.logic.epr import Grounding, NotEPR, compile_epr
from linc.logic.formula import Formula, Not
from linc.logic.smt import Z3Translator

#: Instances of quantified bodies one problem may ground to; beyond, the quantified path (whose
#: instantiation is lazy) is quicker: FOLIO's transitivity rule over 10 constants is 1,000 instances.
MAX_INSTANCES = 500
#: The solver is rebuilt after this many premise lists or declarations (bounds what it keeps).
MAX_SCOPES = 5_000
MAX_DECLS = 50_000
#: Literal names hold a space: no IR symbol maps to one (SMT rules).
_PREMISES, _GOAL, _NOT_GOAL, _ELEMENT = "linc ground premises", "linc ground goal", "linc ground not goal", "linc element"
#: Names of the literals standing for a conclusion or its negation in unsat cores begin so.
GOAL_PREFIXES = (_GOAL, _NOT_GOAL)


class Ground:
    """One warm context's ground solver, with the compiled formulas it has seen."""

    #: Conclusions asked over one premise list before its scope is rebuilt (their literals stay).
    MAX_GOALS = 64

    def __init__(self, tr: Z3Translator, formulas: int):
        self.tr = tr
        self.size = formulas
        self._compiled: OrderedDict[Formula, Grounding | None] = OrderedDict()
        self._tags = 0
        self._bools: dict[str, z3.BoolRef] = {}  # literals, by name
        self._names: dict[int, str] = {}  # literal AST id -> name
        self.every = self._bool(_PREMISES)
        self._reset()

    def _bool(self, name: str) -> z3.BoolRef:
        b = self._bools.get(name)
        if b is None:
            b = self._bools[name] = z3.Bool(name, self.tr.ctx)
            self._names[b.get_id()] = name
        return b

    def _reset(self) -> None:
        self.solver = z3.SolverFor("QF_UF", ctx=self.tr.ctx)
        self.solver.from_string(f"(declare-sort U 0)(declare-fun |{_ELEMENT}| () U)(declare-fun |{_PREMISES}| () Bool)")
        self.declared: set[str] = set()
        self.outer: tuple | None = None  # (premises, constants) asserted in the open scope
        self.goals: dict[Formula, tuple[z3.BoolRef, z3.BoolRef]] = {}  # conclusion -> its literals, in that scope
        self.premise_lists = 0

    def compiled(self, f: Formula) -> Grounding | None:
        """``f`` compiled for grounding (cached), or None outside the fragment."""
        cache = self._compiled
        value = cache.get(f, False)
        if value is not False:
            cache.move_to_end(f)
            return value  # type: ignore[return-value]
        self._tags += 1
        try:
            value = compile_epr(f, self.tr.table.name, str(self._tags))
        except NotEPR:
            value = None
        cache[f] = value
        if len(cache) > self.size:
            cache.popitem(last=False)
        return value

    def load(self, premises: tuple[Formula, ...], tracks: list[str], conclusion: Formula) -> tuple[z3.BoolRef, z3.BoolRef] | None:
        """Assert the problem; the literals of the conclusion and of its negation, or None (nothing
        asserted) when the problem is not for the ground path."""
        grounds = []
        for f in (*premises, conclusion, Not(conclusion)):
            g = self.compiled(f)
            if g is None:
                return None
            grounds.append(g)
        constants = tuple(sorted(frozenset().union(*(g.constants for g in grounds)))) or (f"|{_ELEMENT}|",)
        if sum(g.size(len(constants)) for g in grounds) > MAX_INSTANCES:
            return None
        if len(self.declared) > MAX_DECLS or self.premise_lists >= MAX_SCOPES:
            self._reset()
        try:
            self._declare(grounds, tracks)
            if self.outer != (premises, constants) or len(self.goals) >= self.MAX_GOALS:
                if self.outer is not None:
                    self.solver.pop()
                    self.outer = None
                self.solver.push()
                self.premise_lists += 1
                self.goals = {}
                guarded = "".join(f"(assert (=> |{t}| {g.text(constants)}))" for t, g in zip(tracks, grounds[:-2]))
                every = " ".join(f"|{t}|" for t in tracks) or "true"
                self.solver.from_string(f"{guarded}(assert (=> |{_PREMISES}| (and {every})))")
                self.outer = (premises, constants)
            literals = self.goals.get(conclusion)
            if literals is None:
                k = len(self.goals) + 1
                literals = self._bool(f"{_GOAL} {k}"), self._bool(f"{_NOT_GOAL} {k}")
                self.solver.from_string(
                    f"(assert (=> |{_GOAL} {k}| {grounds[-2].text(constants)}))"
                    f"(assert (=> |{_NOT_GOAL} {k}| {grounds[-1].text(constants)}))"
                )
                self.goals[conclusion] = literals
        except z3.Z3Exception:  # a symbol Z3's parser keeps for itself: the quantified path takes it
            self._reset()
            return None
        return literals

    def _declare(self, grounds: list[Grounding], tracks: list[str]) -> None:
        """Declare the symbols this solver has not seen yet (its parser keeps them past a pop)."""
        new: list[str] = []
        table, declared = self.tr.table, self.declared
        for g in grounds:
            for kind, name, arity in g.symbols:
                target = table.name(kind, name, arity)
                if target not in declared:
                    declared.add(target)
                    new.append(f"(declare-fun {target} ({' '.join(['U'] * arity)}) {'U' if kind == 'constant' else 'Bool'})")
            for skolem in g.skolems:
                if skolem not in declared:
                    declared.add(skolem)
                    new.append(f"(declare-fun {skolem} () U)")
        k = len(self.goals) + 1
        for name in (*tracks, f"{_GOAL} {k}", f"{_NOT_GOAL} {k}"):
            if name not in declared:
                declared.add(name)
                new.append(f"(declare-fun |{name}| () Bool)")
        if new:
            self.solver.from_string("".join(new))

    def check(self, literals: list[z3.BoolRef], ms: int) -> z3.CheckSatResult:
        """Check under the assumptions ``literals`` (the Python API's own ``check`` spends longer
        converting them than Z3 spends deciding a small problem)."""
        self.solver.set("timeout", ms)
        array = (z3.Ast * len(literals))(*(b.as_ast() for b in literals))
        return z3.CheckSatResult(z3core.Z3_solver_check_assumptions(self.tr.ctx.ref(), self.solver.solver, len(literals), array))

    def core(self, tracks: list[str], goal: z3.BoolRef | None, ms: int) -> list[str] | None:
        """Names of an unsat core of the premises (with ``goal``, the literal of the conclusion or
        of its negation); None if none was found in time."""
        assumed = [self._bool(t) for t in tracks] + ([] if goal is None else [goal])
        if self.check(assumed, ms) != z3.unsat:
            return None
        ctx = self.tr.ctx.ref()
        core = z3core.Z3_solver_get_unsat_core(ctx, self.solver.solver)
        z3core.Z3_ast_vector_inc_ref(ctx, core)
        try:  # read at C level: z3's AstVector wrapper costs more than the check
            return [self._names[z3core.Z3_get_ast_id(ctx, z3core.Z3_ast_vector_get(ctx, core, i))]
                    for i in range(z3core.Z3_ast_vector_size(ctx, core))]
        finally:
            z3core.Z3_ast_vector_dec_ref(ctx, core)
