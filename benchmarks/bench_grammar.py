"""The grammar parser on the 600 ProofWriter depth-5 problems: shapes, translation, evaluation.

(a) Parsing every distinct sentence shape (skeleton) of the 600 problems, in this process: with
    nltk's feature chart parser (the baseline: what the grammar parser did before it was
    compiled) and with the compiled grammar; the readings are compared, and must be the same.
(b) Translating the 600 problems with ``GrammarParser(semantics="proofwriter")`` in a fresh
    process (startup and imports included), cold (an empty readings cache: every shape is
    parsed, nltk imported) and warm (the readings cache filled by the cold run: nltk not imported).
(c) With ``--eval``: ``linc eval FILE --workers N --json`` as a user runs it, cold and warm; the
    accuracy is printed with the times (it must not change).

Run:  .venv/bin/python benchmarks/bench_grammar.py [--eval] [--workers 2]

Each process's figures are its wall time and its CPU time (user + system, with its workers): on a
busy machine the CPU time is the steadier figure.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "proofwriter" / "proofwriter-d5-owa-dev.json"

TRANSLATE = """
import sys
from linc.eval.datasets import load_dataset
from linc.parsing.grammar import GrammarParser
parser = GrammarParser(semantics="proofwriter")
samples = [parser.translate(p)[0] for p in load_dataset(sys.argv[1]).problems]
assert all(s.ok for s in samples), [s.error for s in samples if not s.ok][:3]
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cache: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and stdout of ``command`` run with ``LINC_CACHE_DIR=cache``."""
    cpu, start = children_cpu(), time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True, env={**os.environ, "LINC_CACHE_DIR": cache}, cwd=ROOT)
    return time.perf_counter() - start, children_cpu() - cpu, out.stdout


def skeletons(path: Path) -> set[tuple[str, ...]]:
    from linc.parsing.grammar import _skeleton

    problems = json.loads(path.read_text(encoding="utf-8"))
    sentences = {s for item in problems for s in item["context"].split(". ")}
    sentences |= {item["question"].rsplit("?", 1)[1].strip() for item in problems}
    return {_skeleton(s)[0] for s in sentences}


def shapes(path: Path) -> None:
    from linc.parsing import grammar_chart

    shapes = sorted(skeletons(path))
    grammar_chart.parse_skeleton(shapes[0], 10)  # the grammar read and compiled, nltk imported
    figures = {}
    for name, parse in [
        ("nltk chart parser", lambda s: tuple(grammar_chart.from_nltk(m) for m in grammar_chart.chart_parse(s, 10))),
        ("compiled grammar", lambda s: grammar_chart.parse_skeleton(s, 10)),
    ]:
        start, cpu = time.perf_counter(), time.process_time()
        readings = [parse(s) for s in shapes]
        figures[name] = (time.perf_counter() - start, time.process_time() - cpu, readings)
    (base_wall, base_cpu, base), (wall, cpu, ours) = figures.values()
    same = [str(r) for r in base] == [str(r) for r in ours]
    print(f"(a) {len(shapes)} distinct shapes: nltk chart parser {base_wall:.2f} s wall / {base_cpu:.2f} s CPU; "
          f"compiled {wall:.3f} s / {cpu:.3f} s (x{base_cpu / cpu:.0f} CPU); readings identical: {same}")
    if not same:
        sys.exit("the compiled grammar's readings differ from nltk's")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--eval", action="store_true", help="also time `linc eval` cold and warm")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not args.file.is_file():
        sys.exit(f"no ProofWriter file at {args.file}")
    shapes(args.file)
    with tempfile.TemporaryDirectory() as cache:
        for state in ("cold", "warm"):
            wall, cpu, _ = timed([sys.executable, "-c", TRANSLATE, str(args.file)], cache)
            print(f"(b) translate 600 problems, {state}: {wall:.2f} s wall / {cpu:.2f} s CPU (one process, startup included)")
    if not args.eval:
        return
    linc = str(Path(sys.executable).with_name("linc"))
    with tempfile.TemporaryDirectory() as cache:
        for state in ("cold", "warm"):
            wall, cpu, out = timed([linc, "eval", str(args.file), "--workers", str(args.workers), "--json"], cache)
            run = json.loads(out)
            print(f"(c) linc eval --workers {args.workers}, {state}: {wall:.2f} s wall / {cpu:.2f} s CPU; "
                  f"run's own seconds {run['seconds']:.2f}; accuracy {run['accuracy']:.4f} ({run['correct']}/{run['labelled']})")


if __name__ == "__main__":
    main()
