"""The knowledge graph of verified facts: the public face over the store, the index and the checks.

A fact gets in only with a proof from its premises (:meth:`KnowledgeGraph.add`) or as an explicit
axiom (:meth:`KnowledgeGraph.assert_axiom`), and only if the stored facts do not refute it. The
prover that writes proofs is injected, so the store knows no backend; without one, the registry's
``z3`` is used. Consistency checks run on a warm in-process Z3 solver (:mod:`linc.kg.solver`).

Writes are serialised: the consistency check and the insert run in one SQLite write transaction
(``BEGIN IMMEDIATE``), so two writers can never store contradicting facts, and a writer never has
to start over because another stored something unrelated. Proofs, which may take seconds, run
before the lock is taken; only a proof whose stored support was retracted meanwhile is redone.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

import networkx as nx

from linc.collector import collector_paused
from linc.errors import FormulaSyntaxError, KnowledgeGraphError
from linc.kg import codec
from linc.kg import graph as graphs
from linc.kg.consistency import check_consistent
from linc.kg.errors import CheckTimeoutError, DatabaseError, MalformedFactError, UnknownFactError, UnverifiedFactError
from linc.kg.facts import Fact, FactKind, Premise, Provenance, check_fact, complement
from linc.kg.ground import Plan, plan
from linc.kg.index import Index
from linc.kg.shape import literal_of
from linc.kg.solver import Checker, CheckUnknown
from linc.kg.store import Store
from linc.logic.formula import And, Eq, Exists, Forall, Formula, Iff, Implies, Not, Or, Pred, Xor, universal_closure
from linc.options import positive_seconds
from linc.proving import Label, Prover, ProverResult

if TYPE_CHECKING:
    from linc.reasoning import Reasoner

DEFAULT_PROVER = "z3"
#: Seconds a consistency check may take when neither the graph nor the call sets a timeout.
CHECK_TIMEOUT = 10.0
#: The name results carry when the least model of the stored Horn facts decided them.
LEAST_MODEL = "least model"
#: How often ``add`` re-proves when the stored facts its proof used keep being retracted.
MAX_ATTEMPTS = 50

FactRef = int | Formula | str
FormulaLike = Formula | str
_FORMULA_TYPES = (Pred, Eq, Not, And, Or, Xor, Implies, Iff, Forall, Exists)
#: Fact ids are SQLite integers: a larger number names no fact (and SQLite cannot even take it).
_MAX_ID = 2**63 - 1


def default_path() -> Path:
    """``kg.sqlite`` in the user data directory, which is created if missing: a caller may open
    this path as given (the command line and the agent tools do), and a fresh machine has no
    such directory yet."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("linc", appauthor=False, ensure_exists=True)) / "kg.sqlite"


def as_formula(value: FormulaLike) -> Formula:
    """A formula as given, or read from text (NLTK/LINC syntax, else FOLIO's Unicode syntax)."""
    if not isinstance(value, str):
        if not isinstance(value, _FORMULA_TYPES):
            raise MalformedFactError(f"not a formula: {value!r:.80}")
        return value
    from linc.logic.read import parse

    try:
        return parse(value, syntax="nltk")
    except FormulaSyntaxError as first:
        try:
            return parse(value, syntax="folio")
        except FormulaSyntaxError:
            raise first from None


def _not_a_path(value: object) -> Path:
    raise DatabaseError(f"a knowledge graph is a file path, not {type(value).__name__} {value!r:.80}")


@contextmanager
def _writing(path: str | Path) -> Iterator[None]:
    """A file written at ``path`` that cannot be (a folder, no such folder, no permission) ends
    as a :class:`KnowledgeGraphError` naming it."""
    try:
        yield
    except OSError as err:
        raise KnowledgeGraphError(f"cannot write {path}: {err.strerror or err}") from None


class KnowledgeGraph:
    """Verified facts with provenance, kept in one SQLite file and queried as a networkx graph.

    ``prover`` writes every proof (default: the registry's ``z3``); ``timeout`` bounds each prover
    call and each consistency check; ``busy_timeout`` is how long a write waits for another
    process holding the file. ``create=False`` refuses a missing file instead of creating it.
    An insert that returned survives the process being killed; ``durable=True`` also flushes each
    commit to disk (one fsync per insert), so it survives a power cut too (by default a power cut
    may lose the last second or so of inserts, see :mod:`linc.kg.store`).
    Use an instance from one thread at a time; other processes may use the same file at once.

    >>> import tempfile, pathlib
    >>> with KnowledgeGraph(pathlib.Path(tempfile.mkdtemp()) / "kg.sqlite") as kg:
    ...     _ = kg.assert_axiom("Big(bob)")
    ...     _ = kg.assert_axiom("all x. (Big(x) -> Red(x))")
    ...     kg.add("Red(bob)", use_kg=True)
    Fact(#3 Red(bob), derived, depends on #1, #2)
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        prover: Prover | None = None,
        create: bool = True,
        timeout: float | None = None,
        busy_timeout: float = 30.0,
        durable: bool = False,
    ):
        self.path = Path(path) if isinstance(path, (str, Path)) else default_path() if path is None else _not_a_path(path)
        self.timeout = None if timeout is None else positive_seconds(timeout, "timeout")
        self._prover = prover
        self._store = Store(self.path, create=create, busy_timeout=busy_timeout, durable=durable)
        self._index: Index | None = None
        self._revision = self._epoch = -1
        self._graph: nx.MultiDiGraph | None = None
        self._checker: Checker | None = None

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def durable(self) -> bool:
        """Whether each commit is flushed to disk before it returns (``synchronous=FULL``); settable."""
        return self._store.durable

    @durable.setter
    def durable(self, value: bool) -> None:
        self._store.durable = value

    @property
    def prover(self) -> Prover:
        if self._prover is None:
            from linc.plugins import get_prover

            self._prover = get_prover(DEFAULT_PROVER)
        return self._prover

    @property
    def _checks(self) -> Checker:
        if self._checker is None:
            self._checker = Checker()
        return self._checker

    def _limit(self, timeout: float | None) -> float:
        if timeout is not None:
            return positive_seconds(timeout, "timeout")
        return self.timeout if self.timeout is not None else CHECK_TIMEOUT

    # ------------------------------------------------------------ the in-memory index

    def _sync(self) -> Index:
        """The index of the checked facts, brought up to the file's state by applying the rows
        added since; rebuilt in a new epoch (facts retracted, or promoted by :meth:`check`).
        Call inside a snapshot or a write transaction."""
        revision = self._store.revision()
        if self._index is not None and revision == self._revision:
            return self._index
        epoch = self._store.epoch()
        if self._index is None or epoch != self._epoch:
            self._index, self._graph = Index(), None
        with collector_paused():  # the whole store at open: see linc.collector
            rows = self._store.formulas_after(self._index.max_id)
            self._index.load(rows)
            if self._graph is not None:
                for fact_id, formula in rows:
                    graphs.add(self._graph, fact_id, formula)
        self._revision, self._epoch = revision, epoch
        return self._index

    def _learn(self, fact_id: int, formula: Formula) -> None:
        self._index.add(fact_id, formula)  # type: ignore[union-attr]
        if self._graph is not None:
            graphs.add(self._graph, fact_id, formula)

    def _read_index(self) -> Index:
        with self._store.snapshot():
            return self._sync()

    # ------------------------------------------------------------ adding facts

    def add(
        self,
        fact: FormulaLike,
        premises: Sequence[FormulaLike | Premise] = (),
        *,
        text: str | None = None,
        parser: str | None = None,
        model: str | None = None,
        use_kg: bool = False,
        timeout: float | None = None,
        allow_unchecked: bool = False,
    ) -> Fact:
        """Prove ``fact`` from ``premises`` (and the stored facts, with ``use_kg``), then store it.

        Strings are read as formulas. Premises equal to stored facts, and the stored facts a
        ``use_kg`` proof needed, become the fact's dependencies: retracting one of them retracts the
        fact. Returns the stored fact (the existing one if it is stored already). Raises
        :class:`UnverifiedFactError` when the prover does not show it, :class:`FactConflictError`
        when stored facts refute it, :class:`CheckTimeoutError` when that check runs out of time
        (with ``allow_unchecked`` the fact is then stored marked unchecked, see :meth:`check`)."""
        fact = as_formula(fact)
        check_fact(fact)
        given = [p if isinstance(p, Premise) else Premise(as_formula(p), p if isinstance(p, str) else None) for p in premises]
        for p in given:
            codec.dumps(p.formula)  # well-formed; free variables are fine, provers close them
        if not given and not use_kg:
            raise KnowledgeGraphError(
                f"{fact}: a derived fact needs premises, or the stored facts as premises (use_kg=True;"
                " --use-kg on the command line); assert_axiom (--axiom) stores a fact without proof"
            )
        limit = self._limit(timeout)
        proof = None if use_kg else self._prove(fact, given, limit, use_kg=False)
        for _ in range(MAX_ATTEMPTS):
            existing = self._store.find(fact)
            if existing is not None:
                return self.get(existing)
            result, used = proof if proof is not None else self._prove(fact, given, limit, use_kg=True)
            stored = self._check_and_insert(
                fact, FactKind.DERIVED, limit, allow_unchecked, premises=given, text=text, parser=parser, model=model,
                prover=result.prover, proof=result.proof, seconds=result.seconds, used=used,
            )
            if stored is not None:
                return stored
        raise DatabaseError(f"{self.path}: gave up adding {fact} after {MAX_ATTEMPTS} attempts; the stored facts its proof used kept being retracted")

    def add_text(
        self,
        premises: Sequence[str],
        conclusion: str,
        reasoner: "Reasoner",
        *,
        model: str | None = None,
        use_kg: bool = False,
        timeout: float | None = None,
        allow_unchecked: bool = False,
    ) -> Fact:
        """Verify-then-store from language: the reasoner translates and votes; if its verdict is
        True, the winning translation's conclusion is proved again here from its premises (so the
        store holds its own proof) and stored with the sentences and the parser as provenance."""
        from linc.logic.read import parse

        verdict = reasoner.check(premises, conclusion, kg=self if use_kg else None)
        vote = verdict.votes[verdict.shown] if verdict.shown is not None else None
        if verdict.label != Label.TRUE.value or vote is None or vote.conclusion is None:
            cause = next((v.error or v.reason for v in verdict.votes if v.error or v.reason), None)  # why no vote decided
            raise UnverifiedFactError(f"{conclusion!r} was not verified: the reasoner's verdict is {verdict.label} "
                                      f"({verdict.counts}){f': {cause}' if cause else ''}")
        texts = list(premises) if len(premises) == len(vote.premises) else [None] * len(vote.premises)
        used = None if verdict.support is None else {s["position"] for s in verdict.support}
        given = [Premise(parse(f, syntax="folio"), t, None if used is None else n in used)
                 for n, (f, t) in enumerate(zip(vote.premises, texts), 1)]
        fact = parse(vote.conclusion, syntax="folio")
        return self.add(fact, given, text=conclusion, parser=reasoner.parser.name, model=model, use_kg=use_kg, timeout=timeout, allow_unchecked=allow_unchecked)

    def assert_axiom(
        self,
        fact: FormulaLike,
        *,
        text: str | None = None,
        parser: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
        allow_unchecked: bool = False,
    ) -> Fact:
        """Store ``fact`` without proof, marked as an axiom; still refused if stored facts refute it
        (and, unless ``allow_unchecked``, if that check runs out of time: see :meth:`add`)."""
        fact = as_formula(fact)
        check_fact(fact)
        stored = self._check_and_insert(fact, FactKind.AXIOM, self._limit(timeout), allow_unchecked, text=text, parser=parser, model=model)
        assert stored is not None  # an axiom needs no stored support
        return stored

    def _check_and_insert(
        self, fact: Formula, kind: FactKind, limit: float, allow_unchecked: bool, *, used: Sequence[int] = (), premises: Sequence[Premise] = (), **fields
    ) -> Fact | None:
        """Check ``fact`` against the checked facts and insert it, as one write transaction (so no
        other writer can slip a contradicting fact in between); a check that runs out of time
        stores it unchecked when ``allow_unchecked``. None when a stored fact in ``used``, or a
        stored premise, was retracted since the proof: the caller proves again."""
        with self._store.change() as db:
            index = self._sync()
            fact_id = self._store.find(fact)
            if fact_id is None:
                named = [i for i in (self._store.find(universal_closure(p.formula)) for p in premises) if i is not None]
                if any(i not in index.formulas for i in used):
                    return None
                checked = True
                try:
                    check_consistent(index, self._checks, fact, limit, self._store.facts)
                except CheckTimeoutError:
                    if not allow_unchecked:
                        raise
                    checked = False
                fact_id = self._store.insert(db, fact, kind, premises=premises, depends_on=[*named, *used], checked=checked, **fields)
                written = True
            else:
                written = checked = False
        if written:
            if checked:
                self._learn(fact_id, fact)
            self._revision = self._store.written_revision
        return self.get(fact_id)

    def check(self, ref: FactRef, *, timeout: float | None = None) -> Fact:
        """Check a fact stored unchecked against the checked facts and, when it passes, mark it
        checked: from then on it serves as knowledge (questions, proofs, checks, the graph).
        Raises :class:`FactConflictError` when checked facts refute it (it stays unchecked: retract
        it, or what it contradicts) and :class:`CheckTimeoutError` when the check runs out of time
        again. A checked fact is returned as it is."""
        fact = self.get(ref)
        if fact.checked:
            return fact
        with self._store.change() as db:
            index = self._sync()
            current = self._store.facts([fact.id])
            if not current:
                raise UnknownFactError(f"no stored fact #{fact.id} (retracted meanwhile)")
            promote = not current[0].checked  # another process may have promoted it meanwhile
            if promote:
                check_consistent(index, self._checks, fact.formula, self._limit(timeout), self._store.facts)
                self._store.mark_checked(db, fact.id)
                epoch = self._store.new_epoch(db)  # other processes cannot apply it as a new row
        if promote:
            self._learn(fact.id, fact.formula)
            self._revision, self._epoch = self._store.written_revision, epoch
        return self.get(fact.id)

    def _prove(self, fact: Formula, given: list[Premise], limit: float, *, use_kg: bool) -> tuple[ProverResult, list[int]]:
        """The prover's proof of ``fact`` from ``given`` (and, with ``use_kg``, the stored facts it
        needs), and the ids of those stored facts.

        With ``use_kg`` the warm solver first finds a minimal set of stored facts that, with the
        premises, entails the fact (its unsat core); the prover then proves it from just those."""
        fixed = [p.formula for p in given]
        premises, used = fixed, []
        lit = literal_of(fact)
        if use_kg and not fixed and lit is not None and (index := self._read_index()).horn(lit):
            support = index.refutation(literal_of(complement(fact)))  # type: ignore[arg-type]
            used = sorted(support.facts) if support is not None else []
            if support is None:
                why = ProverResult(Label.UNCERTAIN, LEAST_MODEL, 0.0, consistent=True, reason="not in the least model of the stored facts")
                raise UnverifiedFactError(f"{fact} was not verified: it does not follow from the stored facts", why)
            premises = [index.formulas[i] for i in used]
        elif use_kg:
            index = self._read_index()
            goal = Not(fact)
            part = plan(index, [*(universal_closure(f) for f in fixed), goal])
            try:
                core = self._checks.core([("premises", fixed), ("goal", [goal]), *part.parts.items()], limit)
            except CheckUnknown:
                core = None
            if core is not None:
                used = sorted(k for k in core if isinstance(k, int))
                premises = [*fixed, *(index.formulas[i] for i in used)]
            else:  # not entailed (or undecided): the prover says which, on what can matter
                used = sorted(part.parts)
                premises = [*fixed, *(f for fs in part.parts.values() for f in fs)]
        result = self.prover.decide(premises, fact, timeout=limit)
        if result.label is not Label.TRUE:
            why = {
                Label.FALSE: "its negation follows from the premises",
                Label.UNCERTAIN: "it does not follow from the premises",
                Label.INCONSISTENT: "the premises are inconsistent, so a proof would prove nothing",
            }.get(result.label, f"the prover gave no answer ({result.reason or result.label})")
            raise UnverifiedFactError(f"{fact} was not verified: {why}", result)
        return result, used

    # ------------------------------------------------------------ questions and premises

    def _relevant(self, *questions: Formula) -> tuple[Index, Plan]:
        """The stored facts that can decide any of ``questions`` (each closed, and its negation)."""
        index = self._read_index()
        closed = [universal_closure(q) for q in questions]
        return index, plan(index, [*closed, *(complement(c) for c in closed)])

    def premises(self, relevant_to: FormulaLike | Sequence[FormulaLike] | None = None) -> list[Formula]:
        """The checked facts as premises for a new question: only those that can matter to
        ``relevant_to`` when it is given (fewer premises, faster proofs, same answer). For a whole
        problem give its premises and conclusion together: what can decide the conclusion, or
        contradict the premises, from the stored facts."""
        if relevant_to is None:
            return [f.formula for f in self._store.facts() if f.checked]
        questions = [relevant_to] if isinstance(relevant_to, (Formula, str)) else list(relevant_to)
        if not questions:
            return []
        index, part = self._relevant(*(as_formula(q) for q in questions))
        return [index.formulas[i] for i in sorted(part.parts)]

    def ask(self, conclusion: FormulaLike, *, timeout: float | None = None, countermodel: bool = False) -> ProverResult:
        """Decide ``conclusion`` from the stored facts alone.

        A ground literal in a Horn component is decided by the least model, and the prover then
        proves it from just the facts its derivation used; otherwise the prover sees only what can
        matter (the ground instances around a ground question, or the facts connected to it).
        An Uncertain answer carries the prover's countermodel only with ``countermodel=True``."""
        conclusion = as_formula(conclusion)
        limit = self._limit(timeout)
        lit = literal_of(conclusion)
        if lit is not None:
            index = self._read_index()
            if index.horn(lit):
                return self._decide_horn(index, conclusion, lit)
        _, part = self._relevant(conclusion)
        premises = [f for fs in part.parts.values() for f in fs]
        prover, wanted = self.prover, self.prover.countermodels
        prover.countermodels = wanted and countermodel
        try:
            return prover.decide(premises, conclusion, timeout=limit)
        finally:
            prover.countermodels = wanted

    @staticmethod
    def _decide_horn(index: Index, conclusion: Formula, lit) -> ProverResult:
        """A ground question in a Horn component, from the least model; the proof is the derivation."""
        start = time.perf_counter()
        against = index.refutation(lit)
        support = index.refutation(literal_of(complement(conclusion))) if against is None else None  # type: ignore[arg-type]
        label = Label.FALSE if against is not None else Label.TRUE if support is not None else Label.UNCERTAIN
        why = against or support
        return ProverResult(
            label, LEAST_MODEL, time.perf_counter() - start, proof=why.proof(index) if why else None, consistent=True,
            reason=None if why else "neither it nor its negation follows: the stored rules are Horn clauses, and their least model decides",
            details={"facts": sorted(why.facts)} if why else None,
        )

    # ------------------------------------------------------------ reading facts

    def facts(self, kind: FactKind | str | None = None) -> list[Fact]:
        if kind is not None and kind not in {k.value for k in FactKind} and not isinstance(kind, FactKind):
            raise KnowledgeGraphError(f"no fact kind {kind!r}; the kinds are {', '.join(k.value for k in FactKind)}")
        every = self._store.facts()
        return every if kind is None else [f for f in every if f.kind == FactKind(kind)]

    def __len__(self) -> int:
        return self._store.count()

    def get(self, ref: FactRef) -> Fact:
        """The stored fact with this id, or equal to this formula; :class:`UnknownFactError` if none."""
        by_id = isinstance(ref, int) and not isinstance(ref, bool)
        fact_id = ref if by_id else self._store.find(as_formula(ref))
        found = self._store.facts([fact_id]) if fact_id is not None and 0 < fact_id <= _MAX_ID else []
        if not found:
            raise UnknownFactError(f"no stored fact {'#' if by_id else ''}{ref}")
        return found[0]

    def about(self, constant: str) -> list[Fact]:
        """Every stored fact mentioning ``constant`` (ground facts and rules alike)."""
        return self._store.facts(self._store.with_symbol("constant", constant))

    def provenance(self, ref: FactRef) -> Provenance:
        fact = self.get(ref)
        supports = self._store.facts(self._store.supports_closure(fact.id))
        dependents = self._store.facts([i for i in self._store.dependents_closure(fact.id) if i != fact.id])
        return Provenance(fact, tuple(supports), tuple(dependents))

    def retract(self, ref: FactRef) -> list[Fact]:
        """Remove a fact and every fact proved from it (transitively), in one transaction."""
        fact = self.get(ref)
        with self._store.change() as db:
            ids = self._store.dependents_closure(fact.id)
            gone = self._store.facts(ids)
            self._store.delete(db, ids)
            self._store.new_epoch(db)
        return gone

    def integrity(self) -> str:
        return self._store.integrity()

    # ------------------------------------------------------------ the graph

    def graph(self) -> nx.MultiDiGraph:
        """The networkx view, kept in step with the file (from any process) fact by fact."""
        index = self._read_index()
        if self._graph is None:
            with collector_paused():
                self._graph = graphs.build(sorted(index.formulas.items()))
        return self._graph

    def neighbours(self, constant: str, relation: str | None = None, *, direction: graphs.Direction = "out", negated: bool = False) -> list[graphs.Edge]:
        return graphs.neighbours(self.graph(), constant, relation, direction, negated)

    def paths(self, source: str, target: str, *, max_length: int = 4, directed: bool = False, relation: str | None = None) -> list[list[graphs.Edge]]:
        return graphs.paths(self.graph(), source, target, max_length=max_length, directed=directed, relation=relation)

    def export_json(self) -> dict:
        return graphs.to_json(self.graph(), self._store.facts())

    def export_graphml(self, path: str | Path) -> Path:
        with _writing(path):
            return graphs.write_graphml(self.graph(), path)

    def draw(self, path: str | Path, *, around: Sequence[str] = (), radius: int = 1) -> Path:
        """A PNG of the whole graph, or of the part within ``radius`` of the ``around`` constants."""
        g = graphs.subgraph(self.graph(), around, radius) if around else self.graph()
        with _writing(path):
            return graphs.draw(g, path)
