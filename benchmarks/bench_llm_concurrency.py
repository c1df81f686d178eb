"""LLM-bound evaluation: wall time against the ideal when every model call takes ``latency`` seconds.

The replay model answers with the recorded GPT-3.5 completions but sleeps ``latency`` seconds per
call (``--parser-option latency=SECONDS``), as a live model would take. Each run is ``linc eval``
as a user runs it (a fresh process, start-up included), on the whole recorded file:

(a) no latency, worker processes only: the accuracy every other run must reproduce, and the floor
    set by reading and proving;
(b) with latency, worker processes only (one model call in flight per worker, as before
    ``--concurrency``), on the first ``--pool-limit`` problems;
(c) with latency and ``--concurrency C`` for each C asked: wall time against the ideal
    ``calls × latency / C``.

Run:  .venv/bin/python benchmarks/bench_llm_concurrency.py [--latency 1.0] [--concurrency 8 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "linc-recorded" / "gpt-3.5-turbo-16k-0613_folio-neurosymbolic-8shot.jsonl"


def run(path: Path, workers: int, latency: float = 0.0, concurrency: int | None = None, limit: int | None = None) -> dict:
    """One ``linc eval`` in a fresh process: its summary, and its wall time from outside."""
    command = [str(Path(sys.executable).parent / "linc"), "eval", str(path), "--parser", "replay", "--json", "--workers", str(workers)]
    if latency:
        command += ["--parser-option", f"latency={latency}"]
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    if limit:
        command += ["--limit", str(limit)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    return {"wall": wall, "accuracy": summary["accuracy"], "calls": summary["usage"]["calls"], "problems": summary["problems"],
            "command": " ".join(["linc", *command[1:]])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per model call (default 1.0)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pool-limit", type=int, default=16, help="problems for run (b), which is slow by design (0: skip it)")
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"no recorded file at {args.file} (the shared data sits beside the repository)")

    print(f"{args.file.name}, {args.workers} workers, {os.cpu_count()} cores, latency {args.latency:g} s per call\n")
    base = run(args.file, args.workers)
    print(f"(a) no latency:            wall {base['wall']:6.2f} s  accuracy {base['accuracy']:.4f}  "
          f"({base['problems']} problems, {base['calls']} calls)")
    if args.pool_limit:
        pool = run(args.file, args.workers, args.latency, limit=args.pool_limit)
        ideal = pool["calls"] * args.latency / args.workers
        whole = pool["wall"] / pool["problems"] * base["problems"]
        print(f"(b) latency, workers only: wall {pool['wall']:6.2f} s  on {pool['problems']} problems "
              f"(ideal {ideal:.2f} s = {pool['calls']} calls x {args.latency:g} s / {args.workers}); "
              f"the whole file at this pace: ~{whole:.0f} s (extrapolated)")
    accurate = True
    for concurrency in args.concurrency:
        paced = run(args.file, args.workers, args.latency, concurrency)
        ideal = paced["calls"] * args.latency / concurrency
        same = paced["accuracy"] == base["accuracy"]
        accurate &= same
        print(f"(c) --concurrency {concurrency:<4}    wall {paced['wall']:6.2f} s  ideal {ideal:6.2f} s "
              f"({paced['calls']} calls x {args.latency:g} s / {concurrency})  wall/ideal {paced['wall'] / ideal:4.2f}  "
              f"accuracy {paced['accuracy']:.4f} ({'same as (a)' if same else 'DIFFERS from (a)'})")
        print(f"    {paced['command']}")
    if not accurate:
        sys.exit("a paced run's accuracy differs from the run without latency")


if __name__ == "__main__":
    main()
