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
scope also holds each conclusion asked and its negation, each behind its own literal. What a
problem adds goes to Z3's parser as one text.

A check costs a few tens of microseconds here, so what surrounds it counts: checks are made at
the C level with assumption arrays made once, and the time limit is kept by one watchdog thread
per process that interrupts a check past its deadline (a ``timeout`` parameter would start a
timer for every check, as dear as the check itself). Cores of a conclusion are made minimal by
Z3 (``core.minimize``: deletion inside Z3) when asked, not in Python.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import z3
from z3 import z3core

from linc.logic.deadline import WATCHDOG
from linc.logic.epr import ELEMENT, Grounding, Names, NotEPR, compile_epr, declarations, universe
from linc.logic.formula import Formula
from linc.logic.smt import Z3Translator, solver_for

#: The solver is rebuilt after this many premise lists or declarations (bounds what it keeps).
MAX_SCOPES = 5_000
MAX_DECLS = 50_000
#: Literal names hold a space: no IR symbol maps to one (SMT rules).
_PREMISES, _GOAL, _NOT_GOAL = "linc ground premises", "linc ground goal", "linc ground not goal"
#: Names of the literals standing for a conclusion or its negation in unsat cores begin so.
GOAL_PREFIXES = (_GOAL, _NOT_GOAL)
#: A check's result as z3's own constants (the Python API makes a new object per check).
_RESULTS = {z3.Z3_L_TRUE: z3.sat, z3.Z3_L_FALSE: z3.unsat, z3.Z3_L_UNDEF: z3.unknown}


class Ground:
    """One warm context's ground solver, with the compiled formulas it has seen."""

    #: Conclusions asked over one premise list before its scope is rebuilt (their literals stay).
    MAX_GOALS = 64

    def __init__(self, tr: Z3Translator, formulas: int):
        self.tr = tr
        self.size = formulas
        self._compiled: OrderedDict[Formula, Grounding | None] = OrderedDict()
        self._symbols: Names = {}  # the SMT-LIB names of the IR symbols compiled so far
        self._tags = 0
        self._bools: dict[str, z3.BoolRef] = {}  # literals, by name
        self._names: dict[int, str] = {}  # literal AST id -> name
        self.every = self._bool(_PREMISES)
        self._arrays: dict[int, Any] = {}  # id of a literal (or None) -> the assumptions of its checks
        # Z3 shrinks the cores it reports to minimal ones (by deletion) while this is set.
        self._minimize = {flag: z3.ParamsRef(tr.ctx) for flag in (True, False)}
        for flag, params in self._minimize.items():
            params.set("core.minimize", flag)
        self._reset()

    def _bool(self, name: str) -> z3.BoolRef:
        b = self._bools.get(name)
        if b is None:
            b = self._bools[name] = z3.Bool(name, self.tr.ctx)
            self._names[b.get_id()] = name
        return b

    def _reset(self) -> None:
        self.solver = solver_for(self.tr.ctx, "QF_UF")
        self.solver.set("propagate_values", False)
        self._minimizing = False  # core.minimize is set (it only changes what reading a core does)
        self.solver.from_string(f"(declare-sort U 0)(declare-fun {ELEMENT} () U)(declare-fun |{_PREMISES}| () Bool)")
        self.declared: set[str] = set()
        self._tracks = self._goals = 0  # tracking and goal literals declared so far
        self.outer: tuple | None = None  # (the caller's record of the premises, constants) asserted in the open scope
        self.goals: dict[Formula, tuple[z3.BoolRef, z3.BoolRef]] = {}  # conclusion -> its literals, in that scope
        self.premise_lists = 0

    def compiled(self, f: Formula, body: Grounding | None = None) -> Grounding | None:
        """``f`` compiled for grounding (cached), or None outside the fragment; for ``f`` a
        negation, ``body`` (the grounding of what it negates) may spare compiling it."""
        value = self._compiled.get(f, False)
        if value is False:
            return self._compile(f, body)
        self._compiled.move_to_end(f)
        return value  # type: ignore[return-value]

    def _compile(self, f: Formula, body: Grounding | None = None) -> Grounding | None:
        """``f`` compiled and cached (not in the cache yet)."""
        value = body and body.negated()
        if value is None:
            self._tags += 1
            try:
                value = compile_epr(f, self.tr.table.name, str(self._tags), self._symbols)
            except NotEPR:
                value = None
        cache = self._compiled
        cache[f] = value
        if len(cache) > self.size:
            cache.popitem(last=False)
        return value

    def load(self, premises: tuple[Formula, ...], tracks: list[str], conclusion: Formula, negation: Formula,
             scope: object) -> tuple[z3.BoolRef, z3.BoolRef] | None:
        """Assert the problem; the literals of the conclusion and of its negation, or None (nothing
        asserted) when the problem is not for the ground path. ``scope`` is the caller's record of
        the premise list (the same object for equal lists): the premises asserted for it are kept
        while it comes back with the same constants. What is new (declarations, the premises when
        they changed, the conclusion) goes to Z3's parser as one text."""
        grounds = []
        for f in premises:
            g = self.compiled(f)
            if g is None:
                return None
            grounds.append(g)
        goal = self.compiled(conclusion)
        if goal is None:
            return None
        not_goal = self.compiled(negation, goal)
        if not_goal is None:
            return None
        grounds += (goal, not_goal)
        constants = universe(grounds)
        if constants is None:
            return None
        if len(self.declared) > MAX_DECLS or self.premise_lists >= MAX_SCOPES:
            self._reset()
        same = self.outer is not None and self.outer[0] is scope and self.outer[1] == constants and len(self.goals) < self.MAX_GOALS
        literals = self.goals.get(conclusion) if same else None
        if literals is not None:
            return literals
        try:
            text = self._declare(grounds, tracks)
            if not same:
                if self.outer is not None:
                    self.solver.pop()
                    self.outer = None
                self.solver.push()
                self.premise_lists += 1
                self.goals = {}
                text += "".join([f"(assert (=> |{t}| {g.text(constants)}))" for t, g in zip(tracks, grounds)])
                every = " ".join([f"|{t}|" for t in tracks]) or "true"
                text += f"(assert (=> |{_PREMISES}| (and {every})))"
            k = len(self.goals) + 1
            text += (f"(assert (=> |{_GOAL} {k}| {goal.text(constants)}))"
                     f"(assert (=> |{_NOT_GOAL} {k}| {not_goal.text(constants)}))")
            self.solver.from_string(text)
            self.outer = (scope, constants)
            literals = self.goals[conclusion] = self._bool(f"{_GOAL} {k}"), self._bool(f"{_NOT_GOAL} {k}")
        except z3.Z3Exception:  # a symbol Z3's parser keeps for itself: the quantified path takes it
            self._reset()
            return None
        return literals

    def _declare(self, grounds: list[Grounding], tracks: list[str]) -> str:
        """Declarations of the symbols this solver has not seen yet (its parser keeps them past a
        pop, so each is declared once)."""
        new = declarations(grounds, self.declared)
        declared = self.declared
        k = len(self.goals) + 1
        if len(tracks) > self._tracks or k > self._goals:
            for name in (*tracks, f"{_GOAL} {k}", f"{_NOT_GOAL} {k}"):
                if name not in declared:
                    declared.add(name)
                    new.append(f"(declare-fun |{name}| () Bool)")
            self._tracks, self._goals = max(self._tracks, len(tracks)), max(self._goals, k)
        return "".join(new)

    def check(self, literal: z3.BoolRef | None, deadline: float) -> z3.CheckSatResult:
        """Are the premises satisfiable, with ``literal`` (of a conclusion or its negation) if given?"""
        key = id(literal)  # literals live as long as this Ground (in _bools)
        array = self._arrays.get(key)
        if array is None:
            array = self._arrays[key] = self._array([self.every] if literal is None else [self.every, literal])
        return self._check(array, deadline)

    @staticmethod
    def _array(literals: list[z3.BoolRef]) -> Any:
        return (z3.Ast * len(literals))(*(b.as_ast() for b in literals))

    def _check(self, array: Any, deadline: float) -> z3.CheckSatResult:
        """Check under the assumptions in ``array``, interrupted at ``deadline`` (``time.monotonic``)
        by :data:`WATCHDOG`, at the C level: a ``timeout`` parameter would start a timer for every
        check, and the Python API's own ``check`` converts its arguments; each costs more than Z3
        spends deciding a small problem."""
        ctx = self.tr.ctx
        WATCHDOG.arm(self, ctx, deadline)
        try:
            return _RESULTS[z3core.Z3_solver_check_assumptions(ctx.ref(), self.solver.solver, len(array), array)]
        finally:
            WATCHDOG.disarm(self)

    def core(self, tracks: list[str], goal: z3.BoolRef | None, deadline: float, minimal: bool) -> list[str] | None:
        """Names of an unsat core of the premises (with ``goal``, the literal of the conclusion or
        of its negation), made minimal by Z3 when ``minimal`` (unless the deadline interrupts it);
        None if none was found in time."""
        assumed = [self._bool(t) for t in tracks] + ([] if goal is None else [goal])
        if self._check(self._array(assumed), deadline) != z3.unsat:
            return None
        ctx, solver = self.tr.ctx.ref(), self.solver.solver
        if minimal != self._minimizing:  # switched only when it changes: setting parameters costs a check's worth
            z3core.Z3_solver_set_params(ctx, solver, self._minimize[minimal].params)
            self._minimizing = minimal
        WATCHDOG.arm(self, self.tr.ctx, deadline)
        try:
            core = z3core.Z3_solver_get_unsat_core(ctx, solver)
        finally:
            WATCHDOG.disarm(self)
        z3core.Z3_ast_vector_inc_ref(ctx, core)
        try:  # read at C level: z3's AstVector wrapper costs more than the check
            return [self._names[z3core.Z3_get_ast_id(ctx, z3core.Z3_ast_vector_get(ctx, core, i))]
                    for i in range(z3core.Z3_ast_vector_size(ctx, core))]
        finally:
            z3core.Z3_ast_vector_dec_ref(ctx, core)
