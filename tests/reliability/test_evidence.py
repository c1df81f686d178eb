"""A prover's answer is read from what its output shows, never from its exit status alone.

Stand-in binaries play provers that exit cleanly but show nothing, or claim an answer without
showing it: each must give ``Error`` with a reason, never ``True``, ``False``, ``Uncertain`` or
``Inconsistent``.
"""

from __future__ import annotations

import json
import stat
import sys

import pytest
from typer.testing import CliRunner

from linc.cli import app
from linc.logic.read import parse
from linc.proving import Label
from linc_provers.eprover import EProver
from linc_provers.lean import LeanProver
from linc_provers.prover9 import Prover9

PREMISES, CONCLUSION = [parse("P(a)")], parse("Q(b)")


def stand_in(tmp_path, name: str, output: str, status: int, error: str = "") -> str:
    """An executable that prints ``output`` (and ``error`` on stderr) and exits with ``status``,
    whatever it is given."""
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\nsys.stdout.write({output!r})\n"
                    f"sys.stderr.write({error!r})\nsys.exit({status})\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_prover9_that_shows_nothing_is_an_error_not_inconsistent(monkeypatch):
    monkeypatch.setenv("PROVER9", "/bin/true")
    result = CliRunner().invoke(app, ["prove", "-p", "P(a)", "-c", "Q(b)", "--prover", "prover9", "--json"])
    answer = json.loads(result.stdout)
    assert answer["label"] == "Error"
    assert "shows neither a proof" in answer["reason"]


@pytest.mark.parametrize(
    ("output", "status", "reason"),
    [
        ("", 2, "shows neither a proof"),  # exit 2 used to be read as "search space exhausted"
        ("THEOREM PROVED\nProcess 1 exit (max_proofs)\n", 0, "shows no proof"),  # no proof block
        ("Process 1 exit (sos_empty)\n", 2, "shows no proof"),  # no SEARCH FAILED
    ],
    ids=["silent-exit-2", "claim-without-proof", "exit-line-only"],
)
def test_prover9_claims_without_evidence_are_errors(tmp_path, output, status, reason):
    result = Prover9(binary=stand_in(tmp_path, "prover9", output, status)).decide(PREMISES, CONCLUSION, timeout=10)
    assert result.label is Label.ERROR and reason in result.reason


def test_eprover_theorem_status_without_a_proof_is_an_error(tmp_path):
    binary = stand_in(tmp_path, "eprover", "% SZS status Theorem\n", 0)
    result = EProver(binary=binary).decide(PREMISES, CONCLUSION, timeout=10)
    assert result.label is Label.ERROR and "holds no proof" in result.reason


def test_eprover_status_must_be_a_status_line(tmp_path):
    binary = stand_in(tmp_path, "eprover", "% not a status: SZS status Theorem\n", 0)
    assert EProver(binary=binary).decide(PREMISES, CONCLUSION, timeout=10).label is Label.ERROR


def test_eprover_at_its_hard_cpu_limit_is_unknown_not_an_error(tmp_path):
    """E's hard --cpu-limit ends it at once with no status line, only its word on stderr."""
    binary = stand_in(tmp_path, "eprover", "% Configuration: x\n", 8, "eprover: CPU time limit exceeded, terminating\n")
    result = EProver(binary=binary).decide(PREMISES, CONCLUSION, timeout=10)
    assert result.label is Label.UNKNOWN and "CPU time limit" in result.reason


def test_lean_that_shows_nothing_is_an_error_not_inconsistent():
    result = LeanProver(binary="/bin/true").decide(PREMISES, CONCLUSION, timeout=10)
    assert result.label is Label.ERROR and "does not show the theorem" in result.reason


def test_lean_proof_with_sorry_is_an_error(tmp_path):
    binary = stand_in(tmp_path, "lean", "'linc_goal' depends on axioms: [sorryAx]\n", 0)
    result = LeanProver(binary=binary).decide(PREMISES, CONCLUSION, timeout=10)
    assert result.label is Label.ERROR and "sorry" in result.reason


def test_prover9_proofs_count_when_its_search_goes_on_and_fails():
    """With Prover9's own defaults (LINC's mode) a goal with several negated clauses asks for more
    proofs: it prints two proofs, then SEARCH FAILED and exit (sos_empty). The proofs stand."""
    prover = Prover9(timeout=10, linc_compatible=True)
    if not prover.availability()[0]:
        pytest.skip("Prover9 is not available")
    premises = [parse(t) for t in [  # a recorded GPT-3.5 translation of FOLIO (8-shot, problem 25)
        "all x.(Owns(x, Monitor) -> (AtHome(x) & Often(x)))", "all x.(Office(x) -> Owns(x, Monitor))",
        "all x.((AtHome(x) & Often(x)) -> Tidy(x))", "all x.((AtHome(x) & Often(x)) -> Visits(x))",
        "all x.(Tidy(x) -> (-Late(x) & -Wake(x)))",
        "((Late(Remy) & Wake(Remy)) & Tidy(Remy)) | ((-Late(Remy) & -Wake(Remy)) & -Tidy(Remy))"]]
    assert prover.decide(premises, parse("Office(Remy) & Visits(Remy)")).label == Label.FALSE
