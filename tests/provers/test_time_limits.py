"""Prover9 and E limit their own processor time; the clock is only a backstop.

A search that needs less processor time than the timeout gets its answer however busy the
machine is; what it asked LINC's way (``linc_compatible``) is exactly two searches.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from linc.logic.read import parse
from linc.proving import Label
from linc_provers._refute import Attempt, Outcome, combine
from linc_provers.prover9 import Prover9

#: Busy processes put on the searches' core: with the three searches beside them, each search gets
#: a sixth of it, so one that needs a third of a second of processor time takes about two seconds.
COMPETITORS = 3


def pigeons(pigeons: int, holes: int) -> list:
    """``pigeons`` pigeons in ``holes`` holes, two to a hole forbidden: contradictory premises."""
    names = [f"p{i}" for i in range(pigeons)]
    premises = [" | ".join(f"In({p}, h{j})" for j in range(holes)) for p in names]
    premises.append("all x. all y. all z. ((In(x, z) & In(y, z)) -> Same(x, y))")
    premises += [f"-Same({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:]]
    return [parse(p) for p in premises]


def prover9(**options) -> Prover9:
    prover = Prover9(**options)
    ok, detail = prover.availability()
    if not ok:
        pytest.skip(f"Prover9 is not available: {detail}")
    return prover


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs processor affinity (Linux)")
def test_a_search_on_a_busy_core_still_gets_its_answer():
    """Seven pigeons in five holes take each Prover9 search about a third of a second of processor
    time, under the 1 s limit; on one core shared with busy processes that is about two seconds of
    wall-clock time, past the 1 s at which the clock used to kill the search. The answer must come."""
    prover = prover9()
    premises = pigeons(7, 5)
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(before)})  # this thread only; its children inherit it
    busy = []
    try:
        busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(COMPETITORS)]
        result = prover.decide(premises, parse("Q(a)"), timeout=1)
    finally:
        os.sched_setaffinity(0, before)
        for proc in busy:
            proc.kill()
            proc.wait()
    assert result.label is Label.INCONSISTENT, (result.label, result.reason)


def test_linc_compatible_asks_two_questions(tmp_path):
    """LINC asked Prover9 for the conclusion and for its negation, never whether the premises are
    consistent: its mode runs two searches, the default three."""
    real = prover9()._locate()
    log = tmp_path / "runs"
    wrapper = tmp_path / "prover9"
    wrapper.write_text(f"#!/bin/sh\necho run >> '{log}'\nexec '{real}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    # Every search takes a while here, so none is cancelled before it has started (and logged).
    premises = pigeons(7, 5)
    for linc_compatible, runs in ((True, 2), (False, 3)):
        log.write_text("")
        result = Prover9(binary=str(wrapper), linc_compatible=linc_compatible).decide(premises, parse("Q(a)"), timeout=10)
        assert result.label is Label.INCONSISTENT
        assert len(log.read_text().split()) == runs, linc_compatible


def test_two_questions_combine_without_a_consistency_search():
    """Without ``cons`` a label comes from the two directions alone, and a limit names only them."""
    proved, saturated, limit = Attempt(Outcome.PROVED, "p"), Attempt(Outcome.SATURATED), Attempt(Outcome.LIMIT, "time limit")
    assert combine("p9", {"pos": proved, "neg": limit}).label is Label.TRUE
    both_open = combine("p9", {"pos": saturated, "neg": saturated})
    assert both_open.label is Label.UNCERTAIN and both_open.consistent is True
    unknown = combine("p9", {"pos": limit, "neg": saturated})
    assert unknown.label is Label.UNKNOWN and unknown.reason == "pos: time limit" and unknown.consistent is True
    assert combine("p9", {"pos": Attempt(Outcome.PROVED, "p", without_goal=True), "neg": limit}).label is Label.INCONSISTENT
    assert combine("p9", {"pos": limit, "neg": limit}).consistent is None
