"""Every built-in backend answers the conformance questions (see conformance.py)."""

from __future__ import annotations

from tests.provers.conformance import Conformance


class TestZ3(Conformance):
    prover_name = "z3"


class TestZ3Quantified(Conformance):
    """z3 without its ground path: every problem decided with quantifiers."""

    prover_name = "z3"
    options = {"ground": False}


class TestProver9(Conformance):
    prover_name = "prover9"


class TestEProver(Conformance):
    prover_name = "eprover"


class TestResolution(Conformance):
    """In-process and refutation-complete: these small problems saturate, so it answers Uncertain."""

    prover_name = "resolution"


class TestSympy(Conformance):
    prover_name = "sympy"
    tells_support = False


class TestPortfolioRace(Conformance):
    prover_name = "portfolio"
    options = {"members": ("z3", "prover9"), "mode": "race"}
    #: Each member starts a Python worker, which took over 10 s on a machine loaded by the suite's
    #: own parallel tests ("no member answered"). Every question here is answered in well under a
    #: second once a worker runs, so the longer limit costs nothing unless the machine is slow.
    timeout = 60.0


class TestPortfolioCrosscheck(Conformance):
    prover_name = "portfolio"
    options = {"members": ("z3", "prover9", "eprover"), "mode": "crosscheck"}
    timeout = TestPortfolioRace.timeout


class TestLean(Conformance):
    """Runs when a real `lean` is installed; Lean never searches to completion."""

    prover_name = "lean"
    timeout = 60.0
    answers_uncertain = False
    decides_equality = False
    tells_support = False


class TestCvc5(Conformance):
    prover_name = "cvc5"


class TestPyProver(Conformance):
    """Pure-Python resolution in worker processes; its search may run out of time (Unknown)."""

    prover_name = "pyprover"
    complete = False
    tells_support = False
