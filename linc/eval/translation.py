"""Translation quality: the winning votes' formulas against the gold FOL, up to renaming.

Accuracy says whether a label was right, not whether the premises were translated right: a label
can be right for wrong reasons and wrong because of one bad premise. For a problem with gold FOL
(FOLIO), :func:`judge` compares the formulas of every vote for the verdict's label with the gold
formulas (:func:`linc.logic.equivalence.compare`: one renaming of the sample's symbols onto the
gold's, chosen to make the most formulas equivalent, each equivalence decided by Z3 both ways under
a time limit). The record keeps, per distinct sample, the renaming and per gold formula the
relation of its counterpart; :func:`translation_figures` sums the records into the run's
``translation`` figures.

Gold FOL is read as the ``gold`` parser reads it (FOLIO syntax, leniently); a problem whose gold
does not read is counted apart (``gold_unreadable``), never as a wrong translation. So is a problem
with no valid vote (``no_valid_vote``: its label is ``Error`` or ``Unknown``, every vote failed or
hit a limit): the votes the vote dropped as no evidence did not win, so there is no winning
translation to judge; accuracy counts it wrong already, and ``unanswered`` counts it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Sequence

from linc.errors import FormulaSyntaxError, LincError
from linc.logic.read import read
from linc.logic.write import to_folio
from linc.parsing.base import Problem
from linc.parsing.gold import GoldParser
from linc.voting import VALID

if TYPE_CHECKING:
    from linc.eval.runner import EvalConfig
    from linc.logic.equivalence import Checker, Counterpart

__all__ = ["CHECK_SECONDS", "MAX_CHECKS", "judge", "judge_translation", "load_judge", "translation_figures"]

#: Time limit of one entailment check (each equivalence is two).
CHECK_SECONDS = 1.0
#: Entailment checks one sample's renaming search may run, and its time in seconds.
MAX_CHECKS = 200
SAMPLE_SECONDS = 5.0


def load_judge() -> None:
    """Import what judging needs (Z3 and the equivalence search; a run that does not judge never
    does): called before worker processes are forked, so that they inherit the modules instead of
    each importing them."""
    import linc.logic.equivalence  # noqa: F401


def judge_translation(config: "EvalConfig", problem: Problem, verdict: dict[str, Any]) -> dict[str, Any] | None:
    """:func:`judge` as a run set up by ``config`` asks for it (None when it is switched off); the
    gold is read in the syntax the gold parser was given, FOLIO's by default."""
    if not config.translation:
        return None
    import z3

    syntax = config.parser_options.get("syntax", "folio") if config.parser == "gold" else "folio"
    try:
        return judge(problem, verdict, syntax)
    except (LincError, z3.Z3Exception) as err:  # a judge that fails must not cost the problem its answer
        return {"gold_reads": True, "error": f"{type(err).__name__}: {err}"}


def judge(problem: Problem, verdict: dict[str, Any], syntax: str = "folio") -> dict[str, Any] | None:
    """How the votes for ``verdict``'s label translated ``problem``; None when it has no gold FOL,
    ``no_valid_vote`` when its label is no answer (no vote won: there is nothing to judge).

    Samples with the same formulas are judged once (``votes`` lists the votes that share one);
    the figures weigh each by its votes: ``premises`` = [equivalent, gold premises] summed over
    the winning votes, ``conclusion`` and ``problem`` = winning votes whose conclusion (whole
    problem) is equivalent, ``samples`` = winning votes. ``right``: most of them are equivalent."""
    if problem.premises_fol is None or problem.conclusion_fol is None:
        return None
    gold = GoldParser(syntax=syntax).translate(problem)[0]
    if not gold.ok:
        return {"gold_reads": False, "reason": gold.error}
    from linc.logic.equivalence import Checker, shared_context

    if verdict.get("label") not in VALID:
        return {"gold_reads": True, "no_valid_vote": True}
    votes = verdict.get("votes", [])
    winning = [i for i, v in enumerate(votes) if v.get("label") == verdict.get("label")]
    # made on first need: a sample that is the gold itself needs no check
    checker = functools.cache(lambda: Checker(CHECK_SECONDS, shared_context()))

    judged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for i in winning:
        key = (tuple(votes[i].get("premises") or ()), votes[i].get("conclusion"))
        if key not in judged:
            judged[key] = {"votes": [], **_sample(votes[i], gold.premises, gold.conclusion, checker)}
        judged[key]["votes"].append(i)
    entries = list(judged.values())
    n = len(gold.premises)
    problem_hits = sum(len(e["votes"]) for e in entries if e["equivalent"])
    return {
        "gold_reads": True,
        "samples": len(winning),
        "premises": [sum(len(e["votes"]) * e["premises_equivalent"] for e in entries), n * len(winning)],
        "conclusion": sum(len(e["votes"]) for e in entries if e["conclusion"]["relation"] == "equivalent"),
        "problem": problem_hits,
        "right": 2 * problem_hits > len(winning),
        "judged": entries,
    }


def _sample(vote: dict[str, Any], gold_premises: Sequence[Any], gold_conclusion: Any, checker: Callable[[], "Checker"]) -> dict[str, Any]:
    """One sample's verdicts; a sample without formulas (it did not read) has every gold
    formula ``missing``. A vote's formula text that is a gold formula's own text is that formula
    (the writer's text reads back to the formula it wrote), so it is not read again."""
    from linc.logic.equivalence import Comparison, Counterpart, compare

    written = {to_folio(f): f for f in (*gold_premises, gold_conclusion)}
    try:
        premises = [_formula(text, written) for text in vote.get("premises") or ()]
        conclusion = _formula(vote["conclusion"], written) if vote.get("conclusion") else None
    except FormulaSyntaxError as err:  # the writer's text reads back; a record edited by hand may not
        premises, conclusion = [], None
        unread = f"the vote's formulas do not read: {err}"
    else:
        unread = vote.get("error") if conclusion is None else None
    if conclusion is None:
        missing = [Counterpart(j, None, "missing") for j in range(len(gold_premises) + 1)]
        result = Comparison({}, missing[:-1], missing[-1], False)
    elif conclusion == gold_conclusion and premises == list(gold_premises):  # compare() needs no checker for it
        result = compare(premises, conclusion, gold_premises, gold_conclusion)
    else:
        result = compare(premises, conclusion, gold_premises, gold_conclusion, checker(), MAX_CHECKS, SAMPLE_SECONDS)
    out = {
        "alignment": result.alignment,
        "premises": [_counterpart(c) for c in result.premises],
        "conclusion": _counterpart(result.conclusion),
        "premises_equivalent": result.premises_equivalent,
        "equivalent": result.equivalent,
        "checks": result.checks,
        "exhausted": result.exhausted,
    }
    return {**out, "unread": unread} if unread else out


def _formula(text: str, written: dict[str, Any]) -> Any:
    known = written.get(text)
    return known if known is not None else read(text, "folio").formula


def _counterpart(c: "Counterpart") -> dict[str, Any]:
    """1-based positions, as the sentences are numbered."""
    return {"gold": c.gold + 1, "sample": None if c.sample is None else c.sample + 1, "relation": c.relation, "alignment": c.alignment}


def translation_figures(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The run's translation figures from its records ({} when no record was judged): the three
    equivalence fractions over the winning votes' samples of the problems whose gold FOL reads
    and that have a valid vote, how many problems' gold did not read and how many had no valid
    vote, and accuracy on problems translated right and wrong. A problem with no valid vote is
    told by its label, so that records judged before it was counted apart count the same way."""
    judged = [r for r in records if r.get("translation")]
    if not judged:
        return {}
    failed = [r for r in judged if "error" in r["translation"]]
    gold_read = [r for r in judged if r["translation"].get("gold_reads") and "error" not in r["translation"]]
    readable = [r for r in gold_read if r.get("label") in VALID]
    samples = sum(r["translation"]["samples"] for r in readable)
    premises = [sum(r["translation"]["premises"][k] for r in readable) for k in (0, 1)]

    def accuracy(rows: list[dict[str, Any]]) -> dict[str, Any]:
        labelled = [r for r in rows if r.get("correct") is not None]
        correct = sum(bool(r["correct"]) for r in labelled)
        return {"problems": len(rows), "correct": correct, "accuracy": correct / len(labelled) if labelled else 0.0}

    return {
        "problems": len(readable),
        "gold_unreadable": len(judged) - len(gold_read) - len(failed),
        "no_valid_vote": len(gold_read) - len(readable),  # no winning translation to judge
        "not_judged": len(failed),  # the judge itself failed (its error is in the record)
        "samples": samples,
        "premise_equivalence": premises[0] / premises[1] if premises[1] else 0.0,
        "conclusion_equivalence": sum(r["translation"]["conclusion"] for r in readable) / samples if samples else 0.0,
        "problem_equivalence": sum(r["translation"]["problem"] for r in readable) / samples if samples else 0.0,
        "translated_right": accuracy([r for r in readable if r["translation"]["right"]]),
        "translated_wrong": accuracy([r for r in readable if not r["translation"]["right"]]),
        "searches_cut": sum(len(e["votes"]) for r in readable for e in r["translation"]["judged"] if e["exhausted"]),
    }
