"""Numbers from per-problem records: accuracy, per-label precision/recall, confusion, costs; and
their renderings (a rich table, ``summary.json``, PNG plots).

The summary is computed from the records alone, so a resumed run and an uninterrupted one give
the same figures. Accuracy counts a problem without a valid vote as wrong (as LINC does).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Sequence

from linc import __version__
from linc.eval.cost import Prices, estimate_cost, total_usage
from linc.eval.store import SUMMARY
from linc.eval.translation import translation_figures
from linc.voting import TIERS, VALID, decide

__all__ = ["Summary", "revote", "summarise", "summary_renderable", "tier_figures", "write_summary", "write_plots"]

GOLD = ("True", "False", "Uncertain")
PREDICTED = GOLD + ("Unknown", "Error")


@dataclass
class Summary:
    """One run's figures; ``to_dict`` is what ``--json`` prints and ``summary.json`` holds.

    Problems and votes are counted apart: a problem gets K votes (one per parser sample) and is
    answered when at least one vote is valid (True / False / Uncertain). ``unanswered`` counts
    problems, ``error_vote_share`` votes, so a run can have every problem answered while some of
    its votes failed. ``error_causes`` groups the failed votes (and failed problems) by cause."""

    labelled: int  # problems with a gold label (accuracy is over these)
    correct: int
    accuracy: float
    unanswered: int  # problems with no valid vote (label Error or Unknown)
    seconds: float  # wall time of the run that produced the summary
    confusion: dict[str, dict[str, int]]  # gold -> predicted -> count
    per_label: dict[str, dict[str, float]]  # label -> precision, recall, support
    problems: int = 0  # every problem, labelled or not
    votes: int = 0
    parse_error_share: float = 0.0  # share of votes whose translation never reached a prover
    error_vote_share: float = 0.0  # share of votes that ended in Error for any reason (parse, signature, prover)
    repaired_share: float = 0.0  # votes whose formulas were repaired (reader or model)
    prover_seconds: float = 0.0
    error_causes: dict[str, dict[str, Any]] = field(default_factory=dict)  # cause -> votes, problems, one example
    by_depth: dict[str, dict[str, float]] = field(default_factory=dict)
    depth_kind: str = ""  # "question": each question's proof depth; "theory": the theory's depth (from the ids)
    resumed: int = 0
    workers: int = 1
    dataset: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # records of the dataset that could not be read
    vote: str = ""  # the voting policy
    semantics: str = "classical"  # the logic the dataset's gold labels follow
    tiers: dict[str, dict[str, float]] = field(default_factory=dict)  # see tier_figures
    usage: dict[str, int] = field(default_factory=dict)  # model calls, retries, tokens (linc.eval.cost)
    cost: dict[str, Any] | None = None  # dollars at the prices given (--price)
    translation: dict[str, Any] = field(default_factory=dict)  # see linc.eval.translation.translation_figures
    linc_version: str = __version__
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def title(self) -> str:
        """Which run made the figures: dataset, parser, prover (the plots' title)."""
        cfg = self.settings
        name = Path(self.dataset).name if self.dataset else "?"
        return f"{name}: parser {cfg.get('parser', '?')}, prover {cfg.get('prover', '?')}, k={cfg.get('k', '?')}"


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def tier_figures(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per vote tier: votes, valid votes (True/False/Uncertain), how many of those agree with the
    gold label, and that accuracy: how good each kind of evidence was in this run."""
    figures = {t: {"votes": 0, "valid": 0, "correct": 0} for t in TIERS}
    for r in records:
        for v in r.get("verdict", {}).get("votes", []):
            row = figures.setdefault(v.get("tier", "clean"), {"votes": 0, "valid": 0, "correct": 0})
            row["votes"] += 1
            if v.get("label") in VALID and r.get("gold") is not None:
                row["valid"] += 1
                row["correct"] += v["label"] == r["gold"]
    return {t: {**row, "accuracy": _share(row["correct"], row["valid"])} for t, row in figures.items() if row["votes"]}


def revote(records: Sequence[dict[str, Any]], policy: Callable[[Sequence[Any]], str | None]) -> list[dict[str, Any]]:
    """The records as another voting ``policy`` would have labelled them, from their stored votes
    (no parsing or proving again): compare policies on one run."""
    out = []
    for r in records:
        votes = [SimpleNamespace(**{"tier": "clean", **v}) for v in r.get("verdict", {}).get("votes", [])]
        label = decide(policy, votes) if votes else r["label"]  # no votes: the worker failed; keep its label
        out.append({**r, "label": label, "correct": None if r.get("gold") is None else label == r["gold"]})
    return out


def summarise(
    records: Sequence[dict[str, Any]],
    seconds: float = 0.0,
    *,
    dataset: str = "",
    settings: dict[str, Any] | None = None,
    skipped: Iterable[Any] = (),
    resumed: int = 0,
    workers: int = 1,
    semantics: str = "classical",
    prices: Prices | None = None,
) -> Summary:
    """Aggregate per-problem records (as :func:`linc.eval.runner.record_for` makes them); with
    ``prices``, estimate what their model calls cost. With ``settings`` whose ``translation`` is
    off, no translation figures: resumed records may carry judgements, the others not."""
    labelled = [r for r in records if r.get("gold") is not None]
    confusion = {g: {p: 0 for p in PREDICTED} for g in GOLD}
    for r in labelled:
        confusion.setdefault(r["gold"], {p: 0 for p in PREDICTED})
        confusion[r["gold"]][r["label"] if r["label"] in PREDICTED else "Error"] += 1
    predicted = Counter(r["label"] for r in labelled)
    correct = sum(1 for r in labelled if r["label"] == r["gold"])
    per_label = {}
    for label in GOLD:
        hits = confusion[label][label]
        support = sum(confusion[label].values())
        per_label[label] = {
            "precision": _share(hits, predicted[label]),
            "recall": _share(hits, support),
            "support": support,
        }
    votes = [v for r in records for v in r.get("verdict", {}).get("votes", [])]
    error_votes = [v for v in votes if v.get("label") == "Error"]
    depth_kind = "question" if any(r.get("depth") is not None for r in labelled) else \
        "theory" if any(r.get("theory_depth") is not None for r in labelled) else ""
    depth_key = "depth" if depth_kind == "question" else "theory_depth"
    depth_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in labelled:
        if depth_kind and r.get(depth_key) is not None:
            depth_counts[str(r[depth_key])][0] += 1
            depth_counts[str(r[depth_key])][1] += r["label"] == r["gold"]
    usage = total_usage(records)
    return Summary(
        labelled=len(labelled),
        correct=correct,
        accuracy=_share(correct, len(labelled)),
        unanswered=sum(1 for r in records if r["label"] not in GOLD),
        seconds=seconds,
        confusion=confusion,
        per_label=per_label,
        problems=len(records),
        votes=len(votes),
        parse_error_share=_share(sum(1 for v in error_votes if not v.get("prover")), len(votes)),
        error_vote_share=_share(len(error_votes), len(votes)),
        repaired_share=_share(sum(1 for v in votes if v.get("repairs") or v.get("model_repairs")), len(votes)),
        prover_seconds=sum(r.get("verdict", {}).get("timings", {}).get("prove_seconds", 0.0) for r in records),
        error_causes=error_causes(records),
        by_depth={d: {"n": c[0], "correct": c[1], "accuracy": _share(c[1], c[0])} for d, c in sorted(depth_counts.items(), key=lambda kv: int(kv[0]))},
        depth_kind=depth_kind,
        resumed=resumed,
        workers=workers,
        dataset=dataset,
        settings=dict(settings or {}),
        skipped=[str(s) for s in skipped],
        vote=str((settings or {}).get("vote", "")),
        semantics=semantics,
        tiers=tier_figures(records),
        usage=usage,
        cost=estimate_cost(usage, prices) if prices is not None else None,
        translation=translation_figures(records) if (settings or {}).get("translation", True) else {},
    )


_EXCEPTION = re.compile(r"[A-Z]\w*(?:Error|Exception|Unavailable|Problem|Timeout)")
_DETAIL = re.compile(r"\s*(?:['\"(\[]|\d| at position ).*$")


def cause_of(message: str) -> str:
    """The kind of a failure message, without its particulars (quoted text, numbers, positions),
    so that failures of one kind group together.

    >>> cause_of("ProverError: boom crashed: RuntimeError: no")
    'ProverError: boom crashed'
    >>> cause_of("sentence outside the grammar (unexpected 'men'): 'All men are mortal.'")
    'sentence outside the grammar'
    >>> cause_of("SignatureError: 'Man' is used with 1 and 2 arguments")
    'SignatureError'
    """
    first = message.strip().splitlines()[0] if message.strip() else ""
    parts = first.split(": ")
    cause = _DETAIL.sub("", parts[0]).rstrip(":")
    if _EXCEPTION.fullmatch(cause) and len(parts) > 1 and _DETAIL.sub("", parts[1]):
        cause = f"{cause}: {_DETAIL.sub('', parts[1])}"
    return cause or "unknown"


def error_causes(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Failed votes, and problems that failed before voting, by cause, most frequent first: how
    many votes and problems, and the first full message with its problem id."""
    causes: dict[str, dict[str, Any]] = {}
    for r in records:
        verdict = r.get("verdict", {})
        messages = [v.get("error") or "" for v in verdict.get("votes", []) if v.get("label") == "Error"]
        if not verdict.get("votes") and verdict.get("reason"):
            messages = [verdict["reason"]]
        for message in messages:
            entry = causes.setdefault(cause_of(message), {"votes": 0, "problems": 0, "example": message[:500], "problem": r.get("id")})
            entry["votes"] += 1
        for cause in {cause_of(m) for m in messages}:
            causes[cause]["problems"] += 1
    return dict(sorted(causes.items(), key=lambda kv: (-kv[1]["votes"], kv[0])))


# ---------------------------------------------------------------- renderings


def summary_renderable(summary: Summary) -> Any:
    """A rich renderable: headline figures, per-label table, confusion matrix."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    head = Table(show_header=False, box=None, pad_edge=False)
    head.add_column(style="bold")
    head.add_column(overflow="fold")  # a long file name wraps: cut, it could hide which file ran
    cfg = summary.settings
    if cfg:
        head.add_row("run", escape(f"{summary.dataset or '?'}: parser {cfg.get('parser')}, prover {cfg.get('prover')}, k={cfg.get('k')}, "
                                   f"vote {summary.vote or '?'}, labels in {summary.semantics} semantics"))
    head.add_row("accuracy", f"{summary.accuracy:.4f}  ({summary.correct}/{summary.labelled})")
    head.add_row("unanswered", f"{summary.unanswered} of {summary.problems} problems had no valid vote")
    head.add_row("votes", f"{summary.votes}: failed {summary.error_vote_share:.1%} (of which not translated "
                 f"{summary.parse_error_share:.1%}), repaired {summary.repaired_share:.1%}")
    workers = f"{summary.workers} worker{'' if summary.workers == 1 else 's'}"
    head.add_row("time", f"wall {summary.seconds:.2f} s ({workers}), prover {summary.prover_seconds:.2f} s")
    if summary.resumed:
        head.add_row("resumed", f"{summary.resumed} problem{'' if summary.resumed == 1 else 's'} from an earlier run")
    for name, text in _usage_rows(summary):
        head.add_row(name, text)
    t = summary.translation
    if t:
        unread = f"; gold FOL unreadable for {t['gold_unreadable']} more" if t["gold_unreadable"] else ""
        unread += f"; not judged (the check failed) {t['not_judged']}" if t.get("not_judged") else ""
        unread += f"; no valid vote, nothing to judge {t['no_valid_vote']}" if t.get("no_valid_vote") else ""
        head.add_row("translation", f"equivalent to gold FOL: premises {t['premise_equivalence']:.3f}, conclusions "
                     f"{t['conclusion_equivalence']:.3f}, whole problems {t['problem_equivalence']:.3f} "
                     f"({t['samples']} winning votes of {t['problems']} problems{unread})")
        right, wrong = t["translated_right"], t["translated_wrong"]
        head.add_row("", f"accuracy where translated right {_accuracy_of(right)}, wrong {_accuracy_of(wrong)}")
    labels = Table(title="per label", title_justify="left")
    for column in ("label", "precision", "recall", "support"):
        labels.add_column(column, justify="left" if column == "label" else "right")
    for label, row in summary.per_label.items():
        labels.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", str(int(row["support"])))
    matrix = Table(title="confusion (rows: gold, columns: predicted)", title_justify="left")
    matrix.add_column("gold \\ pred")
    shown = [p for p in PREDICTED if p in GOLD or any(row.get(p) for row in summary.confusion.values())]
    for p in shown:
        matrix.add_column(p, justify="right")
    for gold, row in summary.confusion.items():
        matrix.add_row(gold, *(f"[bold]{row.get(p, 0)}[/]" if p == gold else str(row.get(p, 0)) for p in shown))
    parts: list[Any] = [head, labels, matrix]
    if summary.error_causes:
        causes = Table(title="errors by cause (one example each)", title_justify="left")
        for column in ("cause", "votes", "problems", "example"):
            causes.add_column(column, justify="right" if column in ("votes", "problems") else "left", overflow="fold")
        for cause, row in list(summary.error_causes.items())[:10]:
            example = f"{row['problem']}: {row['example']}" if row.get("problem") else row["example"]
            causes.add_row(escape(cause), str(row["votes"]), str(row["problems"]), escape(example[:300]))
        parts.append(causes)
    if summary.tiers and any(t != "clean" for t in summary.tiers):
        tiers = Table(title="votes by tier (accuracy of the valid votes)", title_justify="left")
        for column in ("tier", "votes", "valid", "accuracy"):
            tiers.add_column(column, justify="left" if column == "tier" else "right")
        for tier, row in summary.tiers.items():
            tiers.add_row(tier, str(int(row["votes"])), str(int(row["valid"])), f"{row['accuracy']:.3f}")
        parts.append(tiers)
    if len(summary.by_depth) > 1:
        depth = Table(title=_depth_title(summary), title_justify="left")
        for column in ("depth", "n", "accuracy"):
            depth.add_column(column, justify="right")
        for d, row in summary.by_depth.items():
            depth.add_row(d, str(int(row["n"])), f"{row['accuracy']:.3f}")
        parts.append(depth)
    return Group(*parts)


def _accuracy_of(part: dict[str, Any]) -> str:
    """``0.750 (3/4)``; of no problem, ``none (0/0)``, not an accuracy of 0 that nothing earned."""
    figure = f"{part['accuracy']:.3f}" if part["problems"] else "none"
    return f"{figure} ({part['correct']}/{part['problems']})"


def _usage_rows(summary: Summary) -> list[tuple[str, str]]:
    """The model-call and cost lines of the printed summary (none when no model was called)."""
    use = summary.usage
    if not any(use.get(k) for k in ("calls", "cached", "failed")):
        return []
    estimate = " (estimated by the model)" if use.get("estimated") else ""
    rows = [("model", f"{use.get('calls', 0)} requests, {use.get('cached', 0)} from the cache, {use.get('retries', 0)} retries, "
                      f"{use.get('failed', 0)} failed; tokens in {use.get('input_tokens', 0):,}, out {use.get('output_tokens', 0):,}{estimate}")]
    if summary.cost is not None:
        per = summary.cost["usd_per_million"]
        rows.append(("cost", f"≈ ${summary.cost['total']:.4f} at ${per['in']:g} in, ${per['out']:g} out per million tokens{estimate}"))
    return rows


def _png_metadata(summary: Summary) -> dict[str, str]:
    """What made a plot, in the PNG itself (shown by image viewers' file properties)."""
    return {"Title": summary.title, "Software": f"linc {summary.linc_version}", "Creation Time": summary.created}


def _depth_title(summary: Summary) -> str:
    if summary.depth_kind == "theory":
        return "accuracy by theory depth (from the ids; the data holds no per-question depth)"
    return "accuracy by question depth"


def write_summary(summary: Summary, out_dir: str | os.PathLike[str]) -> Path:
    """Write ``summary.json`` atomically (a reader never sees half a file)."""
    path = Path(out_dir) / SUMMARY
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_plots(summary: Summary, out_dir: str | os.PathLike[str]) -> list[Path]:
    """The confusion matrix, and accuracy by reasoning depth when the data has depths, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    golds = list(summary.confusion)
    preds = [p for p in PREDICTED if p in GOLD or any(row.get(p) for row in summary.confusion.values())]
    grid = [[summary.confusion[g].get(p, 0) for p in preds] for g in golds]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(preds) + 2), 1.1 * len(golds) + 1.8))
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(preds)), labels=preds)
    ax.set_yticks(range(len(golds)), labels=golds)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = max((v for row in grid for v in row), default=0)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
    ax.set_title(f"{summary.title}\naccuracy {summary.accuracy:.3f} (n={summary.labelled})", fontsize=9)
    fig.tight_layout()
    written.append(out / "confusion.png")
    fig.savefig(written[-1], dpi=120, metadata=_png_metadata(summary))
    plt.close(fig)
    if summary.by_depth:
        depths = list(summary.by_depth)
        fig, ax = plt.subplots(figsize=(max(6.5, 0.8 * len(depths) + 2), 4))
        ax.bar(depths, [summary.by_depth[d]["accuracy"] for d in depths], color="tab:blue")
        for i, d in enumerate(depths):
            ax.text(i, summary.by_depth[d]["accuracy"], f"n={int(summary.by_depth[d]['n'])}", ha="center", va="bottom", fontsize=8)
        ax.set_ylim(0, 1.08)
        ax.set_xlabel(_depth_title(summary).removeprefix("accuracy by ").replace(" (", "\n("), fontsize=9)
        ax.set_ylabel("accuracy")
        ax.set_title(summary.title, fontsize=9)
        fig.tight_layout()
        written.append(out / "accuracy_by_depth.png")
        fig.savefig(written[-1], dpi=120, metadata=_png_metadata(summary))
        plt.close(fig)
    return written
