"""The prover-backend contract: what every backend (built-in or plugin) implements and returns.

A backend decides ``premises ⊢ conclusion`` and knows nothing about parsers, votes, storage or the
CLI. Outcomes are kept apart (the lesson from LINC and Logic-LM, which collapse them):

- ``True``: the conclusion was proved from the premises;
- ``False``: its negation was proved;
- ``Uncertain``: both directions were searched to completion and neither was proved;
- ``Unknown``: a resource limit (time, steps) was hit before an answer;
- ``Inconsistent``: the premises alone are contradictory (so "True" would be vacuous);
- ``Error``: the problem could not be handed to the prover (bad symbols, prover crash).
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, ClassVar, Sequence

from linc.errors import LincError, NotAFormula
from linc.logic.formula import Const, Eq, Exists, Forall, Formula, Iff, Implies, Not, Or, Pred, And, Xor, close, unequal
from linc.options import MAX_SECONDS, positive_seconds

logger = logging.getLogger(__name__)

_FORMULA_TYPES = (Pred, Eq, Not, And, Or, Xor, Implies, Iff, Forall, Exists)
_FORMULA_SET = frozenset(_FORMULA_TYPES)  # the exact types, told apart without isinstance's walk


class Label(str, Enum):
    TRUE = "True"
    FALSE = "False"
    UNCERTAIN = "Uncertain"
    UNKNOWN = "Unknown"
    INCONSISTENT = "Inconsistent"
    ERROR = "Error"

    def __str__(self) -> str:
        return self.value


@dataclass
class ProverResult:
    """One backend's answer to one entailment question."""

    label: Label
    prover: str
    seconds: float
    proof: str | None = None  # proof of the conclusion (True), of its negation (False) or of ⊥ (Inconsistent)
    countermodel: dict[str, Any] | None = None  # on Uncertain: models of premises+C and premises+¬C
    consistent: bool | None = None  # the premises alone; None when not checked / not known
    reason: str | None = None  # why Unknown / Error, in words
    raw: str | None = None  # the backend's raw output when something went wrong
    details: dict[str, Any] | None = None  # backend extras, e.g. a portfolio's member answers
    #: On True / False: 0-based positions, in the premise list given to ``decide``, of the premises
    #: the proof used (an unsat core, or the premises a proof cites); None when the backend cannot tell.
    support: list[int] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["label"] = self.label.value
        return d


class Prover(ABC):
    """Base class of prover backends.

    Subclasses set ``name`` and implement :meth:`_decide`; :meth:`decide` adds the shared checks
    (non-empty conclusion, free variables, timing) so every backend behaves alike at the edges.
    """

    name: ClassVar[str] = "prover"
    #: Build a readable countermodel on Uncertain. Evaluations that need only labels switch it off
    #: (``prover.countermodels = False``); backends that build no countermodels ignore it.
    countermodels: bool = True

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """(usable here?, detail): the detail says where the binary is, or how to install it.
        A backend that does not override this is assumed usable, and ``linc plugins`` says so."""
        return True, "assumed usable (the backend defines no availability() check)"

    def decide(self, premises: Sequence[Formula], conclusion: Formula, timeout: float | None = None) -> ProverResult:
        """Decide whether ``premises`` entail ``conclusion`` (or its negation) within ``timeout`` s.

        Free variables are closed universally (``P(x)`` as a premise means ``∀x P(x)``), as Prover9
        does, and distinct objects (constants named ``"..."``, from TPTP) are unequal premises.
        Running out of time is an outcome (``Unknown``), and so is a prover crash
        (``Error``, its cause in ``reason``: an exception other than a :class:`LincError`, or a
        ``_decide`` that returns something other than a :class:`ProverResult`); exceptions are
        kept for what the caller must fix: :class:`~linc.errors.OptionError` (a bad timeout),
        :class:`ProverUnavailable` (backend not installed; the message says how to install it) and
        :class:`~linc.errors.UnsupportedProblem` (outside the fragment the backend decides).
        """
        limit = self.timeout if timeout is None else timeout
        if type(limit) is not float or not 0.0 < limit <= MAX_SECONDS:  # else a float in range: as it is
            limit = positive_seconds(limit, "timeout")
        formulas = [*premises, conclusion]
        for f in formulas:
            if type(f) not in _FORMULA_SET and not isinstance(f, _FORMULA_TYPES):
                raise NotAFormula(f"expected linc.logic formulas, got {type(f).__name__}: {f!r:.80}"
                                  + (" (read text with linc.logic.parse first)" if isinstance(f, str) else ""))
        # each closure, with its distinct objects (TPTP's "a", "b": pairwise unequal, said once)
        closed: list[Formula] = []
        objects: dict[Const, None] = {}
        for f in formulas:
            f, found = close(f)
            closed.append(f)
            if found:
                objects.update(dict.fromkeys(found))
        conclusion = closed.pop()
        premises = closed
        given = len(premises)
        if objects:
            premises += [d for d in unequal(objects) if d not in premises]
        start = time.perf_counter()
        try:
            result = self._decide(premises, conclusion, limit)
        except LincError:
            raise
        except Exception as err:  # noqa: BLE001 - a crashing backend is an outcome (Error), with its cause
            logger.debug("prover %s failed", self.name, exc_info=True)
            result = ProverResult(Label.ERROR, self.name, 0.0, reason=f"{self._who} crashed: {type(err).__name__}: {err}")
        if not isinstance(result, ProverResult):
            result = ProverResult(Label.ERROR, self.name, 0.0,
                                  reason=f"{self._who} returned {type(result).__name__}, not a ProverResult (see docs/plugins.md)")
        if not result.seconds:
            result.seconds = time.perf_counter() - start
        if result.support is not None:  # the distinct-object axioms added here are nobody's premises
            result.support = sorted({i for i in result.support if 0 <= i < given})
        return result

    @property
    def _who(self) -> str:
        """The backend's name, or its class name when it set none (as a quick plugin may not)."""
        return self.name if self.name != Prover.name else type(self).__name__

    @abstractmethod
    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        """Backend-specific decision on closed formulas."""
