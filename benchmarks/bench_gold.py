"""`linc eval` on FOLIO's gold FOL: the validation set's 204 problems, gold parser, z3.

Each variant runs as a user runs it, in a fresh process, ``--runs`` times, the variants in turn
(the best run is shown, and the median of ``seconds``: other work on a shared machine only ever
adds to a run, so the best run is the estimate of the command's own time). The variants: one
worker, and the command's default (a worker per core), each with translation judging (the
default: each winning vote's formulas against the gold FOL, here the gold against itself) and
without it (``--no-translation``). Figures of each:

- ``seconds``: the run's own figure from its summary: wall time from the start of the command's
  work (reading the dataset, finding and loading the parser and prover plugins, including the
  drop-in folder ``./plugins`` of the current directory) to the last record; Python's start-up
  and the CLI's imports are not in it;
- CPU: user + system time of the whole process (imports included), and of a one-problem run of
  the same command, i.e. the fixed cost; their difference is what the 203 other problems cost;
- prover: the summary's ``prover_seconds`` (wall time inside the backend, summed over votes and
  workers).

Imports are a large part of a short run, and linc's own modules are compiled again on every run
when Python writes no bytecode (``PYTHONDONTWRITEBYTECODE=1``, as in some containers) and the
install has none (an editable install made by hand; ``make`` compiles linc's modules once, as pip
does for a wheel). By default the run uses whatever the checkout holds. ``--bytecode`` measures
with bytecode kept in a private cache (``PYTHONPYCACHEPREFIX``), filled by one untimed run.

Run:  .venv/bin/python benchmarks/bench_gold.py [--runs 10] [--file FOLIO.jsonl] [--bytecode] [--workers 1,default]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "folio" / "folio-v0.0-validation.jsonl"
TARGET_SECONDS = 0.3


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(path: Path, extra: list[str], env: dict[str, str] | None = None) -> tuple[dict, float]:
    """(the run's summary, CPU seconds of its process)."""
    argv = [str(Path(sys.executable).parent / "linc"), "eval", str(path), "--parser", "gold", "--prover", "z3",
            "--json", *extra]
    before = children_cpu()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    cpu = children_cpu() - before
    if done.returncode != 0:
        sys.exit(f"linc eval failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout), cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--bytecode", action="store_true", help="keep compiled bytecode between runs (in a private cache)")
    ap.add_argument("--workers", default="1,default", help="worker counts to measure, comma-separated ('default': the command's own)")
    args = ap.parse_args()
    if not args.file.is_file():
        sys.exit(f"no such file: {args.file} (the FOLIO data lives in ../shared/data)")
    with tempfile.TemporaryDirectory() as cache:
        env = None
        if args.bytecode:
            env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPYCACHEPREFIX": cache}
            run(args.file, ["--limit", "1"], env)  # fills the cache
        bytecode = "bytecode kept" if args.bytecode else f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}"
        print(f"data: {args.file.name}; gold parser, z3; {args.runs} runs each; {os.cpu_count()} cores; {bytecode}")
        measure(args, env)
    print(f"load average {os.getloadavg()[0]:.1f}: on a busy machine wall times (seconds, prover) stretch")


def measure(args: argparse.Namespace, env: dict[str, str] | None) -> None:
    """The variants' runs alternate, so that all of them meet the same spells of load."""
    workers = [(w, [] if w == "default" else ["--workers", w]) for w in args.workers.split(",")]
    variants = [(f"workers {w}, {judged}", [*wopt, *extra]) for w, wopt in workers
                for judged, extra in (("translation judged", []), ("--no-translation", ["--no-translation"]))]
    runs: dict[str, list[tuple[dict, float]]] = {name: [] for name, _ in variants}
    for _ in range(args.runs):
        for name, extra in variants:
            runs[name].append(run(args.file, extra, env))
    for name, extra in variants:
        summary, _ = min(runs[name], key=lambda r: r[0]["seconds"])
        median = statistics.median(r[0]["seconds"] for r in runs[name])
        fixed = min(run(args.file, [*extra, "--limit", "1"], env)[1] for _ in range(args.runs))
        print(f"{name}: seconds {summary['seconds']:.3f} best, {median:.3f} median (target {TARGET_SECONDS}) "
              f"with {summary['workers']} worker(s); prover {summary['prover_seconds']:.3f} s; CPU "
              f"{min(c for _, c in runs[name]):.2f} s, of which start-up and one problem {fixed:.2f} s; accuracy "
              f"{summary['accuracy']:.4f} ({summary['correct']}/{summary['labelled']})")


if __name__ == "__main__":
    main()
