"""Subprocess handling: deadlines kill whole process groups and leave no survivor behind."""

from __future__ import annotations

import os
import stat
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from linc.logic.formula import Const, Forall, Func, Implies, Pred, Var
from linc.proving import Label
from linc_provers._process import Job, _setpriv, _tied, run, run_parallel
from linc_provers.prover9 import Prover9


def survivors(marker: str) -> list[str]:
    """Command lines of live processes that mention ``marker`` (read from /proc)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
        except OSError:
            continue
        if marker.encode() in raw and state != "Z" and int(pid) != os.getpid():
            found.append(raw.replace(b"\0", b" ").decode(errors="replace"))
    return found


def test_timeout_kills_the_child_and_its_children():
    marker = f"linc-test-{uuid.uuid4().hex}"
    # The child starts a grandchild and both sleep: killing only the child would orphan the other.
    script = f"sleep 30 & sleep 31; : {marker}"
    started = time.monotonic()
    done = run(Job(["sh", "-c", script, marker]), timeout=0.5)
    assert done.timed_out and time.monotonic() - started < 5
    time.sleep(0.2)
    assert survivors(marker) == []


def test_cancelled_jobs_are_reported_and_killed():
    marker = f"linc-test-{uuid.uuid4().hex}"
    jobs = {"fast": Job(["true"]), "slow": Job(["sh", "-c", f"sleep 30; : {marker}", marker])}
    done = run_parallel(jobs, timeout=20, update=lambda results: {"slow": time.monotonic()})
    assert done["fast"].returncode == 0
    assert done["slow"].cancelled and not done["slow"].timed_out
    assert survivors(marker) == []


def test_prover9_timeout_is_unknown_and_leaves_nothing(tmp_path):
    # A fake prover9 that never answers and forks: the backend must kill both at its deadline.
    marker = f"linc-test-{uuid.uuid4().hex}"
    fake = tmp_path / "prover9"
    fake.write_text(f"#!/bin/sh\n# {marker}\nsleep 30 &\ncat > /dev/null\nsleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    # A binary that ignores its own limit is killed by the clock (the backstop, see _refute.py).
    result = Prover9(binary=str(fake)).decide([Pred("P", (Const("a"),))], Pred("P", (Const("b"),)), timeout=0.2)
    assert result.label is Label.UNKNOWN and "time limit" in result.reason
    time.sleep(0.2)
    assert survivors(str(fake)) == []


def test_real_prover9_search_that_never_ends_is_unknown():
    # P(a), ∀x (P(x) → P(f(x))) generates P(f(f(...))) forever and never decides Q(a).
    x, a = Var("x"), Const("a")
    premises = [Pred("P", (a,)), Forall(x, Implies(Pred("P", (x,)), Pred("P", (Func("f", (x,)),))))]
    ok, _ = Prover9.availability()
    if not ok:
        return
    start = time.monotonic()
    prover = Prover9()
    result = prover.decide(premises, Pred("Q", (a,)), timeout=1)
    assert result.label in (Label.UNKNOWN, Label.UNCERTAIN)
    # Its own 1 s limit is processor time; the clock's backstop bounds the wait however busy the machine is.
    assert time.monotonic() - start < prover.wall_limit(1) + 2


def test_a_child_whose_parent_is_gone_does_not_run(tmp_path):
    """The tie to this process (module docstring of _process) is checked after it is made: a child
    that finds another parent, as when this one died first, exits without running its command."""
    if _setpriv() is None:
        pytest.skip("no setpriv --pdeathsig here: children are tied by a preexec_fn")
    ran = tmp_path / "ran"
    argv, _ = _tied(["touch", str(ran)])
    assert subprocess.run(argv).returncode == 0 and ran.exists()  # started by this process: runs
    ran.unlink()
    stranger = subprocess.run(["/bin/sh", "-c", '"$@"; exit $?', "sh", *argv])  # started by another
    assert stranger.returncode != 0 and not ran.exists()
