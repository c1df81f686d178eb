"""Finding FOL lines in what models actually write (robust) and what LINC accepted (linc)."""

from __future__ import annotations

import pytest

from linc.parsing.extract import extract, linc_arguments

CLEAN = "TEXT:\tBob is big.\nFOL:\tBig(Bob)\nTEXT:\tBob is red.\nFOL:\tRed(Bob)\n"


def formulas(text: str, style: str = "robust") -> list[str]:
    return extract(text, style).formulas


def test_clean_completion():
    assert formulas(CLEAN) == ["Big(Bob)", "Red(Bob)"]
    assert formulas(CLEAN, "linc") == ["Big(Bob)", "Red(Bob)"]


def test_prose_around_and_code_fence():
    text = ("Here is the translation you asked for:\n\n```text\n" + CLEAN + "```\n\n"
            "Let me know if you need anything else.")
    assert formulas(text) == ["Big(Bob)", "Red(Bob)"]


def test_space_after_tag_bold_and_numbering():
    text = "1. **TEXT:** Bob is big.\n   **FOL:** `Big(Bob)`\n2. TEXT: Bob is red.\n   - FOL: Red(Bob)\n"
    assert formulas(text) == ["Big(Bob)", "Red(Bob)"]


def test_formula_on_the_line_after_an_empty_tag():
    assert formulas("TEXT: Bob is big.\nFOL:\n  Big(Bob)\n") == ["Big(Bob)"]


def test_only_the_answer_block_counts():
    echoed = "<EVALUATE>\nTEXT: old\nFOL: Old(A)\n</EVALUATE>\n<EVALUATE>\n" + CLEAN + "</EVALUATE>\nFOL: Junk(J)"
    assert formulas(echoed) == ["Big(Bob)", "Red(Bob)"]
    assert formulas(CLEAN + "</EVALUATE>\nTEXT: more\nFOL: After(A)\n") == ["Big(Bob)", "Red(Bob)"]


def test_missing_tags_falls_back_to_formula_like_lines():
    text = "The premises translate as follows.\nall x. (Big(x) -> Red(x))\nBig(Bob)\nConclusion: Red(Bob)\n"
    found = extract(text)
    assert found.formulas == ["all x. (Big(x) -> Red(x))", "Big(Bob)", "Red(Bob)"]
    assert found.notes and "untagged" in found.notes[0]


def test_no_formula_at_all():
    assert formulas("I cannot help with that.") == []
    assert formulas("") == []


def test_linc_style_needs_a_tab_like_linc_did():
    spaced = CLEAN.replace("\t", " ")
    assert formulas(spaced, "linc") == []
    assert formulas(spaced) == ["Big(Bob)", "Red(Bob)"]


def test_linc_style_stops_at_the_first_closing_tag():
    assert formulas(CLEAN + "</EVALUATE>\nFOL:\tLater(A)", "linc") == ["Big(Bob)", "Red(Bob)"]


def test_linc_argument_rewriting():
    assert linc_arguments("Hosted(Beijing, 2008SummerOlympics)") == "Hosted(Beijing, TwoZeroZeroEightSummerOlympics)"
    assert linc_arguments("Istanbul(Joe'sPlate)") == "Istanbul(JoesPlate)"
    assert linc_arguments("all x. (P(x) -> Q(x))") == "all x. (P(x) -> Q(x))"
    assert formulas('FOL:\tName(Ailton, "Ailton") & Rent(A, 2000$)', "linc") == [
        "Name(Ailton, Ailton_quoted) & Rent(A, TwoZeroZeroZeroDollar)"]


def test_unknown_style():
    with pytest.raises(ValueError):
        extract(CLEAN, "fancy")
