"""FOLIO validation with gold FOL: z3 and prover9 must each agree with >= 192 of 204 labels.

The disagreements are printed with their reason (run pytest with -s to see them): gold FOL that
does not read, a time limit, or a label that contradicts the gold FOL (both provers agree).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from linc.errors import FormulaSyntaxError
from linc.logic.read import parse
from linc.plugins import get_prover, lookup
from tests.conftest import requires_data, SHARED_DATA

FILE = SHARED_DATA / "folio" / "folio-v0.0-validation.jsonl"
# z3's limit is wall-clock time: with 5 s, searches that end in well under a second alone timed out
# when the suite's LINC reproduction ran beside this test on 2 cores. Prover9 limits its own
# processor time, which load cannot eat: every search here ends within 0.3 s of it except those of
# line 118 (a transitive relation the search never saturates), so 2 s changes no answer.
TIMEOUT = {"z3": 10, "prover9": 2}


def _problems():
    rows = [json.loads(line) for line in FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for i, r in enumerate(rows, 1):
        try:
            premises = [parse(p, syntax="folio", lenient=True) for p in r["premises-FOL"]]
            out.append((i, r["label"], premises, parse(r["conclusion-FOL"], syntax="folio", lenient=True), None))
        except FormulaSyntaxError as e:
            out.append((i, r["label"], None, None, str(e).splitlines()[0]))
    return out


@requires_data
@pytest.mark.parametrize("name", ["z3", "prover9"])
def test_folio_agreement(name):
    ok, detail = lookup("prover", name).availability()
    if not ok:
        pytest.skip(detail)
    prover = get_prover(name)

    def decide(item):
        line, gold, premises, conclusion, error = item
        if error:
            return line, gold, "Error", f"gold FOL does not read: {error}"
        r = prover.decide(premises, conclusion, timeout=TIMEOUT[name])
        if r.label.value == gold:
            return line, gold, r.label.value, ""
        if r.label.value == "Unknown":
            return line, gold, "Unknown", f"resource limit: {r.reason}"
        return line, gold, r.label.value, "label contradicts the gold FOL (annotation error)"

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(decide, _problems()))
    agree = sum(1 for _, gold, got, _ in results if gold == got)
    print(f"\n{name}: {agree}/{len(results)} agree with the FOLIO label")
    for line, gold, got, why in results:
        if gold != got:
            print(f"  line {line}: gold {gold}, {name} {got}: {why}")
    assert len(results) == 204
    assert agree >= 192
