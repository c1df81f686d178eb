"""Translation quality on the shared recordings, and what judging it costs.

For each shared recording (GPT-3.5, 1/2/4/8-shot FOLIO, replayed), prints the three equivalence
figures of ``linc eval`` (premises, conclusions and whole problems of the winning votes' samples
equivalent to the gold FOL up to renaming) and accuracy on problems translated right and wrong.
Then the cost: the 8-shot recording evaluated in this process with and without the judging, CPU
seconds of each and their ratio (the baseline is the run without, measured in the same run).

    python benchmarks/translation_quality.py [--data ../shared/data] [--workers 2] [--json]
"""

from __future__ import annotations

import json
import sys
import time

from vote_policies import recordings  # the same recordings and command line (run as a script)

from linc.eval.datasets import load_dataset
from linc.eval.report import summarise
from linc.eval.runner import EvalConfig, evaluate

SHOTS = (1, 2, 4, 8)


def cpu_seconds(data, translation: bool) -> float:
    """CPU time of one in-process evaluation (steadier than wall time on a shared machine)."""
    start = time.process_time()
    evaluate(data, EvalConfig(parser="replay", k=10, translation=translation), workers=1)
    return time.process_time() - start


def main() -> int:
    found = recordings(__doc__.splitlines()[0])
    if found is None:
        return 2
    args, files, _ = found
    rows = {}
    for shots, path in files.items():
        summary = summarise(evaluate(load_dataset(str(path)), EvalConfig(parser="replay", k=10), workers=args.workers).records)
        rows[shots] = {"accuracy": summary.accuracy, **summary.translation}
    data = load_dataset(str(files[8]))
    without, with_ = cpu_seconds(data, False), cpu_seconds(data, True)
    cost = {"cpu_seconds_without": without, "cpu_seconds_with": with_, "ratio": with_ / without}
    if args.json:
        print(json.dumps({"recordings": rows, "cost_8shot": cost}, indent=2))
        return 0
    print("| figure | " + " | ".join(f"{s}-shot" for s in SHOTS) + " |")
    print("| --- |" + " --- |" * len(SHOTS))
    for key, name in (("accuracy", "accuracy"), ("premise_equivalence", "premises equivalent"),
                      ("conclusion_equivalence", "conclusions equivalent"), ("problem_equivalence", "whole problems equivalent")):
        print(f"| {name} | " + " | ".join(f"{rows[s][key]:.3f}" for s in SHOTS) + " |")
    for key, name in (("translated_right", "accuracy, problems translated right"), ("translated_wrong", "accuracy, problems translated wrong")):
        print(f"| {name} | " + " | ".join(f"{rows[s][key]['accuracy']:.3f} ({rows[s][key]['correct']}/{rows[s][key]['problems']})" for s in SHOTS) + " |")
    print(f"\ncost on the 8-shot recording, one process: {without:.1f} CPU s without judging, {with_:.1f} CPU s with "
          f"({cost['ratio']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
