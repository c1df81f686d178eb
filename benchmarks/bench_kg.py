"""The knowledge graph at scale: open, insert, ask, add --use-kg, neighbours and paths at 1k, 10k, 100k facts.

The store holds a ProofWriter-like theory: 200 rules over 20 input, 30 derived and 10 "never"
predicates and 10 relations (unary chains, conjunctions, negative conclusions, and relational
rules ``∀x∀y (R(x,y) ∧ I(y) → D(x))``), plus random ground facts (input labels and relation
edges) over ``size / 20`` constants. The store is consistent by construction, so its bulk is
loaded straight into the file; every measured operation goes through the public API
(``KnowledgeGraph``):

- open: a new ``KnowledgeGraph`` on the file and its first question (the index, with the least
  model of the rules, is loaded from the facts), then its first graph query (the networkx view);
- insert: ``assert_axiom`` of new random facts: 45% edges, 45% input labels, 10% negated derived
  labels (some of which contradict the rules and are refused; a refusal is timed like a store);
  by default (a returned insert survives the process being killed) and with ``durable=True``
  (flushed to disk before it returns: survives a power cut); the cost of one fsync on the disk
  holding the file is measured alongside;
- ask: ``ask`` of derived labels (True or Uncertain); add --use-kg: ``add(D(c), use_kg=True)``
  of derivable labels; neighbours: ``neighbours(c, direction="both")``; paths: ``paths(a, b)``
  (max length 4, undirected);
- memory: the process's peak resident set (each size runs in its own process).

Baseline, in the same run: today's approach before the index, the full re-check (the prover
decides ¬fact from every stored fact that shares a predicate with it, transitively: here the whole
store), with Z3 without countermodels; at the sizes where it finishes (``--baseline-max``).

Run:  .venv/bin/python benchmarks/bench_kg.py [--sizes 1000,10000,100000] [--ops 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INPUT, DERIVED, NEVER, RELATIONS = 20, 30, 10, 10
#: Seconds the baseline's prover may take per insert (an answer of Unknown is reported as such).
BASELINE_LIMIT = 300.0


def theory_rules(rng: random.Random) -> list[str]:
    """200 rules, consistent with any positive input labels and edges (NEVER is only ever denied)."""
    rules = []
    for _ in range(80):
        rules.append(f"all x. (I{rng.randrange(INPUT)}(x) -> D{rng.randrange(DERIVED)}(x))")
    for _ in range(50):
        i, k = sorted(rng.sample(range(DERIVED), 2))
        rules.append(f"all x. ((D{i}(x) & I{rng.randrange(INPUT)}(x)) -> D{k}(x))")
    for _ in range(30):
        rules.append(f"all x. (D{rng.randrange(DERIVED)}(x) -> -N{rng.randrange(NEVER)}(x))")
    for _ in range(40):
        rules.append(f"all x. all y. ((R{rng.randrange(RELATIONS)}(x, y) & I{rng.randrange(INPUT)}(y)) -> D{rng.randrange(DERIVED)}(x))")
    return list(dict.fromkeys(rules))


def ground_fact(rng: random.Random, constants: int) -> str:
    c = f"c{rng.randrange(constants)}"
    if rng.random() < 0.5:
        return f"R{rng.randrange(RELATIONS)}({c}, c{rng.randrange(constants)})"
    return f"I{rng.randrange(INPUT)}({c})"


def build(path: Path, size: int, rng: random.Random) -> tuple[list[str], list[str], int]:
    """Rules and ``size`` facts in all, written in one transaction (consistent by construction)."""
    from linc.kg.facts import FactKind
    from linc.kg.store import Store
    from linc.logic.read import parse

    constants = max(50, size // 20)
    rules = theory_rules(rng)
    facts: dict[str, None] = {}
    while len(rules) + len(facts) < size:
        facts[ground_fact(rng, constants)] = None
    store = Store(path)
    with store.change() as db:
        for text in [*rules, *facts]:
            store.insert(db, parse(text), FactKind.AXIOM)
    store.close()
    return rules, list(facts), constants


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def fsync_ms(folder: Path, n: int = 50) -> float:
    """Median cost of writing a page and flushing it, on the disk holding the store."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        out = []
        for _ in range(n):
            os.write(fd, b"x" * 4096)
            start = time.perf_counter()
            os.fsync(fd)
            out.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(out)


def run_size(size: int, ops: int, baseline: bool, seed: int) -> dict:
    from linc.kg import FactConflictError, KnowledgeGraph
    from linc.logic.formula import Not
    from linc.logic.read import parse
    from linc_provers.z3prover import Z3Prover

    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="bench-kg-"))
    path = folder / "kg.sqlite"
    rules, facts, constants = build(path, size, rng)
    prover = Z3Prover(timeout=60.0, small_models=False)
    prover.countermodels = False
    out: dict = {"size": size, "rules": len(rules), "constants": constants, "fsync_ms": fsync_ms(folder)}
    start, cpu = time.perf_counter(), time.process_time()
    with KnowledgeGraph(path, prover=prover, timeout=60.0) as kg:
        kg.ask(parse(f"D0(c{rng.randrange(constants)})"))
        out["open_s"], out["open_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        kg.neighbours("c0")
        out["view_s"] = time.perf_counter() - start

        def insert(text: str) -> None:
            try:
                kg.assert_axiom(parse(text))
            except FactConflictError:
                out["refused"] = out.get("refused", 0) + 1

        new = []
        while len(new) < ops:
            r = rng.random()
            new.append(f"-D{rng.randrange(DERIVED)}(c{rng.randrange(constants)})" if r < 0.1 else ground_fact(rng, constants))
        out["insert_ms"] = timed(insert, new)
        kg.durable = True
        out["insert_durable_ms"] = timed(insert, [ground_fact(rng, constants) for _ in range(ops)])
        kg.durable = False
        labels = [f"D{rng.randrange(DERIVED)}(c{rng.randrange(constants)})" for _ in range(ops)]
        asked = []
        out["ask_ms"] = timed(lambda t: asked.append(kg.ask(parse(t)).label.value), labels)
        out["ask_true"] = asked.count("True")
        derivable = [t for t, a in zip(labels, asked) if a == "True"][: max(10, ops // 4)]
        out["add_use_kg_ms"] = timed(lambda t: kg.add(parse(t), use_kg=True), derivable)
        picks = [f"c{rng.randrange(constants)}" for _ in range(ops)]
        out["neighbours_ms"] = timed(lambda c: kg.neighbours(c, direction="both"), picks)
        graph = kg.graph()
        pairs = [(a, b) for a, b in zip(picks, reversed(picks)) if a in graph and b in graph]
        out["paths_ms"] = timed(lambda ab: kg.paths(*ab), pairs)
        out["paths_found"] = sum(bool(kg.paths(a, b)) for a, b in pairs[:20])
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if baseline:
        every = [parse(t) for t in [*rules, *facts]]
        answers = []
        out["baseline_insert_ms"] = timed(lambda t: answers.append(prover.decide(every, Not(parse(t)), timeout=BASELINE_LIMIT).label.value), new[:3])
        out["baseline_unknown"] = answers.count("Unknown")
    return out


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def p95(xs: list[float]) -> float:
    return sorted(xs)[int(0.95 * (len(xs) - 1))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--ops", type=int, default=200, help="measured operations of each kind per size")
    ap.add_argument("--baseline-max", type=int, default=1000, help="largest size the full re-check baseline runs at (3 inserts)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size, print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.ops, args.one <= args.baseline_max, args.seed)))
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        argv = [sys.executable, __file__, "--one", str(size), "--ops", str(args.ops), "--baseline-max", str(args.baseline_max), "--seed", str(args.seed)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"size {size} failed:\n{done.stderr}")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        "| stored facts | rules | open (index, view) | insert median (p95) | insert, durable=True | ask median (p95) | add --use-kg median"
        " | neighbours median | paths median (p95) | peak RSS | full re-check insert (baseline) | speed-up |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        base = median(r.get("baseline_insert_ms", []))
        ins = median(r["insert_ms"])
        print(
            f"| {r['size']:,} | {r['rules']} | {r['open_s']:.2f} s, {r['view_s']:.2f} s | {ins:.2f} ms ({p95(r['insert_ms']):.1f})"
            f" | {median(r['insert_durable_ms']):.2f} ms ({p95(r['insert_durable_ms']):.1f}) | {median(r['ask_ms']):.2f} ms ({p95(r['ask_ms']):.1f})"
            f" | {median(r['add_use_kg_ms']):.2f} ms | {median(r['neighbours_ms']):.3f} ms | {median(r['paths_ms']):.2f} ms ({p95(r['paths_ms']):.1f})"
            f" | {r['peak_rss_mb']:.0f} MB | " + (f"{base:.0f} ms | {base / ins:.0f}x |" if r.get("baseline_insert_ms") else "too slow to run | |")
        )
    for r in rows:
        print(f"{r['size']:,} facts: open {r['open_cpu_s']:.2f} s of CPU; fsync {r['fsync_ms']:.2f} ms; {r.get('refused', 0)} of {len(r['insert_ms'])} inserts refused as contradictions;"
              f" {r['ask_true']} of {len(r['ask_ms'])} asks True; {r['paths_found']} of 20 path queries found a path"
              + (f"; baseline answered Unknown (time limit) {r['baseline_unknown']} of 3 times" if r.get("baseline_unknown") else ""))


if __name__ == "__main__":
    main()
