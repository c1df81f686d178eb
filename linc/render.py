"""Rich rendering of results for the CLI (the library itself never prints)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from linc.reasoning import Verdict

_COLOURS = {"True": "green", "False": "red", "Uncertain": "yellow", "Unknown": "magenta", "Error": "bright_black"}


def label_text(label: str) -> str:
    return f"[bold {_COLOURS.get(label, 'white')}]{label}[/]"


def render_verdict(verdict: Verdict, console: Console | None = None) -> None:
    """Label, votes, the formulas of the first sample with that label, and its proof or countermodel."""
    console = console or Console()
    votes = ", ".join(f"{label_text(label)} ×{n}" for label, n in verdict.counts.items())
    console.print(f"{label_text(verdict.label)}   votes: {votes}   prover: {verdict.prover or '-'}   "
                  f"{verdict.timings.get('total_seconds', 0):.3f}s")
    shown = next((v for v in verdict.votes if v.label == verdict.label), verdict.votes[0] if verdict.votes else None)
    if shown is not None:
        table = Table(show_header=True, header_style="bold", box=None)
        table.add_column("#", justify="right")
        table.add_column("formula")
        for i, f in enumerate(shown.premises, 1):
            table.add_row(str(i), f)
        if shown.conclusion:
            table.add_row("⊢", f"[bold]{shown.conclusion}[/]")
        console.print(table)
        if shown.error:
            console.print(f"[red]error:[/] {shown.error}", markup=True, highlight=False)
        if shown.repairs:
            console.print("[dim]repairs: " + "; ".join(shown.repairs) + "[/]")
    if verdict.proof:
        console.print(Panel(_clip(verdict.proof), title="proof", expand=False))
    if verdict.countermodel:
        console.print(Panel(_clip(_model_text(verdict.countermodel)), title="countermodel", expand=False))


def _model_text(model: Any) -> str:
    return model if isinstance(model, str) else json.dumps(model, indent=2, ensure_ascii=False)


def _clip(text: str, limit: int = 3000) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters)"
