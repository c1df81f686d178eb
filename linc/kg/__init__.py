"""The knowledge graph of verified facts: SQLite on disk, networkx in memory.

Facts enter proved (with the proof kept) or as explicit axioms, never contradicting what is
stored; they can be queried as a graph and handed back as premises of new questions.
"""

from linc.kg.errors import (
    DatabaseError,
    FactConflictError,
    MalformedFactError,
    NotGroundError,
    UnknownConstantError,
    UnknownFactError,
    UnverifiedFactError,
)
from linc.kg.facts import Fact, FactKind, Premise, Provenance
from linc.kg.graph import Edge
from linc.kg.knowledge import KnowledgeGraph, default_path

__all__ = [
    "DatabaseError",
    "Edge",
    "Fact",
    "FactConflictError",
    "FactKind",
    "KnowledgeGraph",
    "MalformedFactError",
    "NotGroundError",
    "Premise",
    "Provenance",
    "UnknownConstantError",
    "UnknownFactError",
    "UnverifiedFactError",
    "default_path",
]
