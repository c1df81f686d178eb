"""The readers on real data: every FOLIO annotation and every recorded GPT-3.5 FOL line."""

from __future__ import annotations

import json
import re

from linc.errors import FormulaSyntaxError
from linc.logic import read
from tests.conftest import requires_data, SHARED_DATA

FOLIO_FILES = ["folio-v0.0-train.jsonl", "folio-v0.0-validation.jsonl"]


def folio_strings() -> list[str]:
    found: set[str] = set()
    for name in FOLIO_FILES:
        for line in (SHARED_DATA / "folio" / name).open(encoding="utf-8"):
            row = json.loads(line)
            found.update(row["premises-FOL"])
            if "conclusion-FOL" in row:
                found.add(row["conclusion-FOL"])
    return sorted(found)


@requires_data
def test_every_folio_annotation_reads_or_points_at_a_genuine_defect():
    strings = folio_strings()
    assert len(strings) > 2_000
    rejected: dict[str, FormulaSyntaxError] = {}
    repaired = 0
    for text in strings:
        try:
            repaired += bool(read(text, syntax="folio", lenient=True).repairs)
        except FormulaSyntaxError as err:
            rejected[text] = err
    report = "\n".join(f"{t!r}: {e.reason}" for t, e in rejected.items())
    print(f"\n{len(strings)} distinct FOLIO formulas, {repaired} repaired, {len(rejected)} rejected:\n{report}")
    assert len(rejected) <= 10, report
    genuine = ("empty formula", "missing connective", "is not a connective", "unbalanced")
    for text, err in rejected.items():
        assert any(g in err.reason for g in genuine), (text, err.reason)
        assert err.position is not None


@requires_data
def test_every_recorded_fol_line_reads_leniently_or_fails_clearly():
    lines: list[str] = []
    for path in sorted((SHARED_DATA / "linc-recorded").glob("*.jsonl")):
        for row in path.open(encoding="utf-8"):
            for generation in json.loads(row)["generations"]:
                lines += [m.group(1) for m in re.finditer(r"^FOL:\s*(.*)$", generation, re.M)]
    assert len(lines) > 20_000
    clean = repaired = failed = 0
    for text in lines:
        try:
            clean_read = not read(text, syntax="nltk", lenient=True).repairs
        except FormulaSyntaxError as err:
            failed += 1
            assert err.reason and (err.position is not None or not text.strip())
            continue
        clean += clean_read
        repaired += not clean_read
    print(f"\n{len(lines)} recorded FOL lines: {clean} clean, {repaired} repaired "
          f"({repaired / len(lines):.1%}), {failed} unreadable ({failed / len(lines):.1%})")
    assert clean + repaired + failed == len(lines)
    assert failed / len(lines) < 0.05
