"""Typed errors of the knowledge graph, all :class:`linc.errors.KnowledgeGraphError` subclasses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from linc.errors import ConflictError, KnowledgeGraphError

if TYPE_CHECKING:
    from linc.kg.facts import Fact
    from linc.proving import ProverResult


class MalformedFactError(KnowledgeGraphError, ValueError):
    """A fact that is not a well-formed formula (wrong node types, bad names, bad JSON)."""


class NotGroundError(MalformedFactError):
    """A fact with free variables: neither a ground fact nor a closed rule."""


class DatabaseError(KnowledgeGraphError):
    """The database file is missing, unreadable, corrupt, or not a linc knowledge graph."""


class UnknownFactError(KnowledgeGraphError, LookupError):
    """A fact id or formula that is not stored."""


class UnknownConstantError(KnowledgeGraphError, LookupError):
    """A query about a constant the graph has never heard of."""


class UnverifiedFactError(KnowledgeGraphError):
    """The prover did not show the fact (not entailed, a limit hit, or the premises inconsistent).

    ``result`` is the prover's answer, so a caller can tell "not entailed" from "timed out"."""

    def __init__(self, message: str, result: "ProverResult | None" = None):
        self.result = result
        super().__init__(message)


class FactConflictError(ConflictError):
    """A new fact contradicts stored facts; ``facts`` are those facts, ``conflicts`` their FOL."""

    def __init__(self, message: str, facts: Sequence["Fact"]):
        self.facts = tuple(facts)
        super().__init__(message, [f.fol for f in self.facts])


class CheckTimeoutError(UnverifiedFactError):
    """The consistency check of a fact did not finish in time: the fact was not stored as checked
    (``allow_unchecked=True`` stores it marked unchecked instead of refusing it)."""
