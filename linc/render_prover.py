"""Rich rendering of prover results and the plugin list for ``linc prove`` and ``linc plugins``."""

from __future__ import annotations

import json
from typing import Sequence

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from linc.logic.formula import Formula
from linc.plugins import PluginInfo
from linc.proving import ProverResult

_COLOURS = {"True": "green", "False": "red", "Uncertain": "yellow", "Unknown": "magenta", "Inconsistent": "cyan", "Error": "bright_black"}
_CLIP = 3000


def _clip(text: str) -> str:
    return text if len(text) <= _CLIP else text[:_CLIP] + f"\n… ({len(text) - _CLIP} more characters)"


def render_result(result: ProverResult, premises: Sequence[Formula], conclusion: Formula, console: Console | None = None) -> None:
    """The label with the prover and time, the problem as read, then the proof or countermodel."""
    console = console or Console()
    label = result.label.value
    consistent = {True: "consistent", False: "inconsistent", None: "consistency unknown"}[result.consistent]
    console.print(f"[bold {_COLOURS.get(label, 'white')}]{label}[/]   prover: {result.prover}   "
                  f"{result.seconds:.3f}s   premises {consistent}")
    table = Table(show_header=False, box=None)
    for i, f in enumerate(premises, 1):
        table.add_row(str(i), Text(str(f)))
    table.add_row("⊢", Text(str(conclusion), style="bold"))
    console.print(table)
    if result.reason:
        console.print(f"[dim]reason:[/] {escape(result.reason)}", highlight=False)
    if result.proof:
        console.print(Panel(Text(_clip(result.proof)), title="proof", expand=False))
    if result.countermodel:
        text = json.dumps(result.countermodel, indent=2, ensure_ascii=False)
        console.print(Panel(Text(_clip(text)), title="countermodel", expand=False))


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
