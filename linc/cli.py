"""The ``linc`` command. Renders with rich; all the work is done by the library."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="Logical reasoning over natural language.", no_args_is_help=True, add_completion=False)


@app.command()
def version() -> None:
    """Print the version."""
    from linc import __version__

    typer.echo(__version__)


def _fail(err: Exception) -> typer.Exit:
    """Render a typed error on stderr and exit non-zero (no traceback for expected failures)."""
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]error:[/] {type(err).__name__}: {err}", highlight=False, markup=True)
    return typer.Exit(code=2)


@app.command()
def solve(
    file: Optional[Path] = typer.Argument(None, help="Problem file: premises one per line, then 'Conclusion: ...'."),
    premise: list[str] = typer.Option([], "-p", "--premise", help="A premise sentence (repeatable)."),
    conclusion: Optional[str] = typer.Option(None, "-c", "--conclusion", help="The conclusion sentence."),
    parser: Optional[str] = typer.Option(None, "--parser", help="Semantic parser: grammar (default), llm, ..."),
    model: Optional[str] = typer.Option(None, "--model", help="PROVIDER:NAME for the llm parser (implies --parser llm)."),
    prover: str = typer.Option("z3", "--prover", help="Prover backend."),
    k: int = typer.Option(1, "-k", help="Number of parser samples to vote over."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds per prover call."),
    repair_rounds: int = typer.Option(1, "--repair-rounds", help="Self-repair rounds for LLM samples (0: off)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Does the conclusion follow from the premises? Natural language in, True / False / Uncertain out."""
    from linc.errors import LincError
    from linc.parsing.base import Problem
    from linc.reasoning import Reasoner

    try:
        if file is not None:
            if premise or conclusion:
                raise typer.BadParameter("give either FILE or -p/-c, not both")
            try:
                problem = Problem.from_text(file.read_text(encoding="utf-8"), id=file.stem)
            except OSError as err:
                raise _fail(err) from None
        elif conclusion is None:
            raise typer.BadParameter("a conclusion is needed: -c SENTENCE, or a problem FILE")
        else:
            problem = Problem(premises=list(premise), conclusion=conclusion)
        name = parser or ("llm" if model else "grammar")
        options = {"model": model} if model else {}
        reasoner = Reasoner(name, prover, k=k, timeout=timeout, repair_rounds=repair_rounds, parser_options=options)
        verdict = reasoner.solve(problem)
    except LincError as err:
        raise _fail(err) from None
    if as_json:
        typer.echo(verdict.to_json())
    else:
        from linc.render import render_verdict

        render_verdict(verdict)


if __name__ == "__main__":
    app()
