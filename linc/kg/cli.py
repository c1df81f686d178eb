"""``linc kg``: the knowledge graph from the command line. Renders with rich; the library does the work."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from linc.errors import LincError
from linc.kg.errors import FactConflictError, UnverifiedFactError
from linc.kg.facts import Fact, FactKind, Premise
from linc.logic.formula import Formula

if TYPE_CHECKING:
    from linc.kg.knowledge import KnowledgeGraph

kg_app = typer.Typer(help="The knowledge graph of verified facts.", no_args_is_help=True, add_completion=False)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DB = typer.Option(None, "--db", help="Knowledge-graph file (default: kg.sqlite in the user data dir).")
SYNTAX = typer.Option("nltk", "--syntax", help="FOL syntax of formulas: nltk, folio or tptp.")
PROVER = typer.Option(None, "--prover", help="Prover backend (default: z3).")
TIMEOUT = typer.Option(10.0, "--timeout", help="Seconds per prover call.")
JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")
REF = typer.Argument(..., help="A fact id (12 or #12) or the fact in FOL.")


@contextmanager
def _session(db: Optional[Path], *, create: bool = False, prover: str | None = None, timeout: float | None = None) -> Iterator["KnowledgeGraph"]:
    """Open the graph; a fact the graph declines (a conflict, not verified) ends with its reason
    and exit code 1, any other typed error (bad input, no graph there) as a usage error does."""
    from linc.kg.knowledge import KnowledgeGraph, default_path
    from linc.plugins import get_prover

    try:
        with KnowledgeGraph(db or default_path(), prover=get_prover(prover) if prover else None, create=create, timeout=timeout) as kg:
            yield kg
    except FactConflictError as e:
        err.print(f"[bold red]refused:[/] {escape(str(e))}")
        _fact_table([*e.facts], title="conflicting stored facts", console=err)
        raise typer.Exit(1) from None
    except UnverifiedFactError as e:
        err.print(f"[bold red]not stored:[/] {type(e).__name__}: {escape(str(e))}")
        raise typer.Exit(1) from None
    except LincError as e:
        raise _fail(e) from None


def _fail(error: Exception | str) -> typer.Exit:
    from linc.cli import fail  # the command line's own convention (linc.cli imports this module)

    return fail(error)


def _count(n: int) -> str:
    return f"{n} fact" if n == 1 else f"{n} facts"


def _formula(text: str, syntax: str) -> Formula:
    from linc.logic.read import parse

    return parse(text, syntax=syntax)


def _ref(text: str, syntax: str) -> int | Formula:
    """A fact reference: ``12`` or ``#12`` is an id, anything else a formula."""
    bare = text.strip().lstrip("#")
    return int(bare) if bare.isdigit() else _formula(text, syntax)


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fact_table(facts: list[Fact], *, title: str | None = None, console: Console = out) -> None:
    table = Table(title=title)
    for column in ("id", "kind", "fact", "text", "depends on", "added"):
        table.add_column(column)
    for f in facts:
        deps = ", ".join(f"#{d}" for d in f.depends_on)
        kind = f.kind.value if f.checked else f"{f.kind.value}, [yellow]unchecked[/]"
        table.add_row(f"#{f.id}", kind, escape(f.fol), escape(f.text or ""), deps, f.created_at[:19])
    console.print(table)


@kg_app.command()
def add(
    fact: str = typer.Argument(..., help='The fact, in FOL (after "--" when it starts with "-").'),
    premise: list[str] = typer.Option([], "-p", "--premise", help="A premise in FOL, or a sentence with --nl (repeatable)."),
    axiom: bool = typer.Option(False, "--axiom", help="Store without proof, marked as an axiom."),
    use_kg: bool = typer.Option(False, "--use-kg", help="Prove from the stored facts too (they become dependencies)."),
    allow_unchecked: bool = typer.Option(
        False, "--allow-unchecked", help="If the consistency check runs out of time, store the fact marked unchecked instead of refusing it."
    ),
    durable: bool = typer.Option(False, "--durable", help="Flush the commit to disk before returning (survives a power cut)."),
    text: Optional[str] = typer.Option(None, "--text", help="The sentence the fact states."),
    nl: bool = typer.Option(False, "--nl", help="FACT and premises are sentences: translate them with --parser."),
    parser: Optional[str] = typer.Option(None, "--parser", help="With --nl: the semantic parser (default: grammar; llm with --model)."),
    model: Optional[str] = typer.Option(None, "--model", help="With --nl: PROVIDER:NAME for the llm parser (implies --parser llm)."),
    db: Optional[Path] = DB,
    syntax: str = SYNTAX,
    prover: Optional[str] = PROVER,
    timeout: float = TIMEOUT,
    as_json: bool = JSON,
) -> None:
    """Verify a fact, then store it: proved from its premises, or asserted with --axiom.

    Refused (exit 1) when the prover does not show it or when stored facts contradict it."""
    if nl and axiom:
        raise typer.BadParameter("--nl stores what the premises prove; an axiom is given in FOL")
    with _session(db, create=True, prover=prover, timeout=timeout) as kg:
        kg.durable = durable
        if nl:
            from linc.reasoning import Reasoner

            options = {"model": model} if model else {}
            reasoner = Reasoner(parser or ("llm" if model else "grammar"), kg.prover, timeout=timeout, parser_options=options)
            stored = kg.add_text(premise, fact, reasoner, model=model, use_kg=use_kg, allow_unchecked=allow_unchecked)
            _show_added(stored, as_json)
            return
        formula = _formula(fact, syntax)
        if axiom:
            if premise or use_kg:
                raise typer.BadParameter("an axiom has no premises; drop --axiom to prove the fact")
            stored = kg.assert_axiom(formula, text=text, allow_unchecked=allow_unchecked)
        else:
            given = [Premise(_formula(p, syntax), p) for p in premise]
            stored = kg.add(formula, given, text=text, use_kg=use_kg, allow_unchecked=allow_unchecked)
        _show_added(stored, as_json)


def _show_added(fact: Fact, as_json: bool) -> None:
    if as_json:
        _emit(fact.to_dict())
    else:
        note = "" if fact.checked else "; [yellow]unchecked[/]: its consistency check ran out of time, `linc kg check` retries it"
        out.print(f"[green]stored[/] #{fact.id} {escape(fact.fol)} ({fact.kind.value}{note})")


@kg_app.command()
def ask(
    conclusion: str = typer.Argument(..., help='The question, in FOL (after "--" when it starts with "-").'),
    db: Optional[Path] = DB,
    syntax: str = SYNTAX,
    prover: Optional[str] = PROVER,
    timeout: float = TIMEOUT,
    as_json: bool = JSON,
) -> None:
    """Decide a conclusion from the stored facts alone: True, False or Uncertain."""
    with _session(db, prover=prover, timeout=timeout) as kg:
        result = kg.ask(_formula(conclusion, syntax))
    if as_json:
        _emit(result.to_dict())
        return
    out.print(f"[bold]{result.label}[/] ({result.prover}, {result.seconds:.3f}s)")
    if result.proof:
        out.print(result.proof, markup=False)
    if result.reason:
        out.print(f"reason: {result.reason}", markup=False)


@kg_app.command("list")
def list_facts(
    constant: Optional[str] = typer.Option(None, "--constant", "-c", help="Only facts about this constant."),
    relation: Optional[str] = typer.Option(None, "--relation", "-r", help="With --constant: its neighbours along this relation."),
    kind: Optional[FactKind] = typer.Option(None, "--kind", help="Only axioms or only derived facts."),
    db: Optional[Path] = DB,
    as_json: bool = JSON,
) -> None:
    """List stored facts, the facts about a constant, or a constant's neighbours along a relation."""
    if relation and not constant:
        raise typer.BadParameter("--relation needs --constant")
    with _session(db) as kg:
        if relation:
            edges = kg.neighbours(constant, relation, direction="both")
            negative = kg.neighbours(constant, relation, direction="both", negated=True)
            if as_json:
                _emit([{"subject": e.subject, "relation": e.relation, "object": e.object, "negated": e.negated, "fact": e.fact} for e in edges + negative])
            else:
                for e in edges + negative:
                    out.print(f"#{e.fact} {e}", markup=False)
            return
        facts = kg.about(constant) if constant else kg.facts()
        if kind is not None:
            facts = [f for f in facts if f.kind is kind]
    if as_json:
        _emit([f.to_dict() for f in facts])
    else:
        _fact_table(facts, title=_count(len(facts)))


@kg_app.command()
def path(
    source: str = typer.Argument(..., help="A constant."),
    target: str = typer.Argument(..., help="Another constant."),
    max_length: int = typer.Option(4, "--max-length", help="Longest path, in edges."),
    directed: bool = typer.Option(False, "--directed", help="Follow edges only in their direction."),
    db: Optional[Path] = DB,
    as_json: bool = JSON,
) -> None:
    """How two constants are connected: the paths of stored relations between them."""
    with _session(db) as kg:
        found = kg.paths(source, target, max_length=max_length, directed=directed)
    if as_json:
        _emit([[{"subject": e.subject, "relation": e.relation, "object": e.object, "fact": e.fact} for e in p] for p in found])
        return
    if not found:
        out.print(f"no path between {source} and {target} within {max_length} edges", markup=False)
    for p in found:
        out.print("  ·  ".join(str(e) for e in p), markup=False)


@kg_app.command()
def provenance(
    ref: str = REF,
    db: Optional[Path] = DB,
    syntax: str = SYNTAX,
    as_json: bool = JSON,
) -> None:
    """Where a fact came from: premises, parser, prover, proof, and the stored facts it rests on."""
    with _session(db) as kg:
        prov = kg.provenance(_ref(ref, syntax))
    if as_json:
        _emit(prov.to_dict())
        return
    f = prov.fact
    out.print(f"[bold]#{f.id} {escape(f.fol)}[/]  ({f.kind.value}, added {f.created_at})")
    for label, value in (("text", f.text), ("parser", f.parser), ("model", f.model), ("prover", f.prover)):
        if value:
            out.print(f"{label}: {value}", markup=False)
    for p in f.premises:
        used = {True: "   [used by the proof]", False: "   [not used by the proof]", None: ""}[p.used]
        out.print(f"premise: {p.formula}" + (f"   ({p.text})" if p.text else "") + used, markup=False)
    if f.proof:
        out.print("proof:", f.proof, markup=False)
    if prov.supports:
        _fact_table(list(prov.supports), title="rests on")
    if prov.dependents:
        _fact_table(list(prov.dependents), title="facts resting on it")


@kg_app.command()
def check(
    ref: str = REF,
    db: Optional[Path] = DB,
    syntax: str = SYNTAX,
    timeout: float = TIMEOUT,
    as_json: bool = JSON,
) -> None:
    """Check a fact stored unchecked again; it is marked checked when the stored facts allow it."""
    with _session(db, timeout=timeout) as kg:
        fact = kg.check(_ref(ref, syntax))
    if as_json:
        _emit(fact.to_dict())
    else:
        out.print(f"[green]checked[/] #{fact.id} {escape(fact.fol)}")


@kg_app.command()
def retract(
    ref: str = REF,
    db: Optional[Path] = DB,
    syntax: str = SYNTAX,
    as_json: bool = JSON,
) -> None:
    """Remove a fact, and every fact that was proved from it."""
    with _session(db) as kg:
        gone = kg.retract(_ref(ref, syntax))
    if as_json:
        _emit([f.to_dict() for f in gone])
    else:
        _fact_table(gone, title=f"retracted {_count(len(gone))}")


@kg_app.command()
def export(
    target: Path = typer.Argument(..., help="Output file: .json or .graphml."),
    fmt: Optional[str] = typer.Option(None, "--format", help="json or graphml (default: from the file suffix)."),
    db: Optional[Path] = DB,
) -> None:
    """Write the graph and every fact with its provenance to JSON, or the graph to GraphML."""
    kind = fmt or target.suffix.lstrip(".").lower()
    if kind not in ("json", "graphml"):
        raise typer.BadParameter(f"unknown format {kind!r}: use json or graphml")
    with _session(db) as kg:
        try:
            if kind == "json":
                target.write_text(json.dumps(kg.export_json(), ensure_ascii=False, indent=2), encoding="utf-8")
            else:
                kg.export_graphml(target)
        except OSError as e:
            raise _fail(f"cannot write {target}: {e.strerror}") from None
    out.print(f"wrote {target}", markup=False)


@kg_app.command()
def draw(
    target: Path = typer.Argument(..., help="Output PNG file."),
    around: list[str] = typer.Option([], "--around", help="Draw only near this constant (repeatable)."),
    radius: int = typer.Option(1, "--radius", help="With --around: how many edges away to include."),
    db: Optional[Path] = DB,
) -> None:
    """Draw the graph, or the part around some constants, as a PNG."""
    with _session(db) as kg:
        try:
            kg.draw(target, around=around, radius=radius)
        except OSError as e:
            raise _fail(f"cannot write {target}: {e.strerror}") from None
    out.print(f"wrote {target}", markup=False)
