"""Child process for the durability tests: inserts facts and reports each insert that returned.

Usage: python writer.py DB NAME COUNT   (COUNT 0 = forever). Each returned insert prints
``<fact id> <fol>`` on stdout, flushed, so the parent knows exactly what was acknowledged.
Every fifth fact is derived (proved by Z3), the rest are axioms; all share predicates, so every
insert runs the consistency check against what the other writers stored.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from linc.kg import KnowledgeGraph  # noqa: E402
from linc.logic.formula import Const, Forall, Implies, Pred, Var  # noqa: E402
from tests.kg.conftest import z3_prover  # noqa: E402

RULE = Forall(Var("x"), Implies(Pred("Big", (Var("x"),)), Pred("Red", (Var("x"),))))


def main(db: str, name: str, count: int) -> None:
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        for i in itertools.count() if count == 0 else range(count):
            me, next_one = Const(f"{name}{i}"), Const(f"{name}{i + 1}")
            if i % 5 == 4:
                fact = kg.add(Pred("Red", (me,)), [Pred("Big", (me,)), RULE], text=f"{name}{i} is red.")
            else:
                fact = kg.assert_axiom(Pred("Likes", (me, next_one)), text=f"{name}{i} likes {name}{i + 1}.")
            print(fact.id, fact.fol, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
