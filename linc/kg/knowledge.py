"""The knowledge graph of verified facts: the public face over the store, the graph and the checks.

A fact gets in only with a proof from its premises (:meth:`KnowledgeGraph.add`) or as an explicit
axiom (:meth:`KnowledgeGraph.assert_axiom`), and only if the stored facts do not refute it. The
prover is injected, so the store knows no backend; without one, the registry's ``z3`` is used.

Writes are optimistic: the consistency check runs outside the write lock (a proof may take
seconds), and the write then commits only if nothing changed meanwhile, else the check is redone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import networkx as nx

from linc.errors import KnowledgeGraphError
from linc.kg import codec
from linc.kg import graph as graphs
from linc.kg.consistency import check_consistent, minimal_support
from linc.kg.errors import DatabaseError, StaleRevision, UnknownFactError, UnverifiedFactError
from linc.kg.facts import Fact, FactKind, Premise, Provenance, check_fact, symbols
from linc.kg.store import Store
from linc.logic.formula import Formula, universal_closure
from linc.proving import Label, Prover, ProverResult

if TYPE_CHECKING:
    from linc.reasoning import Reasoner

DEFAULT_PROVER = "z3"
#: How often a write re-checks after other processes changed the store under it.
MAX_ATTEMPTS = 50

FactRef = int | Formula


def default_path() -> Path:
    """``kg.sqlite`` in the user data directory (created on first use)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("linc", appauthor=False)) / "kg.sqlite"


class KnowledgeGraph:
    """Verified facts with provenance, kept in one SQLite file and queried as a networkx graph.

    ``prover`` decides every proof and consistency check (default: the registry's ``z3``);
    ``timeout`` bounds each prover call; ``busy_timeout`` is how long a write waits for another
    process holding the file. ``create=False`` refuses a missing file instead of creating it.
    Use an instance from one thread at a time; other processes may use the same file at once."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        prover: Prover | None = None,
        create: bool = True,
        timeout: float | None = None,
        busy_timeout: float = 30.0,
    ):
        self.path = Path(path) if path is not None else default_path()
        if path is None and create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.timeout = timeout
        self._prover = prover
        self._store = Store(self.path, create=create, busy_timeout=busy_timeout)
        self._graph: tuple[int, nx.MultiDiGraph] | None = None

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def prover(self) -> Prover:
        if self._prover is None:
            from linc.plugins import get_prover

            self._prover = get_prover(DEFAULT_PROVER)
        return self._prover

    # ------------------------------------------------------------ adding facts

    def add(
        self,
        fact: Formula,
        premises: Sequence[Formula | Premise] = (),
        *,
        text: str | None = None,
        parser: str | None = None,
        model: str | None = None,
        use_kg: bool = False,
        timeout: float | None = None,
    ) -> Fact:
        """Prove ``fact`` from ``premises`` (and the stored facts, with ``use_kg``), then store it.

        Premises equal to stored facts, and the stored facts a ``use_kg`` proof needed, become
        the fact's dependencies: retracting one of them retracts the fact. Returns the stored
        fact (the existing one if it is stored already). Raises :class:`UnverifiedFactError` when
        the prover does not show it, :class:`FactConflictError` when stored facts refute it."""
        check_fact(fact)
        given = [p if isinstance(p, Premise) else Premise(p) for p in premises]
        for p in given:
            codec.dumps(p.formula)  # well-formed; free variables are fine, provers close them
        if not given and not use_kg:
            raise KnowledgeGraphError(f"{fact}: a derived fact needs premises (or use_kg); assert_axiom stores a fact without proof")
        limit = self.timeout if timeout is None else timeout
        proof = None if use_kg else self._prove(fact, given, [], limit)
        for _ in range(MAX_ATTEMPTS):
            with self._store.snapshot():
                revision = self._store.revision()
                existing = self._store.find(fact)
                stored = self._relevant(fact)
                support = self._relevant(fact, *given) if use_kg else []
                named = [i for i in (self._store.find(universal_closure(p.formula)) for p in given) if i is not None]
            if existing is not None:
                return self.get(existing)
            result, used = proof if proof is not None else self._prove(fact, given, support, limit)
            check_consistent(lambda: self.prover, fact, stored, limit)
            try:
                with self._store.change(revision) as db:
                    fact_id = self._store.insert(
                        db, fact, FactKind.DERIVED, premises=given, text=text, parser=parser, model=model,
                        prover=result.prover, proof=result.proof, seconds=result.seconds,
                        depends_on=[*named, *(u.id for u in used)],
                    )
            except StaleRevision:
                continue
            return self.get(fact_id)
        raise DatabaseError(f"{self.path}: gave up adding {fact} after {MAX_ATTEMPTS} attempts; other writers kept changing the store")

    def add_text(
        self,
        premises: Sequence[str],
        conclusion: str,
        reasoner: "Reasoner",
        *,
        model: str | None = None,
        use_kg: bool = False,
        timeout: float | None = None,
    ) -> Fact:
        """Verify-then-store from language: the reasoner translates and votes; if its verdict is
        True, the winning translation's conclusion is proved again here from its premises (so the
        store holds its own proof) and stored with the sentences and the parser as provenance."""
        from linc.logic.read import parse

        verdict = reasoner.check(premises, conclusion, kg=self if use_kg else None)
        vote = next((v for v in verdict.votes if v.label == verdict.label and v.conclusion is not None), None)
        if verdict.label != Label.TRUE.value or vote is None:
            raise UnverifiedFactError(f"{conclusion!r} was not verified: the reasoner's verdict is {verdict.label} ({verdict.counts})")
        texts = list(premises) if len(premises) == len(vote.premises) else [None] * len(vote.premises)
        given = [Premise(parse(f, syntax="folio"), t) for f, t in zip(vote.premises, texts)]
        fact = parse(vote.conclusion, syntax="folio")
        return self.add(fact, given, text=conclusion, parser=reasoner.parser.name, model=model, use_kg=use_kg, timeout=timeout)

    def assert_axiom(
        self,
        fact: Formula,
        *,
        text: str | None = None,
        parser: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
    ) -> Fact:
        """Store ``fact`` without proof, marked as an axiom; still refused if stored facts refute it."""
        check_fact(fact)
        limit = self.timeout if timeout is None else timeout
        for _ in range(MAX_ATTEMPTS):
            with self._store.snapshot():
                revision = self._store.revision()
                existing = self._store.find(fact)
                stored = self._relevant(fact)
            if existing is not None:
                return self.get(existing)
            check = check_consistent(lambda: self.prover, fact, stored, limit)
            try:
                with self._store.change(revision) as db:
                    fact_id = self._store.insert(
                        db, fact, FactKind.AXIOM, text=text, parser=parser, model=model,
                        prover=check.prover if check else None,
                    )
            except StaleRevision:
                continue
            return self.get(fact_id)
        raise DatabaseError(f"{self.path}: gave up adding {fact} after {MAX_ATTEMPTS} attempts; other writers kept changing the store")

    def _relevant(self, fact: Formula, *premises: Premise) -> list[Fact]:
        seeds = symbols(fact).union(*(symbols(p.formula) for p in premises))
        return self._store.facts(self._store.related(seeds))

    def _prove(self, fact: Formula, given: list[Premise], support: list[Fact], limit: float | None) -> tuple[ProverResult, list[Fact]]:
        """The proof of ``fact``, and the stored facts among ``support`` it needs."""
        fixed = [p.formula for p in given]
        result = self.prover.decide([*fixed, *(s.formula for s in support)], fact, timeout=limit)
        if result.label is not Label.TRUE:
            why = {
                Label.FALSE: "its negation follows from the premises",
                Label.UNCERTAIN: "it does not follow from the premises",
                Label.INCONSISTENT: "the premises are inconsistent, so a proof would prove nothing",
            }.get(result.label, f"the prover gave no answer ({result.reason or result.label})")
            raise UnverifiedFactError(f"{fact} was not verified: {why}", result)
        return result, minimal_support(self.prover, fixed, support, fact, limit) if support else []

    # ------------------------------------------------------------ questions and premises

    def premises(self, relevant_to: Formula | None = None) -> list[Formula]:
        """The stored facts as premises for a new question (only those that can matter to
        ``relevant_to``, when given: fewer premises, faster proofs, same answer)."""
        if relevant_to is None:
            return [f.formula for f in self._store.facts()]
        return [f.formula for f in self._relevant(relevant_to)]

    def ask(self, conclusion: Formula, *, timeout: float | None = None) -> ProverResult:
        """Decide ``conclusion`` from the stored facts alone."""
        limit = self.timeout if timeout is None else timeout
        return self.prover.decide(self.premises(conclusion), conclusion, timeout=limit)

    # ------------------------------------------------------------ reading facts

    def facts(self, kind: FactKind | str | None = None) -> list[Fact]:
        every = self._store.facts()
        return every if kind is None else [f for f in every if f.kind == FactKind(kind)]

    def __len__(self) -> int:
        return self._store.count()

    def get(self, ref: FactRef) -> Fact:
        """The stored fact with this id, or equal to this formula; :class:`UnknownFactError` if none."""
        fact_id = ref if isinstance(ref, int) else self._store.find(ref)
        found = self._store.facts([fact_id]) if fact_id is not None else []
        if not found:
            raise UnknownFactError(f"no stored fact {'#' if isinstance(ref, int) else ''}{ref}")
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
        return gone

    def integrity(self) -> str:
        return self._store.integrity()

    # ------------------------------------------------------------ the graph

    def graph(self) -> nx.MultiDiGraph:
        """The networkx view, rebuilt only when the file changed (from any process)."""
        with self._store.snapshot():
            revision = self._store.revision()
            if self._graph is None or self._graph[0] != revision:
                self._graph = (revision, graphs.build(self._store.facts()))
        return self._graph[1]

    def neighbours(self, constant: str, relation: str | None = None, *, direction: graphs.Direction = "out", negated: bool = False) -> list[graphs.Edge]:
        return graphs.neighbours(self.graph(), constant, relation, direction, negated)

    def paths(self, source: str, target: str, *, max_length: int = 4, directed: bool = False, relation: str | None = None) -> list[list[graphs.Edge]]:
        return graphs.paths(self.graph(), source, target, max_length=max_length, directed=directed, relation=relation)

    def export_json(self) -> dict:
        return graphs.to_json(self.graph(), self._store.facts())

    def export_graphml(self, path: str | Path) -> Path:
        return graphs.write_graphml(self.graph(), path)

    def draw(self, path: str | Path, *, around: Sequence[str] = (), radius: int = 1) -> Path:
        """A PNG of the whole graph, or of the part within ``radius`` of the ``around`` constants."""
        g = graphs.subgraph(self.graph(), around, radius) if around else self.graph()
        return graphs.draw(g, path)
