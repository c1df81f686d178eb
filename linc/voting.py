"""Voting policies: how the K samples' labels become one answer.

Votes are evidence of different strength, and a policy says how to weigh them. Two things make a
vote weaker:

- **How it was obtained** (its *tier*, weakest last): ``clean`` (read as the model wrote it, or
  only respelled: a name or an operator spelled another way, which has one reading), ``lenient``
  (read only after a repair that guessed at structure: a widened quantifier scope, balanced
  parentheses, untagged lines), ``self-repair`` (the model rewrote it after being shown an error)
  and ``signature`` (a symbol used with two arities was split in two: a guess at what the model
  meant). A vote's tier is the weakest that applies to it.
- **What it found.** ``True`` and ``False`` are proofs from consistent premises: a certificate.
  ``Uncertain`` is the absence of one, and every translation that lost a premise's link to the
  conclusion ends there too, so it is the weakest outcome.

The policies (all built in through the ``linc.votes`` entry points, as a third party's would be):

- ``majority``: LINC's plain majority over every valid vote; a tie goes to the label whose first
  vote came first (``Counter.most_common``), as in the LINC paper's code.
- ``clean-first``: the plain majority of the strongest tier that has a valid vote; weaker tiers
  decide only where no stronger vote exists.
- ``proof-first`` (default): within that same tier, a proved label (the majority among its
  ``True``/``False`` votes, ties as above) beats ``Uncertain``; ``Uncertain`` wins only when no vote
  of the tier proves anything.

For every policy, ``Error`` and ``Unknown`` votes are not evidence: they are dropped. A policy
returns None when no valid vote is left; the Reasoner then answers ``Unknown`` if some prover hit a
limit, else ``Error``.

A policy is any callable ``(votes) -> label or None`` whose votes have ``label`` and ``tier``
attributes; register your own with ``@linc.plugins.vote("name")``.

>>> from types import SimpleNamespace as V
>>> votes = [V(label="Uncertain", tier="clean")] * 6 + [V(label="True", tier="clean")] * 3
>>> majority(votes), proof_first(votes)
('Uncertain', 'True')
>>> clean_first([V(label="False", tier="signature"), V(label="True", tier="clean")])
'True'
"""

from __future__ import annotations

from typing import Callable, Iterable, Protocol, Sequence

__all__ = ["DEFAULT_POLICY", "TIERS", "VotePolicy", "clean_first", "decide", "majority", "proof_first", "strongest_tier"]

#: Vote tiers, strongest evidence first.
TIERS = ("clean", "lenient", "self-repair", "signature")
VALID = ("True", "False", "Uncertain")
PROOFS = ("True", "False")
DEFAULT_POLICY = "proof-first"


class Ballot(Protocol):
    label: str
    tier: str


VotePolicy = Callable[[Sequence[Ballot]], "str | None"]


def decide(policy: VotePolicy, votes: Sequence[Ballot]) -> str:
    """The policy's label, or with no valid vote ``Unknown`` (some prover hit a limit) or ``Error``."""
    label = policy(votes)
    if label is not None:
        return label
    return "Unknown" if any(v.label == "Unknown" for v in votes) else "Error"


def _plurality(labels: Iterable[str]) -> str | None:
    """The most frequent label, a tie to the label seen first: ``Counter.most_common``'s answer,
    counted in a plain dict (a Counter and ``most_common`` cost more than deciding a vote)."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None  # max keeps the first of equals


def strongest_tier(votes: Sequence[Ballot]) -> list[Ballot]:
    """The valid votes of the strongest tier that has any (empty when no vote is valid)."""
    valid = [v for v in votes if v.label in VALID]
    if not valid:
        return []
    best = min(TIERS.index(v.tier) for v in valid)
    return [v for v in valid if TIERS.index(v.tier) == best]


def majority(votes: Sequence[Ballot]) -> str | None:
    """LINC: the most frequent valid label; a tie goes to the label seen first."""
    return _plurality(v.label for v in votes if v.label in VALID)


def clean_first(votes: Sequence[Ballot]) -> str | None:
    """The plain majority of the strongest tier that has a valid vote."""
    return majority(strongest_tier(votes))


def proof_first(votes: Sequence[Ballot]) -> str | None:
    """In the strongest tier with a valid vote: the majority among its proofs, else Uncertain."""
    tier = strongest_tier(votes)
    return _plurality(v.label for v in tier if v.label in PROOFS) or majority(tier)
