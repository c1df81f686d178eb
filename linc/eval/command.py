"""The ``linc eval`` command's body (CLI layer: the only part of linc.eval that prints).

Progress and warnings go to stderr, results to stdout, so ``--json`` output stays one object.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from linc import plugins
from linc.collector import collector_paused, collector_thresholds
from linc.cli import show_error
from linc.errors import DatasetError, LincError, OptionError
from linc.eval.cost import Prices
from linc.eval.datasets import Dataset, load_dataset
from linc.eval.report import summarise, summary_renderable, write_plots, write_summary
from linc.eval.runner import EvalConfig, evaluate
from linc.eval.store import RunStore
from linc.voting import DEFAULT_POLICY

_MAX_WARNINGS = 20


def key_values(pairs: list[str], flag: str) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; a value is read as JSON when it is JSON (``true``, ``3``), else kept as text."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise OptionError(f"{flag} wants KEY=VALUE, not {pair!r}")
        try:
            options[key.strip()] = json.loads(value)
        except ValueError:
            options[key.strip()] = value
    return options


def choose_config(dataset: Dataset, parser: str | None, model: str | None, prover: str, k: int | None,
                  timeout: float, repair: bool, parser_opts: dict[str, Any] | None = None,
                  prover_opts: dict[str, Any] | None = None, countermodels: bool = False,
                  vote: str = DEFAULT_POLICY, translation: bool = True) -> EvalConfig:
    """Settle the parser and its options; refuse a parser the dataset cannot feed."""
    name = parser or ("llm" if model else "grammar")
    if name == "gold" and not dataset.has_gold_fol:
        raise DatasetError(f"--parser gold needs gold FOL (premises-FOL and conclusion-FOL); {dataset.source} has none")
    if name == "replay" and not dataset.has_generations:
        raise DatasetError(f"--parser replay needs recorded 'generations'; {dataset.source} has none")
    from linc.options import default_samples, typed_options
    from linc.plugins import lookup, require_usable_prover

    require_usable_prover(prover)
    prover_opts = typed_options(lookup("prover", prover), dict(prover_opts or {}), "--prover-option", {"timeout": "--timeout"})
    parser_opts = typed_options(lookup("parser", name), dict(parser_opts or {}), "--parser-option", {"model": "--model"})
    if model and name == "llm":
        from linc.parsing.providers import require_integration

        require_integration(model)
    options: dict[str, Any] = {**dataset.parser_options.get(name, {}), **parser_opts, **({"model": model} if model else {})}
    return EvalConfig(
        parser=name,
        prover=prover,
        k=k if k is not None else default_samples(name),
        timeout=timeout,
        repair_rounds=1 if repair else 0,
        parser_options=options,
        prover_options=dict(prover_opts or {}),
        countermodels=countermodels,
        vote=vote,
        translation=translation,
    )


@dataclass
class Scale:
    """How the problems run (no record depends on it): see :func:`linc.eval.runner.evaluate`."""

    concurrency: int | None = None
    rate_limit: float | None = None
    executor: str = "local"
    address: str | None = None


@collector_thresholds()  # for the whole command: see the docstring
def run_eval(spec: str, parser: str | None, model: str | None, prover: str, k: int | None, workers: int | None,
             limit: int | None, timeout: float, repair: bool, out: Path | None, plot: bool, as_json: bool,
             parser_option: list[str] | None = None, prover_option: list[str] | None = None,
             countermodels: bool = False, vote: str = DEFAULT_POLICY, translation: bool = True, scale: Scale | None = None,
             price: str | None = None) -> int:
    """Run ``linc eval``; returns the exit code.

    The collector runs at a run's thresholds for the whole command, not only while problems are
    solved (:func:`linc.eval.runner.evaluate`): at Python's default ones, the objects that reading
    the data and loading the plugins make (Z3's bindings: some 13,000) were walked by collections
    before the run started, and those the run leaves by one more after it, on their way to the
    end of the process."""
    err = Console(stderr=True, highlight=False)
    start = time.perf_counter()
    store: RunStore | None = None
    try:
        prices = Prices.parse(price) if price is not None else None
        parser_opts = key_values(parser_option or [], "--parser-option")
        prover_opts = key_values(prover_option or [], "--prover-option")
        dataset = load_dataset(spec, limit=limit)
        for issue in dataset.issues[:_MAX_WARNINGS]:
            err.print(f"[yellow]skipped[/] {escape(f'{dataset.source} {issue}')}", markup=True)
        if len(dataset.issues) > _MAX_WARNINGS:
            err.print(f"[yellow]skipped[/] … and {len(dataset.issues) - _MAX_WARNINGS} more unreadable records", markup=True)
        with collector_paused():  # loads the plugins: LangChain and Z3 make objects that live as long as the process
            plugins.get_vote(vote)  # an unknown policy fails before any work
            config = choose_config(dataset, parser, model, prover, k, timeout, repair, parser_opts, prover_opts, countermodels, vote, translation)
        store = RunStore(out, config.settings(), Path(dataset.source).name or dataset.name) if out is not None else None
        run = _run_with_progress(dataset, config, workers, store, err, scale or Scale())
    except KeyboardInterrupt:
        saved = escape(f"; finished problems are saved in {out}: re-run the same command to resume") if out else ""
        err.print(f"[bold red]interrupted[/]{saved}", markup=True)
        return 130
    except LincError as error:
        show_error(error)
        return 2
    finally:
        if store is not None:
            store.close()
    summary = summarise(run.records, time.perf_counter() - start, dataset=dataset.source, settings=config.settings(),
                        skipped=dataset.issues, resumed=run.resumed, workers=run.workers, semantics=dataset.semantics,
                        prices=prices)
    written: list[Path] = []
    if out is not None:
        written.append(write_summary(summary, out))
    if plot:
        written += write_plots(summary, out if out is not None else Path.cwd())
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        Console(highlight=False).print(summary_renderable(summary))
    for path in written:
        err.print(f"wrote {path}", markup=False)
    return _verdict_on_run(summary, config, dataset, err)


def _verdict_on_run(summary: Any, config: EvalConfig, dataset: Dataset, err: Console) -> int:
    """Hints for a run that mostly failed, and exit code 1 when no problem could be answered."""
    if config.parser == "grammar" and summary.parse_error_share > 0.5:
        other = ("--parser replay (this dataset has recorded model outputs)" if dataset.has_generations else
                 "--parser gold (this dataset has gold FOL)" if dataset.has_gold_fol else "an LLM: --model PROVIDER:NAME")
        err.print(f"[yellow]hint:[/] {summary.parse_error_share:.0%} of the votes could not be translated by the grammar "
                  f"parser, which reads controlled English only (docs/controlled-english.md); try {other}", markup=True, soft_wrap=True)
    if summary.problems and summary.unanswered == summary.problems:
        limited = sum(row.get("Unknown", 0) for row in summary.confusion.values())
        why = ["the causes are listed under 'errors by cause'"] if summary.error_causes else []
        if limited:
            why.append(f"{limited} hit a prover limit (Unknown): a longer --timeout, or higher limits of the "
                       "backend (--prover-option), may let them finish")
        show_error(f"none of the {summary.problems} problems could be answered; {'; '.join(why) or 'no vote was valid'}")
        return 1
    return 0


def _run_with_progress(dataset: Dataset, config: EvalConfig, workers: int | None, store: RunStore | None, err: Console,
                       scale: Scale):
    """Evaluate under a progress bar that refreshes from the callback (no refresh thread, so
    worker processes can still be forked safely). Elsewhere than on a terminal (a pipe, a file)
    a transient bar draws nothing, so none is built."""
    if not err.is_terminal:
        return evaluate(dataset, config, workers=workers, store=store, **asdict(scale))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[acc]}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    tally = {"right": 0, "labelled": 0, "shown": 0.0}
    with Progress(*columns, console=err, auto_refresh=False, transient=True) as bar:
        task = bar.add_task(f"{config.parser}+{config.prover}", total=len(dataset.problems), acc="")

        def progress(done: int, total: int, record: dict[str, Any]) -> None:
            if record.get("correct") is not None:
                tally["labelled"] += 1
                tally["right"] += bool(record["correct"])
            now = time.monotonic()
            acc = f"acc {tally['right'] / tally['labelled']:.3f}" if tally["labelled"] else ""
            bar.update(task, completed=done, acc=acc)
            if now - tally["shown"] > 0.1 or done == total:
                tally["shown"] = now
                bar.refresh()

        return evaluate(dataset, config, workers=workers, store=store, progress=progress, **asdict(scale))
