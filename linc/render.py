"""Rich rendering for the CLI (the library itself never prints): verdicts, prover results,
countermodels and the plugin list."""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from linc.logic.formula import Formula
from linc.plugins import PluginInfo
from linc.proving import ProverResult
from linc.reasoning import Verdict
from linc.voting import TIERS

_COLOURS = {"True": "green", "False": "red", "Uncertain": "yellow", "Unknown": "magenta", "Inconsistent": "cyan",
            "Error": "bright_black"}
_CLIP = 3000


def label_text(label: str) -> str:
    return f"[bold {_COLOURS.get(label, 'white')}]{label}[/]"


def clip(text: str, limit: int = _CLIP) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters)"


def model_text(model: dict[str, Any]) -> str:
    """A model as a few readable lines: domain, constants, predicate extensions, functions.

    >>> print(model_text({"domain": ["e0"], "constants": {"bob": "e0"}, "functions": {},
    ...                   "predicates": {"Big": [["e0"]], "Red": [], "Rains": True}}))
    domain {e0}
    bob = e0
    Big = {e0}
    Red = {}
    Rains = true
    """
    lines = ["domain {" + ", ".join(model.get("domain", [])) + "}"]
    lines += [f"{name} = {value}" for name, value in model.get("constants", {}).items()]
    for name, value in model.get("predicates", {}).items():
        if isinstance(value, bool):
            lines.append(f"{name} = {str(value).lower()}")
        elif isinstance(value, list):
            tuples = [row[0] if len(row) == 1 else "(" + ", ".join(row) + ")" for row in value]
            lines.append(f"{name} = {{{', '.join(tuples)}}}")
        else:
            lines.append(f"{name}: {value}")
    for name, table in model.get("functions", {}).items():
        cells = table.items() if isinstance(table, dict) else [("", table)]
        lines.append(f"{name}: " + ", ".join(f"{name}({args}) = {value}" for args, value in cells))
    return "\n".join(lines)


def _countermodel_panels(countermodel: dict[str, Any], console: Console) -> None:
    titles = {"conclusion_true": "a model where the conclusion holds",
              "conclusion_false": "a model where the conclusion fails"}
    for key, model in countermodel.items():
        if isinstance(model, dict):
            console.print(Panel(Text(clip(model_text(model))), title=titles.get(key, key), expand=False))


def _formula_table(premises: Sequence[str], conclusion: str | None) -> Table:
    table = Table(show_header=False, box=None)
    for i, f in enumerate(premises, 1):
        table.add_row(str(i), Text(f))
    if conclusion:
        table.add_row("⊢", Text(conclusion, style="bold"))
    return table


def render_verdict(verdict: Verdict, console: Console | None = None) -> None:
    """Label, votes, the formulas of the strongest vote for that label, and its proof or countermodel."""
    console = console or Console()
    votes = ", ".join(f"{label_text(label)} ×{n}" for label, n in verdict.counts.items())
    tiers = Counter(v.tier for v in verdict.votes)
    by_tier = f" ({', '.join(f'{t} {tiers[t]}' for t in TIERS if tiers[t])})" if set(tiers) - {"clean"} else ""
    console.print(f"{label_text(verdict.label)}   votes: {votes}{by_tier}   vote: {verdict.policy}   "
                  f"prover: {verdict.prover or '-'}   {verdict.timings.get('total_seconds', 0):.3f}s")
    shown = verdict.votes[verdict.shown] if verdict.shown is not None else verdict.votes[0] if verdict.votes else None
    if shown is not None:
        console.print(_formula_table(shown.premises, shown.conclusion))
        if shown.error:
            console.print(f"[red]error:[/] {escape(shown.error)}", highlight=False)
        elif shown.reason:
            console.print(f"[dim]reason:[/] {escape(shown.reason)}", highlight=False)
        if shown.repairs:
            console.print(f"[dim]repairs: {escape('; '.join(shown.repairs))}[/]")
    if verdict.support is not None:
        console.print(Text.assemble(("support", "bold"), " (the premises the proof used):"))
        for used in verdict.support:
            where = f"{used['position']}." if used["position"] is not None else "kg:"
            console.print(Text(f"  {where} {used['sentence'] or used['formula']}"))
    if verdict.proof:
        console.print(Panel(Text(clip(verdict.proof)), title="proof", expand=False))
    if verdict.countermodel:
        _countermodel_panels(verdict.countermodel, console)


def render_result(result: ProverResult, premises: Sequence[Formula], conclusion: Formula, console: Console | None = None) -> None:
    """The label with the prover and time, the problem as read, then the proof or countermodel."""
    console = console or Console()
    consistent = {True: "consistent", False: "inconsistent", None: "consistency unknown"}[result.consistent]
    console.print(f"{label_text(result.label.value)}   prover: {result.prover}   {result.seconds:.3f}s   premises {consistent}")
    console.print(_formula_table([str(p) for p in premises], str(conclusion)))
    if result.reason:
        console.print(f"[dim]reason:[/] {escape(result.reason)}", highlight=False)
    if result.support is not None:
        console.print(f"[bold]support:[/] premises {', '.join(str(i + 1) for i in result.support)}", highlight=False)
    if result.proof:
        console.print(Panel(Text(clip(result.proof)), title="proof", expand=False))
    if result.countermodel:
        _countermodel_panels(result.countermodel, console)


def render_plugins(rows: Sequence[PluginInfo], console: Console | None = None) -> None:
    """One row per plugin; unusable ones say why (missing binary, import error, name clash)."""
    console = console or Console()
    table = Table(header_style="bold")
    for column in ("kind", "name", "usable", "source", "detail"):
        table.add_column(column, overflow="fold")
    for r in rows:
        usable = "[green]yes[/]" if r.usable and not r.error else "[red]no[/]"
        table.add_row(escape(r.kind), escape(r.name), usable, escape(r.source), escape(r.error or r.detail))
    console.print(table)
