"""Tool results as small JSON objects: the label, the formulas, and a clipped proof or countermodel.

A calling model pays for every character it reads, and a resolution proof can run to megabytes:
long texts are cut with a marker saying how much was left out, and long lists are capped.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from linc.proving import ProverResult
from linc.reasoning import Verdict

#: Longest proof (characters) returned in a result.
MAX_PROOF_CHARS = 4000
#: Longest countermodel (characters of JSON) returned in a result.
MAX_MODEL_CHARS = 2000
#: Longest error or reason text returned in a result.
MAX_MESSAGE_CHARS = 1000
#: Most facts listed in one result.
MAX_FACTS = 50
#: Most premises shown with one stored fact.
MAX_FACT_PREMISES = 10


def clip(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters, with a marker saying how many were left out."""
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}\n… [truncated: {len(text) - limit} more characters]"


def clip_model(model: dict[str, Any] | None, limit: int = MAX_MODEL_CHARS) -> dict[str, Any] | None:
    """The countermodel itself when small, else its clipped JSON text under ``truncated``."""
    if model is None:
        return None
    text = json.dumps(model, ensure_ascii=False, default=str)
    return model if len(text) <= limit else {"truncated": clip(text, limit)}


def capped(items: Iterable[Any], limit: int) -> tuple[list[Any], int]:
    """(the first ``limit`` items, how many more there were)."""
    every = list(items)
    return every[:limit], max(0, len(every) - limit)


def verdict_result(verdict: Verdict) -> dict[str, Any]:
    """The Reasoner's verdict, with the formulas of the vote whose proof is shown (else the first
    that voted for the winner), and the premises that proof used (``support``)."""
    winner = verdict.votes[verdict.shown] if verdict.shown is not None else \
        next((v for v in verdict.votes if v.label == verdict.label), verdict.votes[0] if verdict.votes else None)
    errors = sorted({clip(v.error, MAX_MESSAGE_CHARS) for v in verdict.votes if v.error})
    return {
        "label": verdict.label,
        "votes": verdict.counts,
        "formulas": {
            "premises": winner.premises if winner else [],
            "conclusion": winner.conclusion if winner else None,
        },
        "prover": verdict.prover,
        "proof": clip(verdict.proof, MAX_PROOF_CHARS),
        "support": verdict.support,
        "countermodel": clip_model(verdict.countermodel),
        "repairs": verdict.repairs,
        "errors": errors,
        "seconds": round(verdict.timings.get("total_seconds", 0.0), 3),
    }


def prover_result(result: ProverResult, premises: list[str], conclusion: str) -> dict[str, Any]:
    """One backend's answer on the given formulas (already in FOLIO syntax)."""
    return {
        "label": result.label.value,
        "formulas": {"premises": premises, "conclusion": conclusion},
        "prover": result.prover,
        "proof": clip(result.proof, MAX_PROOF_CHARS),
        "support": [i + 1 for i in result.support] if result.support is not None else None,
        "countermodel": clip_model(result.countermodel),
        "consistent": result.consistent,
        "reason": clip(result.reason, MAX_MESSAGE_CHARS),
        "seconds": round(result.seconds, 3),
    }


def fact_result(fact: Any, *, proof: bool = False) -> dict[str, Any]:
    """A stored fact: id, formula, how it entered, the sentence it came from, and (some of) its premises."""
    shown, more = capped(fact.premises, MAX_FACT_PREMISES)
    out = {
        "id": fact.id,
        "fol": fact.fol,
        "kind": fact.kind.value,
        "text": fact.text,
        "premises": [str(p.formula) for p in shown],
        "depends_on": list(fact.depends_on),
        "prover": fact.prover,
    }
    if more:
        out["more_premises"] = more
    if proof:
        out["proof"] = clip(fact.proof, MAX_PROOF_CHARS)
    return out
