"""The ``linc`` command. Renders with rich; all the work is done by the library."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

app = typer.Typer(help="Logical reasoning over natural language.", no_args_is_help=True, add_completion=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _show_version(value: bool) -> None:
    if value:
        from linc import __version__

        typer.echo(f"linc {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Logical reasoning over natural language."""
    _skip_final_collection()


def _skip_final_collection() -> None:
    """At exit, freeze the heap first: Python's last garbage collection would otherwise walk every
    object of a process that has LangChain and Z3 loaded, only for all of it to die with the
    process (0.3 s of CPU, every command). Nothing in linc relies on a finaliser at exit: files and
    databases are closed explicitly, and ``weakref.finalize`` callbacks still run."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once, however many commands one process runs (tests)
    atexit.register(gc.freeze)


@app.command()
def version() -> None:
    """Print the version."""
    from linc import __version__

    typer.echo(__version__)


def show_error(err: BaseException | str, note: str = "") -> None:
    """The one place the command line writes its ``linc: error: ...`` line (on stderr, one line,
    no traceback): a typed error as :func:`linc.errors.user_message` words it (a bad option value
    by its flag alone), or a message; ``note`` follows it."""
    from rich.console import Console

    from linc.errors import user_message

    text = err if isinstance(err, str) else user_message(err)
    text += f" {note}" if note else ""
    Console(stderr=True, highlight=False).print(f"[bold red]linc: error:[/] {escape(text)}", markup=True, soft_wrap=True)


def fail(err: Exception | str) -> typer.Exit:
    """Show a typed error (or a message) with :func:`show_error` and exit 2. Every command's usage
    errors end this way, ``linc kg``'s included."""
    show_error(err)
    return typer.Exit(code=2)


def _read_problem_file(file: Path):
    """A problem from FILE, or from standard input for ``-``; an unreadable or binary file is a
    :class:`DatasetError` naming it, a malformed one a :class:`ParserError` naming it."""
    import sys

    from linc.errors import DatasetError, ParserError
    from linc.parsing.base import Problem

    try:
        if str(file) == "-":
            return Problem.from_text(sys.stdin.read(), id="stdin")
        return Problem.from_text(file.read_text(encoding="utf-8-sig"), id=file.stem)
    except ParserError as err:
        raise ParserError(f"{'standard input' if str(file) == '-' else file}: {err}") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{file} is not a UTF-8 text file (a problem file holds premises, one per line, then 'Conclusion: ...')") from None
    except OSError as err:
        raise DatasetError(f"cannot read {file}: {err.strerror or err}") from None


def _no_answer(verdict) -> None:
    """An ``Error`` verdict ends with exit code 1 and, for the grammar parser, a pointer to what it reads."""
    from rich.console import Console

    if verdict.label != "Error":
        return
    hint = ""
    if any(v.error and "outside the grammar" in v.error for v in verdict.votes):
        hint = (" The grammar parser reads controlled English only (docs/controlled-english.md lists what it"
                " accepts); rephrase, or translate with an LLM: --model PROVIDER:NAME.")
    Console(stderr=True, highlight=False).print(f"[bold red]linc: no answer:[/] no sample could be decided.{hint}", markup=True, soft_wrap=True)
    raise typer.Exit(code=1)


@app.command()
def solve(
    file: Optional[Path] = typer.Argument(None, help="Problem file: premises one per line, then 'Conclusion: ...' ('-': standard input)."),
    premise: list[str] = typer.Option([], "-p", "--premise", help="A premise sentence (repeatable)."),
    conclusion: Optional[str] = typer.Option(None, "-c", "--conclusion", help="The conclusion sentence."),
    parser: Optional[str] = typer.Option(None, "--parser", help="Semantic parser: grammar (default), llm, ..."),
    model: Optional[str] = typer.Option(None, "--model", help="PROVIDER:NAME for the llm parser (implies --parser llm)."),
    prover: str = typer.Option("z3", "--prover", help="Prover backend."),
    k: Optional[int] = typer.Option(None, "-k", help="Number of parser samples to vote over (default: 10 for llm, as LINC; else 1)."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds per prover call."),
    repair_rounds: int = typer.Option(1, "--repair-rounds", help="Self-repair rounds for LLM samples (0: off)."),
    vote: str = typer.Option("proof-first", "--vote", help="Voting policy: proof-first (default), clean-first, majority (LINC), or a plugin."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Does the conclusion follow from the premises? Natural language in, True / False / Uncertain out."""
    from linc.errors import LincError, OptionError
    from linc.options import at_least, default_samples, positive_seconds
    from linc.parsing.base import Problem
    from linc.plugins import require_usable_prover
    from linc.reasoning import Reasoner

    try:
        positive_seconds(timeout, "--timeout")
        if k is not None:
            at_least(k, 1, "-k")
        at_least(repair_rounds, 0, "--repair-rounds")
        if file is not None:
            if premise or conclusion:
                raise OptionError("give either a problem FILE or -p/-c, not both")
            problem = _read_problem_file(file)
        elif conclusion is None:
            raise OptionError("a conclusion is needed: -c SENTENCE, or a problem FILE")
        elif not conclusion.strip() or not all(p.strip() for p in premise):
            raise OptionError(f"{'-c' if not conclusion.strip() else '-p'} is empty: give a sentence")
        else:
            problem = Problem(premises=list(premise), conclusion=conclusion)
        name = parser or ("llm" if model else "grammar")
        options = {"model": model} if model else {}
        require_usable_prover(prover)
        reasoner = Reasoner(name, prover, k=k if k is not None else default_samples(name), timeout=timeout, repair_rounds=repair_rounds, parser_options=options, vote=vote)
        verdict = reasoner.solve(problem)
    except LincError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(verdict.to_json())
    else:
        from linc.render import render_verdict

        render_verdict(verdict)
    _no_answer(verdict)


@app.command()
def mcp(
    parser: Optional[str] = typer.Option(None, "--parser", envvar="LINC_PARSER", help="Semantic parser: grammar (default), llm, ..."),
    model: Optional[str] = typer.Option(None, "--model", envvar="LINC_MODEL", help="PROVIDER:NAME for the llm parser (implies --parser llm)."),
    prover: str = typer.Option("z3", "--prover", envvar="LINC_PROVER", help="Default prover backend."),
    kg: Optional[Path] = typer.Option(None, "--kg", envvar="LINC_KG", help="Knowledge-graph database file; without it the kg_* tools are not offered."),
    kg_readonly: bool = typer.Option(False, "--kg-readonly", envvar="LINC_KG_READONLY", help="Offer the kg questions but not kg_add."),
    k: int = typer.Option(1, "-k", envvar="LINC_K", help="Parser samples to vote over."),
    timeout: float = typer.Option(10.0, "--timeout", envvar="LINC_TIMEOUT", help="Seconds per prover call."),
    call_timeout: float = typer.Option(60.0, "--call-timeout", envvar="LINC_CALL_TIMEOUT", help="Seconds per tool call, all included."),
) -> None:
    """Serve the agent tools over stdio as a Model Context Protocol server."""
    from linc.errors import LincError
    from linc.options import at_least, positive_seconds
    from linc.tools.config import ToolConfig

    try:
        positive_seconds(timeout, "--timeout")
        positive_seconds(call_timeout, "--call-timeout")
        at_least(k, 1, "-k")
        config = ToolConfig(
            parser=parser, model=model, prover=prover, kg_path=kg, kg_readonly=kg_readonly,
            k=k, timeout=timeout, call_timeout=call_timeout,
        )
        from linc.tools.server import serve

        serve(config, report=_report_unusable)
    except LincError as err:
        raise fail(err) from None


def _report_unusable(err: Exception) -> None:
    show_error(err, "(serving anyway: every tool call answers with this error)")


from linc.kg.cli import kg_app  # noqa: E402  (mounted after the app's own commands)

app.add_typer(kg_app, name="kg")


@app.command("eval")
def eval_(
    dataset: str = typer.Argument(..., help="A dataset file (FOLIO/linc .jsonl, Logic-LM .json), FORMAT:FILE, or a registered name."),
    parser: Optional[str] = typer.Option(None, "--parser", help="gold | grammar (default) | replay | llm."),
    model: Optional[str] = typer.Option(None, "--model", help="PROVIDER:NAME for the llm parser (implies --parser llm)."),
    parser_option: list[str] = typer.Option([], "--parser-option", help="KEY=VALUE passed to the parser (repeatable)."),
    prover: str = typer.Option("z3", "--prover", help="Prover backend."),
    prover_option: list[str] = typer.Option([], "--prover-option", help="KEY=VALUE passed to the prover backend (repeatable)."),
    k: Optional[int] = typer.Option(None, "-k", help="Samples per problem (default: 10 for llm/replay, else 1)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Worker processes (default: all cores); under Ray, tasks in flight (default: the cluster's CPUs)."),
    concurrency: Optional[int] = typer.Option(None, "--concurrency", help="Model requests in flight across problems, whatever the core count (provers stay in --workers processes)."),
    rate_limit: Optional[float] = typer.Option(None, "--rate-limit", help="At most this many model requests per second (across the cluster with --executor ray)."),
    price: Optional[str] = typer.Option(None, "--price", help="Estimate the cost: in=X,out=Y in USD per million input/output tokens, or a JSON file {\"in\": X, \"out\": Y}."),
    executor: str = typer.Option("local", "--executor", help="local (worker processes) or ray (tasks on a Ray cluster; pip install 'linc\\[ray]')."),  # "\\[": a bracket, not a rich style tag
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="The Ray cluster to join (auto, HOST:PORT, ray://HOST:PORT); default: a local Ray for the run."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N problems."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds per prover call."),
    no_repair: bool = typer.Option(False, "--no-repair", help="Switch self-repair off."),
    vote: str = typer.Option("proof-first", "--vote", help="Voting policy: proof-first (default), clean-first, majority (LINC), or a plugin."),
    countermodels: bool = typer.Option(False, "--countermodels", help="Keep countermodels of Uncertain answers in the records (slower)."),
    no_translation: bool = typer.Option(False, "--no-translation", help="Do not judge the translations against the dataset's gold FOL."),
    out: Optional[Path] = typer.Option(None, "--out", help="Directory for per-problem JSONL + summary JSON; re-run to resume."),
    plot: bool = typer.Option(False, "--plot", help="Write the confusion matrix (and accuracy by depth) as PNG, into --out DIR or the current directory."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the figures."),
) -> None:
    """Evaluate a dataset (FOLIO, ProofWriter, ...): accuracy, confusion, errors, timings."""
    from linc.errors import LincError, OptionError
    from linc.eval.command import Scale, run_eval
    from linc.options import at_least, positive_number, positive_seconds

    try:
        positive_seconds(timeout, "--timeout")
        for value, flag in ((k, "-k"), (workers, "--workers"), (limit, "--limit"), (concurrency, "--concurrency")):
            if value is not None:
                at_least(value, 1, flag)
        if rate_limit is not None:
            positive_number(rate_limit, "--rate-limit", "requests per second")
        if ray_address is not None and executor != "ray":
            raise OptionError("--ray-address needs --executor ray")
    except LincError as err:
        raise fail(err) from None
    code = run_eval(dataset, parser, model, prover, k, workers, limit, timeout, not no_repair, out, plot, as_json,
                    parser_option, prover_option, countermodels, vote, not no_translation,
                    scale=Scale(concurrency=concurrency, rate_limit=rate_limit, executor=executor, address=ray_address), price=price)
    if code:
        raise typer.Exit(code=code)


@app.command()
def prove(
    premise: list[str] = typer.Option([], "-p", "--premise", help="A premise formula (repeatable)."),
    conclusion: str = typer.Option(..., "-c", "--conclusion", help="The conclusion formula."),
    prover: str = typer.Option("z3", "--prover", help="Prover backend (see `linc plugins`)."),
    syntax: Optional[str] = typer.Option(None, "--syntax", help="Formula syntax: nltk, folio or tptp (default: recognised from the formulas)."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds for the whole decision."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Does the conclusion follow from the premises? First-order formulas in, a prover's answer out."""
    import json

    from linc.errors import LincError
    from linc.logic.detect import detect_syntax
    from linc.logic.read import parse
    from linc.options import positive_seconds
    from linc.plugins import get_prover

    try:
        positive_seconds(timeout, "--timeout")
        syntax = syntax or detect_syntax([*premise, conclusion])
        premises = [parse(p, syntax=syntax) for p in premise]
        goal = parse(conclusion, syntax=syntax)
        result = get_prover(prover, timeout=timeout).decide(premises, goal)
    except LincError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        from linc.render import render_result

        render_result(result, premises, goal)
    if result.label.value == "Error":
        raise typer.Exit(code=1)


@app.command("plugins")
def plugins_(as_json: bool = typer.Option(False, "--json", help="Print a JSON list.")) -> None:
    """List every plugin: kind, name, where it came from, and whether it is usable here."""
    import json

    from linc.plugins import list_plugins

    rows = list_plugins()
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
        return
    from linc.render import render_plugins

    render_plugins(rows)




def _write_html(runs: list[Path], html: Optional[Path]) -> Path:
    """Write the report of ``runs`` (default: report.html in the first directory); say where."""
    from linc.errors import LincError
    from linc.eval.html import write_report

    try:
        path = write_report(runs, html if html is not None else runs[0] / "report.html")
    except LincError as err:
        raise fail(err) from None
    typer.echo(f"wrote {path}")
    return path


_RUNS_HELP = "A run directory (linc eval ... --out DIR), or two to compare (the second against the first)."
_HTML_HELP = "The HTML file to write (default: report.html in the first directory)."


@app.command()
def report(
    runs: list[Path] = typer.Argument(..., help=_RUNS_HELP),
    html: Optional[Path] = typer.Option(None, "--html", help=_HTML_HELP),
) -> None:
    """Write one self-contained HTML file showing a run: figures, every problem, each vote."""
    _write_html(runs, html)


@app.command()
def view(
    runs: list[Path] = typer.Argument(..., help=_RUNS_HELP),
    html: Optional[Path] = typer.Option(None, "--html", help=_HTML_HELP),
) -> None:
    """Write the HTML report of a run and open it in the default browser."""
    import webbrowser

    path = _write_html(runs, html)
    if not webbrowser.open(path.resolve().as_uri()):
        typer.echo("no browser could be started here; open the file above by hand", err=True)

if __name__ == "__main__":
    app()
