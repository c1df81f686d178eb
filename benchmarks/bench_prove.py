"""One decision per problem, per backend and problem size, against LINC's nltk + Prover9 call.

Problems come from the shared ProofWriter file (depth 5, open world), read by the grammar parser
with classical semantics: a problem of size N takes the premises of one theory, topped up from the
next theories when the theory is shorter (3, 10, 18 and 30 premises; ProofWriter's median is 18),
and the theory's own question as the conclusion. Every problem is a new premise list, so no
backend answers from a cache.

- each linc backend decides each problem once (``decide``, countermodels off), after a few
  warm-up decisions on other problems; ``z3 cold`` builds a new backend (and so a new Z3 context)
  per decision, as linc did before its context was kept warm; ``z3 warm, premises repeat`` asks
  a second conclusion over premises just decided (the push/pop path taken by votes that agree on
  the premises);
- all of it ``--rounds`` times (``--slow-rounds`` for backends that start processes, seconds a
  decision for some), each round with new backends (so every problem is new to the backend
  deciding it), and each problem's time is its lowest over the rounds: on a shared machine,
  other work only ever adds to a measurement, and one pass's median moves by a third from run
  to run (it is printed too, as the range of the rounds' medians);
- the baseline is what LINC's code does per completion: nltk reads the formulas, then
  ``nltk.inference.Prover9`` is asked for the conclusion and, when that fails, for its negation.

Run:  .venv/bin/python benchmarks/bench_prove.py [--problems 40] [--slow-problems 8] [--rounds 5] [--slow-rounds 1] [--backends z3,cvc5,...]

Figures are milliseconds per decision (median and 95th percentile), wall time and CPU time (this
process plus the subprocesses it waited for: the steadier figure on a busy machine); in brackets,
the baseline's median divided by the backend's, measured in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_eval import prover9_dir  # noqa: E402  (same folder; nltk needs Prover9 outside /tmp)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "proofwriter" / "proofwriter-d5-owa-dev.json"
SIZES = (3, 10, 18, 30)
QUESTION = "Based on the above information, is the following statement true, false, or unknown?"
WARMUP = 5
#: Backends that start processes per decision: fewer problems keep the run short.
SLOW = {"prover9", "eprover", "resolution", "sympy", "pyprover", "portfolio"}


def load_problems(path: Path, sizes: tuple[int, ...], count: int) -> dict[int, list[tuple[list, object]]]:
    """``count + WARMUP`` problems of each size, as IR formulas (premises, conclusion)."""
    from linc.errors import ParserError
    from linc.parsing.grammar import GrammarParser

    parser = GrammarParser()
    theories = []
    for record in json.loads(path.read_text(encoding="utf-8")):
        try:
            premises = [parser.parse(s) for s in record["context"].split(". ") if s.strip()]
            conclusion = parser.parse(record["question"].split(QUESTION, 1)[-1].strip())
        except ParserError:
            continue
        theories.append((premises, conclusion))
    out: dict[int, list] = {}
    for n in sizes:
        problems = []
        for i in range(count + WARMUP):
            premises, conclusion = list(theories[i][0]), theories[i][1]
            j = i + 1
            while len(premises) < n:
                premises += theories[j % len(theories)][0]
                j += 1
            problems.append((premises[:n], conclusion))
        out[n] = problems
    return out


def cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (a backend's subprocesses)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn, problems) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each decision."""
    wall, used = [], []
    for premises, conclusion in problems:
        start, before = time.perf_counter(), cpu()
        fn(premises, conclusion)
        wall.append((time.perf_counter() - start) * 1000)
        used.append((cpu() - before) * 1000)
    return wall, used


def rounds(make, measured, warmup, count: int, measure=timed) -> tuple[list[float], list[float], list[float]]:
    """Each problem's lowest wall and CPU milliseconds over ``count`` rounds, each round with a
    new backend from ``make`` warmed up on ``warmup``, timed by ``measure``; and each round's CPU
    median."""
    walls, cpus = [], []
    for _ in range(count):
        fn = make()
        measure(fn, warmup)
        wall, used = measure(fn, measured)
        walls.append(wall)
        cpus.append(used)
    return [min(w) for w in zip(*walls)], [min(c) for c in zip(*cpus)], [statistics.median(c) for c in cpus]


def stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def linc_backend(name: str):
    """A maker of new backends ``name``, each deciding problems one after another."""
    from linc.plugins import get_prover

    def make():
        prover = get_prover(name, timeout=10.0)
        prover.countermodels = False
        return lambda premises, conclusion: prover.decide(premises, conclusion)

    return make


def z3_cold(premises, conclusion):
    from linc_provers.z3prover import Z3Prover

    prover = Z3Prover(timeout=10.0)
    prover.countermodels = False
    return prover.decide(premises, conclusion)


def z3_repeat():
    """A decision over premises just decided with another conclusion (``¬C`` after ``C``), timed
    alone (the first decision is not)."""
    from linc.logic.formula import Not
    from linc_provers.z3prover import Z3Prover

    prover = Z3Prover(timeout=10.0)
    prover.countermodels = False

    def decide(premises, conclusion):
        prover.decide(premises, conclusion)
        start, before = time.perf_counter(), cpu()
        prover.decide(premises, Not(conclusion))
        return time.perf_counter() - start, cpu() - before

    return decide


def timed_inside(decide, problems) -> tuple[list[float], list[float]]:
    """:func:`timed` for a ``decide`` that times itself (:func:`z3_repeat`): its own figures."""
    pairs = [decide(p, c) for p, c in problems]
    return [w * 1000 for w, _ in pairs], [c * 1000 for _, c in pairs]


def linc_style():
    """LINC's per-completion call: nltk reads the text, Prover9 tries C, then ¬C."""
    from nltk.inference.prover9 import Prover9
    from nltk.sem.logic import Expression

    from linc.logic.write import to_nltk

    prover = Prover9(timeout=10)
    prover.config_prover9(prover9_dir())

    def decide(premises, conclusion):
        texts = [to_nltk(p) for p in premises]
        goal = to_nltk(conclusion)
        assumptions = [Expression.fromstring(t) for t in texts]
        if prover.prove(Expression.fromstring(goal), assumptions):
            return "True"
        if prover.prove(Expression.fromstring(f"-({goal})"), assumptions):
            return "False"
        return "Uncertain"

    return decide


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--problems", type=int, default=40, help="problems per size for in-process backends")
    ap.add_argument("--slow-problems", type=int, default=8, help="problems per size for the baseline and process-based backends")
    ap.add_argument("--backends", default="z3,cvc5,pyprover,prover9,resolution", help="comma-separated linc backends")
    ap.add_argument("--rounds", type=int, default=5, help="rounds with new backends; each problem's lowest time counts")
    ap.add_argument("--slow-rounds", type=int, default=1, help="rounds for the backends that start processes")
    args = ap.parse_args()
    if min(args.problems, args.slow_problems, args.rounds, args.slow_rounds) < 1:
        ap.error("--problems, --slow-problems, --rounds and --slow-rounds need at least 1")
    if not args.file.is_file():
        sys.exit(f"no such file: {args.file} (the ProofWriter data lives in ../shared/data)")
    from linc.plugins import lookup

    problems = load_problems(args.file, SIZES, args.problems)
    # label -> (maker of a new backend, problems, rounds, how a decision is timed)
    runs = {"LINC-style nltk + Prover9": (linc_style, args.slow_problems, args.rounds, timed)}
    runs["z3 cold (new context per decision)"] = (lambda: z3_cold, args.problems, args.rounds, timed)
    for name in args.backends.split(","):
        ok, detail = lookup("prover", name).availability()
        if not ok:
            print(f"skipped {name}: {detail}")
            continue
        slow = name in SLOW
        runs[name] = (linc_backend(name), args.slow_problems if slow else args.problems, args.slow_rounds if slow else args.rounds, timed)
    runs["z3 warm, premises repeat"] = (z3_repeat, args.problems, args.rounds, timed_inside)
    walls: dict[str, dict[int, tuple[float, float]]] = {}
    cpus: dict[str, dict[int, tuple[float, float]]] = {}
    spread: dict[str, dict[int, tuple[float, float]]] = {}  # lowest and highest median of one round
    for label, (make, count, times, measure) in runs.items():
        walls[label], cpus[label], spread[label] = {}, {}, {}
        for n in SIZES:
            warmup = problems[n][-WARMUP:] if measure is timed else []  # on problems not measured
            wall, used, medians = rounds(make, problems[n][:count], warmup, times, measure)
            walls[label][n], cpus[label][n], spread[label][n] = stats(wall), stats(used), (min(medians), max(medians))

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end of the run; "
          f"each problem's lowest time over {args.rounds} rounds ({args.slow_rounds} for {', '.join(sorted(SLOW))})")
    for title, table in (("wall ms per decision", walls), ("CPU ms per decision (with subprocesses)", cpus)):
        base = table["LINC-style nltk + Prover9"]
        head = "".join(f" | {n:>2} premises: median p95 (x)" for n in SIZES)
        print(f"\n{title:40}{head}")
        for label, row in table.items():
            cells = "".join(f" | {row[n][0]:>8.2f} {row[n][1]:>8.2f} ({base[n][0] / max(row[n][0], 1e-9):>6.1f}x)" for n in SIZES)
            print(f"{label:40}{cells}")
    print(f"\n{'CPU ms, one round: median, lowest-highest':40}" + "".join(f" | {n:>2} premises{'':>16}" for n in SIZES))
    for label, row in spread.items():
        print(f"{label:40}" + "".join(f" | {row[n][0]:>12.2f} - {row[n][1]:>8.2f}" for n in SIZES))


if __name__ == "__main__":
    main()
