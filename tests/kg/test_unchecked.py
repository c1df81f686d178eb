"""Facts whose consistency check ran out of time: refused by default, stored marked unchecked only
when the caller asks, never used as knowledge until a later check promotes them."""

from __future__ import annotations

import sqlite3

import pytest

from linc.kg import CheckTimeoutError, FactConflictError, KnowledgeGraph, UnverifiedFactError
from linc.proving import Label

from .conftest import fol

#: Time limits: the checks of SERIAL below never finish and are given 1 s; everything else decides
#: at once, and its limit only stops a hang (a loaded CI machine has stretched quick decisions
#: past a second).
UNDECIDED, LOADED = 1.0, 30.0
# Consistent, but only infinite models satisfy all three: Z3 cannot decide the third against the
# first two (it answers unknown or runs out of time), so its check never finishes.
TRANSITIVE = "all x. all y. all z. ((R(x, y) & R(y, z)) -> R(x, z))"
IRREFLEXIVE = "all x. -R(x, x)"
SERIAL = "all x. exists y. R(x, y)"


@pytest.fixture
def orders(tmp_path, prover):
    with KnowledgeGraph(tmp_path / "kg.sqlite", prover=prover, timeout=LOADED) as kg:
        ids = [kg.assert_axiom(fol(TRANSITIVE)).id, kg.assert_axiom(fol(IRREFLEXIVE)).id]
        yield kg, ids


def test_an_undecided_check_refuses_by_default(orders):
    kg, _ = orders
    with pytest.raises(CheckTimeoutError, match="allow_unchecked") as err:
        kg.assert_axiom(fol(SERIAL), timeout=UNDECIDED)
    assert isinstance(err.value, UnverifiedFactError)
    assert len(kg) == 2


def test_an_unchecked_fact_is_listed_marked_but_never_used_as_knowledge(orders):
    kg, _ = orders
    fact = kg.assert_axiom(fol(SERIAL), allow_unchecked=True, timeout=UNDECIDED)
    assert not fact.checked and "unchecked" in repr(fact)
    assert [f.checked for f in kg.facts()] == [True, True, False]
    assert kg.get(fol(SERIAL)).to_dict()["checked"] is False
    assert [f["checked"] for f in kg.export_json()["facts"]] == [True, True, False]
    # with it, R(a, y) would follow for some y; without it (it is not knowledge yet), it does not
    assert kg.ask(fol("exists y. R(a, y)")).label is Label.UNCERTAIN
    with pytest.raises(UnverifiedFactError):
        kg.add(fol("exists y. R(a, y)"), use_kg=True)
    assert fol(SERIAL) not in kg.premises() and fol(SERIAL) not in kg.premises(fol("R(a, b)"))


def test_a_later_check_promotes_it_or_says_why_not(orders, tmp_path):
    kg, (_, irreflexive) = orders
    fact = kg.assert_axiom(fol(SERIAL), allow_unchecked=True, timeout=UNDECIDED)
    with pytest.raises(CheckTimeoutError):
        kg.check(fact.id, timeout=UNDECIDED)
    assert not kg.get(fact.id).checked
    kg.retract(irreflexive)  # now finite models exist (R true everywhere), and the check finishes
    with KnowledgeGraph(tmp_path / "kg.sqlite", timeout=LOADED) as other:  # another writer, its index loaded
        assert other.ask(fol("exists y. R(a, y)")).label is Label.UNCERTAIN
        other.assert_axiom(fol("Big(bob)"))  # its index is ahead of the promoted fact's id
        promoted = kg.check(fact.id, timeout=20.0)
        assert promoted.checked and kg.check(fact.id) == promoted
        assert kg.ask(fol("exists y. R(a, y)")).label is Label.TRUE  # now it is knowledge
        assert other.ask(fol("exists y. R(a, y)")).label is Label.TRUE  # for every process
    with KnowledgeGraph(tmp_path / "kg.sqlite", timeout=LOADED) as later:  # and in a new session
        assert later.get(fact.id).checked and fol(SERIAL) in later.premises()


def test_promotion_is_refused_when_checked_facts_refute_it(orders):
    kg, _ = orders
    fact = kg.assert_axiom(fol(SERIAL), allow_unchecked=True, timeout=UNDECIDED)
    blocker = kg.assert_axiom(fol("all y. -R(a, y)"))
    with pytest.raises(FactConflictError) as err:
        kg.check(fact.id)
    assert blocker.id in {f.id for f in err.value.facts}
    assert not kg.get(fact.id).checked


def test_a_version_1_file_is_upgraded_in_place(tmp_path, prover):
    path = tmp_path / "kg.sqlite"
    with KnowledgeGraph(path, prover=prover) as kg:
        kg.assert_axiom(fol("Big(bob)"))
    conn = sqlite3.connect(path)  # make it a version-1 file: no checked column
    conn.executescript("ALTER TABLE facts DROP COLUMN checked; DELETE FROM meta WHERE key = 'epoch'; PRAGMA user_version = 1;")
    conn.close()
    with KnowledgeGraph(path, prover=prover) as kg:
        assert [(f.fol, f.checked) for f in kg.facts()] == [("Big(bob)", True)]
        assert kg.ask(fol("Big(bob)")).label is Label.TRUE
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


def test_a_check_after_an_unfinished_one_starts_clean():
    """Z3 interrupted mid-search on these rules could leave its solver so that the next check of a
    satisfiable set (R true everywhere) ran to its limit; where the interruption falls depends on
    the machine, so it is tried at several points."""
    from linc.kg.solver import Checker, CheckUnknown

    checker = Checker()
    rules = {name: fol(text) for name, text in (("t", TRANSITIVE), ("i", IRREFLEXIVE), ("s", SERIAL))}
    for ms in range(20, 420, 25):
        with pytest.raises(CheckUnknown):
            checker.core([(name, [f]) for name, f in rules.items()], ms / 1000)
        assert checker.core([("t", [rules["t"]]), ("s", [rules["s"]])], 10.0) is None, f"after a {ms} ms check"
