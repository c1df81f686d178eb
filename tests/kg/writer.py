"""Child process for the durability tests: inserts facts and reports each insert that returned.

Usage: python writer.py DB NAME COUNT [MODE] [hold]   (COUNT 0 = forever; ``hold``: never
checkpoint, so what it stored is in the WAL only). Each returned insert prints
``<fact id> <fol>`` on stdout, flushed, so the parent knows exactly what was acknowledged; a
refused one prints ``refused <fol>``.

MODE ``chain`` (default): every fifth fact is derived (proved by Z3), the rest are axioms; all
share predicates, so every insert runs the consistency check against what the other writers
stored. MODE ``big`` / ``not-red``: axioms ``Big(cI)`` / ``¬Red(cI)``, which contradict each other
under a stored rule ``∀x (Big(x) → Red(x))`` (two such writers race for every constant).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from linc.kg import FactConflictError, KnowledgeGraph  # noqa: E402
from linc.logic.formula import Const, Forall, Implies, Not, Pred, Var  # noqa: E402
from tests.kg.conftest import z3_prover  # noqa: E402

RULE = Forall(Var("x"), Implies(Pred("Big", (Var("x"),)), Pred("Red", (Var("x"),))))


def chain(kg: KnowledgeGraph, name: str, i: int):
    me, next_one = Const(f"{name}{i}"), Const(f"{name}{i + 1}")
    if i % 5 == 4:
        return kg.add(Pred("Red", (me,)), [Pred("Big", (me,)), RULE], text=f"{name}{i} is red.")
    return kg.assert_axiom(Pred("Likes", (me, next_one)), text=f"{name}{i} likes {name}{i + 1}.")


def race(kg: KnowledgeGraph, mode: str, i: int):
    c = Const(f"c{i}")
    fact = Pred("Big", (c,)) if mode == "big" else Not(Pred("Red", (c,)))
    try:
        return kg.assert_axiom(fact)
    except FactConflictError:
        print("refused", fact, flush=True)
        return None


def main(db: str, name: str, count: int, mode: str = "chain", hold: str = "") -> None:
    if hold:
        import linc.kg.store

        linc.kg.store.CHECKPOINT_DELAY = 3600.0
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        for i in itertools.count() if count == 0 else range(count):
            fact = chain(kg, name, i) if mode == "chain" else race(kg, mode, i)
            if fact is not None:
                print(fact.id, fact.fol, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:])
