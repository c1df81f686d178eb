"""The knowledge graph of verified facts: SQLite on disk, networkx in memory.

Facts enter proved (with the proof kept) or as explicit axioms, never contradicting what is
stored; they can be queried as a graph and handed back as premises of new questions.
"""

from linc.kg.errors import (
    CheckTimeoutError,
    DatabaseError,
    FactConflictError,
    MalformedFactError,
    NotGroundError,
    UnknownConstantError,
    UnknownFactError,
    UnverifiedFactError,
)
from linc.kg.facts import Fact, FactKind, Premise, Provenance

_LAZY = {"Edge": "linc.kg.graph", "KnowledgeGraph": "linc.kg.knowledge", "default_path": "linc.kg.knowledge"}


def __getattr__(name: str):
    """The graph side (networkx) loads on first use, so ``linc`` starts fast (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'linc.kg' has no attribute {name!r}")

__all__ = [
    "CheckTimeoutError",
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
