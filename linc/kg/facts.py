"""Records of the knowledge graph: a stored fact with its provenance, and a premise it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from linc.kg import codec
from linc.kg.errors import NotGroundError
from linc.logic.formula import Const, Eq, Formula, Func, Not, Pred, atom_terms, free_vars, is_ground_atom, subformulas, terms_of


class FactKind(str, Enum):
    """How a fact entered: proved from premises, or asserted without proof."""

    DERIVED = "derived"
    AXIOM = "axiom"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Premise:
    """A premise as the user gave it: the formula and, when it came from language, the sentence.
    ``used`` says whether the reasoner's proof used it (its verdict's support); None: not known."""

    formula: Formula
    text: str | None = None
    used: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"text": self.text, "fol": str(self.formula), "formula": codec.encode(self.formula)}
        return out if self.used is None else {**out, "used": self.used}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Premise":
        return cls(codec.decode(d["formula"]), d.get("text"), d.get("used"))


@dataclass(frozen=True)
class Fact:
    """A verified fact and where it came from.

    ``depends_on`` lists the ids of stored facts it was proved from; retracting any of them
    retracts this fact too. ``proof`` is the prover's own proof text (None for an axiom, or when the
    backend gives no proof object). ``checked`` is False for a fact stored although its
    consistency check ran out of time (only when the caller allowed it): such a fact is listed
    and exported, but no check, question, graph query or proof uses it until
    :meth:`~linc.kg.KnowledgeGraph.check` promotes it."""

    id: int
    formula: Formula
    kind: FactKind
    created_at: str
    premises: tuple[Premise, ...] = ()
    text: str | None = None
    parser: str | None = None
    model: str | None = None
    prover: str | None = None
    proof: str | None = None
    seconds: float | None = None
    depends_on: tuple[int, ...] = field(default=())
    checked: bool = True

    def __repr__(self) -> str:
        deps = f", depends on {', '.join(f'#{d}' for d in self.depends_on)}" if self.depends_on else ""
        return f"Fact(#{self.id} {self.fol}, {self.kind.value}{'' if self.checked else ', unchecked'}{deps})"

    @property
    def fol(self) -> str:
        """The canonical text form (FOLIO's Unicode syntax)."""
        return str(self.formula)

    @property
    def ground(self) -> bool:
        return is_ground_atom(self.formula)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fol": self.fol,
            "formula": codec.encode(self.formula),
            "kind": self.kind.value,
            "text": self.text,
            "premises": [p.to_dict() for p in self.premises],
            "parser": self.parser,
            "model": self.model,
            "prover": self.prover,
            "proof": self.proof,
            "seconds": self.seconds,
            "created_at": self.created_at,
            "depends_on": list(self.depends_on),
            "checked": self.checked,
        }


@dataclass(frozen=True)
class Provenance:
    """A fact, the stored facts it rests on (transitively), and the stored facts resting on it."""

    fact: Fact
    supports: tuple[Fact, ...]
    dependents: tuple[Fact, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact.to_dict(),
            "supports": [f.to_dict() for f in self.supports],
            "dependents": [f.to_dict() for f in self.dependents],
        }


def check_fact(formula: Formula) -> None:
    """Refuse what cannot be a stored fact: non-IR input and formulas with free variables.

    A free variable makes a fact mean nothing definite (``Big(x)``: which x?); rules must bind
    their variables."""
    codec.dumps(formula)
    loose = free_vars(formula)
    if loose:
        names = ", ".join(sorted(v.name for v in loose))
        raise NotGroundError(f"fact {formula} has free variables ({names}); bind them with ∀ or ∃, or use constants")


def symbols(formula: Formula) -> set[tuple[str, str]]:
    """(kind, name) of every predicate (``=`` included), function and constant in ``formula``.

    The index that rules hang on, and that relevance (which facts can matter to a question) follows."""
    out: set[tuple[str, str]] = set()
    for g in subformulas(formula):
        if isinstance(g, Pred):
            out.add(("predicate", g.name))
        elif isinstance(g, Eq):
            out.add(("predicate", "="))
        for t in atom_terms(g):
            for s in terms_of(t):
                if isinstance(s, Const):
                    out.add(("constant", s.name))
                elif isinstance(s, Func):
                    out.add(("function", s.name))
    return out


def complement(formula: Formula) -> Formula:
    """The literal's opposite: ``¬P(a)`` for ``P(a)`` and back (used for the fast conflict check)."""
    return formula.body if isinstance(formula, Not) else Not(formula)


def literal_atom(formula: Formula) -> tuple[Pred | Eq, bool]:
    """(atom, positive?) of a ground literal."""
    if isinstance(formula, Not):
        return formula.body, False  # type: ignore[return-value]
    return formula, True  # type: ignore[return-value]
