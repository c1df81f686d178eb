"""Accuracy of every voting policy and reader repair on every recorded model output we have.

A default (voting policy, reader repair, signature repair) must help on all the recordings, not on
one: this prints, for each shared recording (GPT-3.5, 1/2/4/8-shot FOLIO), the problems answered
right by each registered voting policy under each reading, with the LINC paper's figure beside.
Each reading is evaluated once; the policies are applied to its stored votes (``revote``).

    python benchmarks/vote_policies.py [--data ../shared/data] [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from linc import plugins
from linc.eval.datasets import load_dataset
from linc.eval.report import revote
from linc.eval.runner import EvalConfig, evaluate

LINC_ACCURACY = {1: 0.5495, 2: 0.6044, 4: 0.6429, 8: 0.6264}  # the LINC paper, GPT-3.5, FOLIO
RECORDING = "linc-recorded/gpt-3.5-turbo-16k-0613_folio-neurosymbolic-{}shot.jsonl"
READINGS = {  # the defaults, then each repair switched off alone, then LINC's reading
    "defaults": {},
    "no signature repair": {"fix_signature": False},
    "no lenient reading": {"lenient": False},
    "LINC extraction": {"extraction": "linc"},
    "every repair off": {"extraction": "linc", "lenient": False, "fix_signature": False},
}


def recordings(description: str) -> tuple[argparse.Namespace, dict[int, Path], dict] | None:
    """The command line (``--data``, ``--workers``, ``--json``), the recordings by shot count and
    the registered voting policies by name; None (after saying which) when some are missing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    files = {s: args.data / RECORDING.format(s) for s in LINC_ACCURACY}
    missing = [str(f) for f in files.values() if not f.is_file()]
    if missing:
        print(f"recordings not found: {', '.join(missing)} (give --data)", file=sys.stderr)
        return None
    return args, files, {name: plugins.get_vote(name) for name in plugins.names("vote")}


def main() -> int:
    found = recordings(__doc__.splitlines()[0])
    if found is None:
        return 2
    args, files, policies = found
    table: dict[str, dict[str, dict[int, int]]] = {}
    for reading, options in READINGS.items():
        for shots, path in files.items():
            data = load_dataset(str(path))
            config = EvalConfig(parser="replay", k=10, repair_rounds=0, parser_options=options)
            run = evaluate(data, config, workers=args.workers)
            for name, policy in policies.items():
                right = sum(bool(r["correct"]) for r in revote(run.records, policy))
                table.setdefault(reading, {}).setdefault(name, {})[shots] = right
            print(f"  {reading}, {shots}-shot: done in {run.seconds:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps(table, indent=2))
        return 0
    n = len(load_dataset(str(files[8])).problems)
    head = "".join(f"{s}-shot".rjust(9) for s in files)
    print(f"{'reading':22} {'vote':12}{head}   (correct of {n})")
    print(f"{'LINC (paper)':35}" + "".join(f"{round(LINC_ACCURACY[s] * n):>9}" for s in files))
    for reading, rows in table.items():
        for name, row in rows.items():
            print(f"{reading:22} {name:12}" + "".join(f"{row[s]:>9}" for s in files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
