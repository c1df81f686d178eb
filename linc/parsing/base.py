"""The semantic-parser contract: a problem in natural language in, candidate FOL translations out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from linc.logic.formula import Formula
from linc.logic.read import is_respelling

if TYPE_CHECKING:
    from langchain_core.rate_limiters import BaseRateLimiter


@dataclass
class Problem:
    """One reasoning problem. Only ``premises`` and ``conclusion`` are required; the rest is what a
    dataset may carry (gold label and FOL, recorded model outputs, depth, ...)."""

    premises: list[str]
    conclusion: str
    id: str = ""
    label: str | None = None  # gold: "True" / "False" / "Uncertain"
    premises_fol: list[str] | None = None
    conclusion_fol: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, id: str = "") -> "Problem":
        """Read the problem-file format: premises one per line, the conclusion on a last line that
        starts with ``Conclusion:``. Blank lines and lines starting with ``#`` are ignored.

        >>> Problem.from_text("Bob is big.\\nConclusion: Bob is big.").conclusion
        'Bob is big.'
        """
        from linc.errors import ParserError

        premises: list[str] = []
        conclusion: str | None = None
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if conclusion is not None:
                raise ParserError(f"line {number}: text after the 'Conclusion:' line: {line!r}")
            if line.lower().startswith("conclusion:"):
                conclusion = line.split(":", 1)[1].strip()
                if not conclusion:
                    raise ParserError(f"line {number}: the 'Conclusion:' line is empty")
            else:
                premises.append(line)
        if conclusion is None:
            raise ParserError("no conclusion: the last line must start with 'Conclusion:'")
        return cls(premises=premises, conclusion=conclusion, id=id)


@dataclass
class Sample:
    """One candidate translation of a problem (one of the K votes).

    ``error`` is set (and the formulas may be empty) when the sample could not be read; such a
    sample becomes an ``Error`` vote. ``repairs`` lists what the lenient reader fixed;
    ``model_repairs`` counts self-repair rounds in which the model was asked to correct itself;
    ``signature_repaired`` says a symbol used with two arities was split apart. Together they give
    the sample's :attr:`tier`, the strength of its vote (see :mod:`linc.voting`).
    """

    premises: list[Formula]
    conclusion: Formula | None
    raw: str = ""
    repairs: list[str] = field(default_factory=list)
    model_repairs: int = 0
    error: str | None = None
    signature_repaired: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.conclusion is not None

    @property
    def tier(self) -> str:
        """How the sample was obtained, the weakest that applies: signature, self-repair, lenient
        (a repair that guessed at structure), clean (read as written, or only respelled)."""
        if self.signature_repaired:
            return "signature"
        if self.model_repairs:
            return "self-repair"
        return "lenient" if not all(map(is_respelling, self.repairs)) else "clean"


class Parser(ABC):
    """Base class of semantic parsers. ``translate`` never raises for one bad sample: it returns a
    ``Sample`` with ``error`` set, so one bad completion cannot crash a batch. It raises
    :class:`linc.errors.ParserError` only when the whole problem cannot be handled."""

    name: ClassVar[str] = "parser"

    @abstractmethod
    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        """Up to ``k`` candidate translations of ``problem``."""

    def repair(self, problem: Problem, sample: Sample, error: str) -> Sample | None:
        """Ask for a corrected translation of ``sample`` given the ``error`` it caused.

        Parsers that cannot repair (deterministic ones) return None."""
        return None

    def pace(self, concurrency: int | None = None, rate_limit: float | BaseRateLimiter | None = None) -> None:
        """Allow ``concurrency`` model requests in flight at once and at most ``rate_limit`` per
        second, or as a LangChain rate limiter allows (one shared by several processes: the Ray
        executor's for a whole cluster). Parsers that call no model have nothing to pace."""
