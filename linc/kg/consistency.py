"""Prover-backed checks: does a new fact contradict stored ones, and which stored facts does a proof need.

Both questions reduce to entailment, so any :class:`~linc.proving.Prover` answers them; the
smallest set of facts responsible is found by deletion (drop a fact, re-prove), under a budget of
prover calls so a large store never turns one insert into thousands of proofs.
"""

from __future__ import annotations

from typing import Callable, Sequence

from linc.errors import KnowledgeGraphError
from linc.kg.errors import FactConflictError, UnverifiedFactError
from linc.kg.facts import Fact, complement
from linc.logic.formula import Eq, Formula, Not, is_ground_atom
from linc.proving import Label, Prover, ProverResult

#: At most this many extra prover calls to shrink a set of facts to the ones that matter.
MINIMIZE_BUDGET = 40


def minimal_support(
    prover: Prover,
    fixed: Sequence[Formula],
    candidates: Sequence[Fact],
    goal: Formula,
    timeout: float | None,
    budget: int = MINIMIZE_BUDGET,
) -> list[Fact]:
    """A subset of ``candidates`` that, with ``fixed``, still proves ``goal``.

    Removes halves, then quarters, ... down to single facts, keeping each removal after which the
    goal is still proved: big irrelevant blocks go in few calls, and when the budget lasts to the
    single-fact pass the result is minimal. Whatever is returned always proves the goal."""
    keep = list(candidates)
    calls = 0
    chunk = max(1, len(keep) // 2)
    while calls < budget:
        start = 0
        while start < len(keep) and calls < budget:
            trial = keep[:start] + keep[start + chunk :]
            calls += 1
            if prover.decide([*fixed, *(k.formula for k in trial)], goal, timeout=timeout).label is Label.TRUE:
                keep = trial
            else:
                start += chunk
        if chunk == 1:
            break
        chunk = max(1, chunk // 2)
    return keep


def check_consistent(
    get_prover: Callable[[], Prover], fact: Formula, stored: Sequence[Fact], timeout: float | None
) -> ProverResult | None:
    """Raise :class:`FactConflictError` when ``stored`` proves ``¬fact``; return the prover's
    result, or None when no proof was needed.

    Ground literals are checked against their complement without a prover (``get_prover`` is
    only called when one is needed, so a store of plain facts needs no backend). A check that hits
    a limit refuses the fact too: a store of verified facts must not take one on trust."""
    if is_ground_atom(fact):
        opposite = complement(fact)
        clash = [s for s in stored if s.formula == opposite]
        if clash:
            raise FactConflictError(_conflict_message(fact, clash), clash)
    if not stored or all(_plain_literal(f) for f in (fact, *(s.formula for s in stored))):
        return None  # literals without equality clash only with their complement, checked above
    negation = Not(fact)
    prover = get_prover()
    result = prover.decide([s.formula for s in stored], negation, timeout=timeout)
    if result.label is Label.TRUE:
        core = minimal_support(prover, [], stored, negation, timeout)
        raise FactConflictError(_conflict_message(fact, core), core)
    if result.label is Label.INCONSISTENT:
        ids = ", ".join(f"#{s.id}" for s in stored)
        raise KnowledgeGraphError(f"the stored facts {ids} are inconsistent among themselves; retract one of them")
    if result.label not in (Label.FALSE, Label.UNCERTAIN):
        raise UnverifiedFactError(
            f"could not check {fact} against the stored facts: {result.label} ({result.reason or 'no reason given'})", result
        )
    return result


def _plain_literal(f: Formula) -> bool:
    return is_ground_atom(f) and not isinstance(f.body if isinstance(f, Not) else f, Eq)


def _conflict_message(fact: Formula, facts: Sequence[Fact]) -> str:
    named = "; ".join(f"#{f.id} {f.fol}" for f in facts)
    return f"{fact} contradicts the stored facts: {named}"
