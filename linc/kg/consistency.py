"""Does a new fact contradict the stored ones? Decided on the part of the store that can matter.

A ground literal whose opposite is stored is refused on the spot; one in a component of Horn rules
is decided by the materialised least model (:mod:`linc.kg.horn`), without a solver. Otherwise :func:`linc.kg.ground.plan`
picks the relevant part (ground instances around the fact, or the component of its symbols) and
the warm :class:`~linc.kg.solver.Checker` decides it; the unsat core names the stored facts
responsible. A literal that meets no rule needs no solver at all. A check that does not finish in
time refuses the fact: a store of verified facts must not take one on trust.
"""

from __future__ import annotations

from typing import Callable, Sequence

from linc.errors import KnowledgeGraphError
from linc.kg.errors import CheckTimeoutError, FactConflictError
from linc.kg.facts import Fact
from linc.kg.ground import plan
from linc.kg.index import Index
from linc.kg.horn import horn_clause
from linc.kg.shape import analyse, literal_of
from linc.kg.solver import Checker, CheckUnknown
from linc.logic.formula import Formula

NEW = "new fact"


def check_consistent(
    index: Index, checker: Checker, fact: Formula, timeout: float, load: Callable[[list[int]], list[Fact]]
) -> None:
    """Raise :class:`FactConflictError` when stored facts refute ``fact`` (``load`` turns the ids of
    the facts responsible into records); :class:`CheckTimeoutError` when the check does not
    finish within ``timeout`` seconds."""
    lit = literal_of(fact)
    if lit is not None:
        opposite = index.literals.get((lit[0], lit[1], not lit[2]))
        if opposite is not None:
            clash = load([opposite])
            raise FactConflictError(_conflict_message(fact, clash), clash)
        if index.horn(lit):
            refuting = index.refutation(lit)
            if refuting is not None:
                clash = load(sorted(refuting.facts))
                raise FactConflictError(_conflict_message(fact, clash), clash)
            return
    else:
        shape = analyse(fact)
        clause = horn_clause(shape)
        if clause is not None and index.horn_rule(shape):
            against = index.rule_refutation(clause)
            if against is not None:
                clash = load(sorted(against))
                raise FactConflictError(_conflict_message(fact, clash), clash)
            return
    part = plan(index, [fact])
    if part.ground and not part.rules_used:
        return  # literals only, and the opposite is not stored
    try:
        core = checker.core([(NEW, [fact]), *part.parts.items()], timeout)
    except CheckUnknown as exc:
        raise CheckTimeoutError(
            f"could not check {fact} against the {len(part.parts)} stored facts connected to it within"
            f" {timeout:g} s ({exc.reason}; {part.reason or 'ground instances'}); it was not stored."
            " Retry with a longer timeout, split the rules that connect it to so much, or store it"
            " marked unchecked (allow_unchecked=True; --allow-unchecked)"
        ) from None
    if core is None:
        return
    ids = sorted(k for k in core if k != NEW)
    if NEW not in core:
        named = ", ".join(f"#{i}" for i in ids)
        raise KnowledgeGraphError(f"the stored facts {named} are inconsistent among themselves; retract one of them")
    clash = load(ids)
    raise FactConflictError(_conflict_message(fact, clash), clash)


def _conflict_message(fact: Formula, facts: Sequence[Fact]) -> str:
    named = "; ".join(f"#{f.id} {f.fol}" for f in facts)
    return f"{fact} contradicts the stored facts: {named}"
