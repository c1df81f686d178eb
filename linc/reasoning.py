"""The Reasoner: parse K times → decide each sample → vote → :class:`Verdict`.

>>> from linc.reasoning import Reasoner
>>> v = Reasoner().check(["Bob is big.", "All big things are red."], "Bob is red.")
>>> v.label, v.counts
('True', {'True': 1})

Voting: each vote records its tier (how its sample was obtained) and a named policy weighs the
votes (see :mod:`linc.voting`; ``vote="majority"`` is LINC's plain majority, the default
``proof-first`` lets clean votes decide before repaired ones and a proof outweigh an
``Uncertain``). ``Error`` and ``Unknown`` votes are dropped; with no valid vote the verdict is
``Unknown`` if some prover hit a limit, else ``Error``.

Self-repair (what LINC lacks): a sample that does not read, clashes in its signature or has
inconsistent premises is sent back to the parser with the error, at most ``repair_rounds`` times;
the votes of repaired samples are marked (tier ``self-repair``, round in ``model_repairs``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from typing import Any, Protocol, Sequence

from linc.errors import LincError, SignatureError
from linc.logic.formula import Binary, Const, Eq, Formula, Not, Pred, Term, Var
from linc.logic.signature import check_signature
from linc.logic.write import to_folio
from linc.parsing.base import Parser, Problem, Sample
from linc.parsing.usage import metered
from linc.proving import Label, Prover, ProverResult
from linc.voting import DEFAULT_POLICY, TIERS, VotePolicy, decide


class FactSource(Protocol):
    """Anything that can lend stored facts as extra premises (the knowledge graph does).

    ``relevant_to``: a problem's formulas (premises and conclusion); a source may then lend only
    the facts that can decide that conclusion or contradict those premises, and must lend at
    least those (a large store would otherwise make every decision carry all of it)."""

    def premises(self, relevant_to: Sequence[Formula] | None = None) -> list[Formula]: ...


@dataclass
class Vote:
    """One sample's translation, the label its formulas got, and how the sample was obtained
    (``tier``: clean, lenient, self-repair or signature; see :mod:`linc.voting`)."""

    label: str
    tier: str = "clean"
    premises: list[str] = field(default_factory=list)
    conclusion: str | None = None
    raw: str = ""
    repairs: list[str] = field(default_factory=list)
    model_repairs: int = 0
    error: str | None = None
    prover: str | None = None
    seconds: float = 0.0
    #: Why an ``Unknown`` vote is unknown (the limit the prover hit), in the prover's words.
    reason: str | None = None

    @property
    def repaired(self) -> bool:
        return bool(self.repairs) or self.model_repairs > 0

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass
class Verdict:
    """The answer to one problem, with everything needed to audit it. Serialisable to JSON."""

    label: str
    votes: list[Vote]
    counts: dict[str, int]
    prover: str | None = None
    proof: str | None = None
    countermodel: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    problem_id: str = ""
    policy: str = DEFAULT_POLICY  # the voting policy that chose the label
    shown: int | None = None  # index of the vote whose proof or countermodel this is
    usage: dict[str, int] = field(default_factory=dict)  # model calls and tokens (linc.parsing.usage)
    #: On True / False: the premises the shown vote's proof used (see :func:`support_of`); None when
    #: the prover could not tell (or there is no proof).
    support: list[dict[str, Any]] | None = None

    @property
    def repairs(self) -> list[str]:
        return [r for v in self.votes for r in v.repairs]

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


def _as_dict(obj: Any) -> dict[str, Any]:
    """What ``dataclasses.asdict(obj)`` gives (the same keys in the same order, every container
    copied), built directly: ``asdict`` costs about a millisecond per verdict, in every worker,
    for every problem. The fields are the dataclass's own, so this cannot fall out of step."""
    names = _FIELDS.get(type(obj))
    if names is None:
        names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value if type(value) in _LEAF_TYPES else _plain(value)
    return out


_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAVES = (str, int, float, bool, type(None))
_LEAF_TYPES = frozenset(_LEAVES)  # the leaves themselves, told apart without a call (most values are)


def _plain(value: Any) -> Any:
    """A copy of ``value`` as ``asdict`` copies a field: lists and dicts are copied, immutable
    leaves are shared, anything else goes through ``asdict``'s own copying."""
    if isinstance(value, _LEAVES):
        return value
    if type(value) is list:
        return [v if type(v) in _LEAF_TYPES else _plain(v) for v in value]
    if type(value) is dict:
        return {k if type(k) in _LEAF_TYPES else _plain(k): v if type(v) in _LEAF_TYPES else _plain(v) for k, v in value.items()}
    if isinstance(value, (Vote, Verdict)):
        return _as_dict(value)
    return asdict(_Box(value))["value"]


@dataclass
class _Box:
    """Carries a value of a rarer type through ``asdict``, which knows how to copy it."""

    value: Any


class Reasoner:
    """Natural-language entailment: one parser, one prover backend, K samples, a vote.

    ``parser`` and ``prover`` are instances or registered plugin names; ``vote`` is a voting policy
    (a registered name such as ``"majority"`` or ``"proof-first"``, or a callable).
    ``inconsistent`` says what a sample whose premises contradict each other votes: ``"error"``
    (default: a translation that makes everything provable is a bad translation) or ``"true"``
    (what LINC's pipeline did).
    ``dedup_renamed`` also decides once the samples that differ only in symbol names (see
    :meth:`_decide`); evaluations switch it on.
    """

    def __init__(
        self,
        parser: Parser | str = "grammar",
        prover: Prover | str = "z3",
        k: int = 1,
        timeout: float = 10.0,
        repair_rounds: int = 1,
        inconsistent: str = "error",
        parser_options: dict[str, Any] | None = None,
        dedup_renamed: bool = False,
        vote: str | VotePolicy = DEFAULT_POLICY,
    ):
        if inconsistent not in ("error", "true"):
            raise ValueError("inconsistent must be 'error' or 'true'")
        self.policy_name = vote if isinstance(vote, str) else getattr(vote, "__name__", type(vote).__name__)
        if isinstance(parser, str) or isinstance(prover, str) or isinstance(vote, str):
            from linc import plugins

            if isinstance(vote, str):
                vote = plugins.get_vote(vote)
            if isinstance(parser, str):
                parser = plugins.get_parser(parser, **(parser_options or {}))
            if isinstance(prover, str):
                prover = plugins.get_prover(prover, timeout=timeout)
        self.vote: VotePolicy = vote
        self.parser: Parser = parser
        self.prover: Prover = prover
        self.k = k
        self.timeout = timeout
        self.repair_rounds = repair_rounds
        self.inconsistent = inconsistent
        self._decided: dict[tuple, ProverResult] = {}
        self.dedup_renamed = dedup_renamed
        self._shapes: dict[tuple, ProverResult] = {}  # this problem's decisions, by symbol-free shape

    # ------------------------------------------------------------ public API

    def check(self, premises: Sequence[str], conclusion: str, kg: FactSource | None = None) -> Verdict:
        """Does ``conclusion`` follow from ``premises`` (natural language)? One call, one Verdict."""
        return self.solve(Problem(premises=list(premises), conclusion=conclusion), kg=kg)

    def solve(self, problem: Problem, kg: FactSource | None = None) -> Verdict:
        """Parse ``problem`` K times, decide each sample, and vote; the model calls it took are
        counted in ``Verdict.usage``."""
        with metered() as usage:
            verdict = self._solve(problem, kg)
        verdict.usage = usage.to_dict()
        return verdict

    def _solve(self, problem: Problem, kg: FactSource | None) -> Verdict:
        start = time.perf_counter()
        try:
            samples = self.parser.translate(problem, self.k)
        except LincError as err:
            samples = [Sample([], None, error=f"{type(err).__name__}: {err}")]
        parsed = time.perf_counter()
        self._shapes = {}
        votes: list[Vote] = []
        results: list[ProverResult | None] = []
        lent: list[list[Formula]] = []  # per sample, the facts the source lent it
        for sample in samples:
            vote, result, extra = self._vote(problem, sample, kg)
            votes.append(vote)
            results.append(result)
            lent.append(extra)
        label = decide(self.vote, votes)
        # the proof shown is that of the strongest vote for the label (the first of the strongest)
        shown, strongest = None, len(TIERS)
        counts: dict[str, int] = {}
        for i, v in enumerate(votes):
            counts[v.label] = counts.get(v.label, 0) + 1
            if v.label == label and results[i] is not None and TIERS.index(v.tier) < strongest:
                shown, strongest = i, TIERS.index(v.tier)
        winner = results[shown] if shown is not None else None
        support = None
        if winner is not None and winner.support is not None and label in (Label.TRUE.value, Label.FALSE.value):
            support = support_of(winner.support, problem.premises, votes[shown].premises, lent[shown])  # type: ignore[index]
        done = time.perf_counter()
        return Verdict(
            label=label,
            votes=votes,
            counts=counts,
            prover=winner.prover if winner else None,
            proof=winner.proof if winner else None,
            countermodel=winner.countermodel if winner else None,
            timings={
                "parse_seconds": parsed - start,
                "prove_seconds": sum(v.seconds for v in votes),
                "total_seconds": done - start,
            },
            problem_id=problem.id,
            policy=self.policy_name,
            shown=shown,
            support=support,
        )

    # ------------------------------------------------------------ one sample

    def _vote(self, problem: Problem, sample: Sample, kg: FactSource | None) -> tuple[Vote, ProverResult | None, list[Formula]]:
        """The sample's vote and prover result, and the stored facts it was decided with."""
        rounds = 0
        while True:
            extra = _lent(kg, sample)
            error, result, fresh = self._judge(sample, extra)
            if error is None or rounds >= self.repair_rounds:
                break
            fixed = self.parser.repair(problem, sample, error)
            if fixed is None:
                break
            sample, rounds = fixed, rounds + 1
        vote = Vote(
            label=Label.ERROR.value if error else _vote_label(result, self.inconsistent),
            tier=sample.tier,
            premises=[to_folio(f) for f in sample.premises],
            conclusion=to_folio(sample.conclusion) if sample.conclusion is not None else None,
            raw=sample.raw,
            repairs=list(sample.repairs),
            model_repairs=sample.model_repairs,
            error=error,
            prover=result.prover if result else None,
            seconds=result.seconds if result is not None and fresh else 0.0,  # a cache hit costs nothing
            reason=result.reason if error is None and result is not None and result.label == Label.UNKNOWN else None,
        )
        return vote, result, extra

    def _judge(self, sample: Sample, extra: list[Formula]) -> tuple[str | None, ProverResult | None, bool]:
        """(error message or None, prover result or None, whether the prover ran for it)."""
        if not sample.ok:
            return sample.error or "no conclusion", None, False
        premises = [*extra, *sample.premises]
        key = (tuple(map(_formula_shape, premises)), _formula_shape(sample.conclusion))
        if key not in self._decided:  # else these formulas passed before: renaming bound variables keeps the symbols
            try:
                check_signature([*sample.premises, sample.conclusion, *extra])
            except SignatureError as err:
                return f"SignatureError: {err}", None, False
        result, fresh = self._decide(key, premises, sample.conclusion)
        if result.label == Label.ERROR:
            return f"ProverError: {result.reason or 'the prover failed'}", result, fresh
        if result.label == Label.INCONSISTENT and self.inconsistent == "error":
            return "the premises contradict each other", result, fresh
        return None, result, fresh

    def _decide(self, key: tuple, premises: list[Formula], conclusion: Formula) -> tuple[ProverResult, bool]:
        """(result, whether the prover ran): once per distinct problem, as samples often coincide
        up to bound-variable names.

        With ``dedup_renamed``, samples of one problem that differ only in their symbol names
        (``Teach`` in one, ``Teaches`` in another) are decided once too: the later ones reuse the
        label, without the proof or countermodel, whose text names the first sample's symbols.
        The first vote of each label is always decided itself, so the winner keeps its proof.
        ``key``: each formula's :func:`_formula_shape`, equal for formulas that differ only in
        the names of their bound variables."""
        shape = _shape(key) if self.dedup_renamed and self.k > 1 else key  # one sample: no sibling to match
        if key in self._decided:
            self._shapes.setdefault(shape, self._decided[key])
            return self._decided[key], False
        if shape in self._shapes:
            return replace(self._shapes[shape], proof=None, countermodel=None), False
        result = ask_prover(self.prover, premises, conclusion, self.timeout)
        self._decided[key] = self._shapes[shape] = result
        return result, True


def _lent(kg: FactSource | None, sample: Sample) -> list[Formula]:
    """The stored facts that can matter to ``sample``'s problem (none without a source, or for a
    sample with nothing to decide)."""
    if kg is None or not sample.ok:
        return []
    return list(kg.premises(relevant_to=[*sample.premises, sample.conclusion]))


def ask_prover(prover: Prover, premises: Sequence[Formula], conclusion: Formula, timeout: float | None) -> ProverResult:
    """``prover.decide``, with a typed error of the backend as an ``Error`` result, never raised."""
    try:
        return prover.decide(premises, conclusion, timeout=timeout)
    except LincError as err:
        return ProverResult(Label.ERROR, getattr(prover, "name", "?"), 0.0, reason=f"{type(err).__name__}: {err}")


def support_of(positions: Sequence[int], sentences: Sequence[str], formulas: Sequence[str], extra: Sequence[Formula]) -> list[dict[str, Any]]:
    """The premises a proof used, as records: ``positions`` index ``[*extra, *formulas]`` (what
    the prover was given: facts lent by a knowledge graph, then the sample's premises).

    A sample premise gets its 1-based ``position`` and ``formula``, and its ``sentence`` when the
    sample has one formula per sentence (else the formula cannot be tied to a sentence for sure,
    and ``sentence`` is None); a lent fact has ``source`` ``"kg"`` and no position.

    >>> support_of([1], ["Bob is big.", "All big things are red."], ["Big(bob)", "∀x (Big(x) → Red(x))"], [])
    [{'position': 2, 'sentence': 'All big things are red.', 'formula': '∀x (Big(x) → Red(x))', 'source': 'premise'}]
    """
    aligned = len(sentences) == len(formulas)
    out: list[dict[str, Any]] = []
    for i in sorted(positions):
        if i < len(extra):
            out.append({"position": None, "sentence": None, "formula": str(extra[i]), "source": "kg"})
        elif i - len(extra) < len(formulas):
            n = i - len(extra)
            out.append({"position": n + 1, "sentence": sentences[n] if aligned else None, "formula": formulas[n], "source": "premise"})
    return out


@lru_cache(maxsize=4096)
def _shape(key: tuple[tuple[_FormulaShape, ...], _FormulaShape]) -> tuple:
    """The problem ``key`` (its formulas' :func:`_formula_shape`) with every predicate, function
    and constant renamed by order of first use: equal shapes are renamings of one another, so they
    are entailed (or not) alike. Made of each formula's own shape (its symbols numbered within it)
    and, per formula, the problem-wide numbers of those symbols: together they say what the whole
    problem renamed would, and a formula's part is worked out once however many samples and
    problems hold it. Remembered: the K samples of a problem often coincide."""
    numbers: dict[tuple[str, str, int], int] = {}
    out: list = []
    premises, conclusion = key
    for local, symbols in (*premises, conclusion):
        out.append(local)
        out.append(tuple(numbers.setdefault(s, len(numbers)) for s in symbols))
    out.append(len(premises))
    return tuple(out)


#: A formula written out without its symbols' and bound variables' names (see :func:`_formula_shape`).
_FormulaShape = tuple[tuple, tuple[tuple[str, str, int], ...]]


@lru_cache(maxsize=65536)
def _formula_shape(f: Formula) -> _FormulaShape:
    """(``f`` written in prefix order as a flat tuple of node kinds, arities, symbol numbers and
    variables, its symbols numbered by first use; those symbols in that order). Together they are
    ``f`` up to the names of its bound variables: two formulas have equal shapes exactly when
    :func:`~linc.logic.formula.alpha_normalize` makes them equal, without making that formula.

    A constant is its number, a function term one tuple (number, arity), a free variable its name,
    a bound variable its binder's number, negated (binders are numbered in prefix order, as
    ``alpha_normalize`` numbers them: the binder is the innermost quantifier of that name)."""
    names: dict[tuple[str, str, int], int] = {}
    out: list = []
    _shape_walk(f, {}, names, out.append, [0])
    return tuple(out), tuple(names)


# The walk is two module-level functions that take their state as arguments: closures that call
# themselves are reference cycles, garbage only the cyclic collector frees (a dozen objects per
# formula; a third of what made it run during an evaluation).
def _shape_walk(g: Formula, bound: dict[str, int], names: dict[tuple[str, str, int], int], add: Any, binders: list[int]) -> None:
    cls = type(g)
    add(cls.__name__)
    if cls is Pred:
        add(names.setdefault(("P", g.name, len(g.args)), len(names)))
        add(len(g.args))
        for a in g.args:
            _shape_term(a, bound, names, add)
    elif cls in _BINARY:
        _shape_walk(g.left, bound, names, add, binders)
        _shape_walk(g.right, bound, names, add, binders)
    elif cls is Not:
        _shape_walk(g.body, bound, names, add, binders)
    elif cls is Eq:
        _shape_term(g.left, bound, names, add)
        _shape_term(g.right, bound, names, add)
    else:
        binders[0] += 1
        _shape_walk(g.body, {**bound, g.var.name: -binders[0]}, names, add, binders)


def _shape_term(t: Term, bound: dict[str, int], names: dict[tuple[str, str, int], int], add: Any) -> None:
    cls = type(t)
    if cls is Var:
        add(bound.get(t.name, t.name))
    elif cls is Const:
        add(names.setdefault(("c", t.name, 0), len(names)))
    else:
        add((names.setdefault(("f", t.name, len(t.args)), len(names)), len(t.args)))
        for a in t.args:
            _shape_term(a, bound, names, add)


_BINARY = frozenset(Binary)


def _vote_label(result: ProverResult | None, inconsistent: str) -> str:
    if result is None:
        return Label.ERROR.value
    if result.label == Label.INCONSISTENT:
        return Label.TRUE.value if inconsistent == "true" else Label.ERROR.value
    return result.label.value
