"""The Lean bridge: the file it writes (golden file) and its process handling (a stand-in `lean`)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from linc.errors import ProverUnavailable
from linc.logic.formula import Const, Eq, Exists, Forall, Func, Implies, Not, Pred, Var, Xor
from linc.logic.lean import theorem_file
from linc.proving import Label
from linc_provers.lean import LeanProver

GOLDEN = Path(__file__).parent / "golden"
x = Var("x")
bob = Const("bob")
PREMISES = [
    Forall(x, Implies(Pred("Man", (x,)), Pred("Mortal", (x,)))),
    Pred("Man", (bob,)),
    Xor(Pred("theorem", (bob,)), Exists(x, Eq(Func("father", (x,)), Const("Świątek")))),
]

# Stands in for `lean`: accepts a theorem whose statement is literally one of its hypotheses,
# answers its `#print axioms` line as Lean does, reports an error like Lean's otherwise; `sleep`
# in the file name makes it hang (timeout test).
FAKE_LEAN = """#!{python}
import re, sys, time
path = sys.argv[-1]
text = open(path, encoding="utf-8").read()
if "sleep" in path or "linc_sleep" in text:
    time.sleep(60)
hyps = re.findall(r"\\(h\\d+ : (.*)\\)$", text, re.M)
goal = re.search(r"    : (.*) := by$", text, re.M).group(1)
if goal in hyps:
    shown = re.search(r"^#print axioms (\\S+)$", text, re.M)
    if shown:
        print(f"'{{shown.group(1)}}' depends on axioms: [U_nonempty]")
    sys.exit(0)
print(f"{{path}}:20:2: error: grind failed to close the goal")
sys.exit(1)
"""


@pytest.fixture
def fake_lean(tmp_path, monkeypatch):
    script = tmp_path / "lean"
    script.write_text(FAKE_LEAN.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("LEAN", str(script))
    return script


def test_golden_file():
    text = theorem_file(PREMISES, Pred("Mortal", (bob,)))
    golden = GOLDEN / "mortal.lean"
    assert text == golden.read_text(encoding="utf-8")


def test_missing_lean_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("LEAN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ProverUnavailable, match="elan"):
        LeanProver().decide(PREMISES, Pred("Mortal", (bob,)))
    assert LeanProver.availability()[0] is False


def test_proved_goal_is_true_with_the_file_as_proof(fake_lean):
    result = LeanProver(timeout=10).decide(PREMISES, Pred("Man", (bob,)))
    assert result.label is Label.TRUE
    assert "theorem linc_goal" in result.proof


def test_failed_tactic_is_unknown_not_uncertain(fake_lean):
    result = LeanProver(timeout=10).decide(PREMISES, Pred("Mortal", (Const("alice"),)))
    assert result.label is Label.UNKNOWN
    assert "grind failed" in result.reason


def test_refuted_and_inconsistent(fake_lean):
    assert LeanProver(timeout=10).decide([Not(Pred("Man", (bob,)))], Pred("Man", (bob,))).label is Label.FALSE


def test_hanging_lean_is_killed_at_the_deadline(fake_lean):
    result = LeanProver(timeout=1).decide([Pred("linc_sleep")], Pred("Man", (bob,)))
    assert result.label is Label.UNKNOWN and "time limit" in result.reason
