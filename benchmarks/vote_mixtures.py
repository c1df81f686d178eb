"""How each voting policy fares as the model gets better: recorded samples mixed with perfect ones.

A default voting policy must not only help a weak model (the GPT-3.5 recordings) but also keep up
with a strong one, whose outputs we do not have. This stands in for one: for each recording
(GPT-3.5, 1/2/4/8-shot FOLIO) and each k from 0 to 10, every problem's vote is taken over k samples
of a perfect translator (the record's gold FOL, read by the gold parser: the label our prover gives
the gold) and the first 10 - k recorded samples, in random order (five seeds, averaged). k = 0 is
the recording itself; k = 10 is the gold FOL alone. The same votes go to every registered policy,
so the table shows where each one gains and where it loses.

    python benchmarks/vote_mixtures.py [--data ../shared/data] [--workers 2] [--json]

A perfect translator is an idealisation (a real model's good samples are not all the same text, and
its bad ones are not GPT-3.5's), so read the table for its shape: which policy holds up across the
whole range of model quality, not the exact figure at one k.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vote_policies import recordings  # noqa: E402  (same folder)

from linc.eval.datasets import load_dataset  # noqa: E402
from linc.eval.runner import EvalConfig, evaluate  # noqa: E402
from linc.voting import decide  # noqa: E402

SAMPLES = 10
SEEDS = 5


def votes(path: Path, parser: str, workers: int) -> list[tuple[str, list[SimpleNamespace]]]:
    """(gold label, votes) of every problem of the file, in its order, read by ``parser``."""
    config = EvalConfig(parser=parser, k=SAMPLES if parser == "replay" else 1, repair_rounds=0)
    run = evaluate(load_dataset(str(path)), config, workers=workers)
    return [(r["gold"], [SimpleNamespace(**{"tier": "clean", **v}) for v in r["verdict"]["votes"]]) for r in run.records]


def mixed_accuracy(recorded, perfect, policy, k: int) -> float:
    """Problems right, averaged over the seeds, when k of the samples are perfect."""
    right = 0
    for seed in range(SEEDS):
        rng = random.Random(seed)
        for (gold, sampled), (_, ideal) in zip(recorded, perfect):
            ballot = ideal[:1] * k + sampled[: SAMPLES - k]
            rng.shuffle(ballot)
            right += decide(policy, ballot) == gold
    return right / SEEDS


def main() -> int:
    found = recordings(__doc__.splitlines()[0])
    if found is None:
        return 2
    args, files, policies = found
    table: dict[int, dict[str, list[float]]] = {}
    for shots, path in files.items():
        recorded, perfect = votes(path, "replay", args.workers), votes(path, "gold", args.workers)
        table[shots] = {name: [mixed_accuracy(recorded, perfect, p, k) for k in range(SAMPLES + 1)] for name, p in policies.items()}
        print(f"  {shots}-shot: done", file=sys.stderr)
    if args.json:
        print(json.dumps(table, indent=2))
        return 0
    n = len(load_dataset(str(files[8])).problems)
    for shots, rows in table.items():
        print(f"\n{shots}-shot, correct of {n} with k perfect samples of {SAMPLES}:")
        print(f"{'vote':12}" + "".join(f"{'k=' + str(k):>7}" for k in range(SAMPLES + 1)))
        for name, row in rows.items():
            print(f"{name:12}" + "".join(f"{x:>7.1f}" for x in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
