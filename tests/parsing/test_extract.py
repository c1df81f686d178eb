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


@pytest.mark.parametrize("dash", ["–", "—"])
def test_a_dash_that_cannot_be_negation_ends_the_tag(dash):
    assert formulas(f"TEXT {dash} Bob is big.\nFOL {dash} -Big(Bob)\n") == ["-Big(Bob)"]


@pytest.mark.parametrize("text, line, column", [
    ("TEXT: Bob is big.\nFOL - Big(Bob)\n", 2, 5),
    ("<EVALUATE>\nTEXT: Bob is big.\n  2. FOL -Big(Bob)\n", 3, 10),
    ("```\nTEXT: Bob is big.\nFOL: Big(Bob)\n```\nFOL - Red(Bob)\n", 5, 5),
])
def test_a_hyphen_after_the_tag_is_ambiguous_and_refused_with_its_place(text, line, column):
    """'FOL - Big(Bob)': a tag then Big(Bob), or a tag with no separator then -Big(Bob)."""
    found = extract(text)
    assert found.formulas == []
    assert found.error is not None and f"line {line}, column {column}" in found.error
    assert text.splitlines()[line - 1][column - 1] == "-"


def test_a_hyphen_inside_a_word_or_an_arrow_is_no_tag():
    assert extract("FOL-based answer:\nFOL: Big(Bob)").formulas == ["Big(Bob)"]
    assert extract("FOL -> Big(Bob)").error is None


def test_a_formula_broken_over_lines_goes_on_on_its_indented_lines():
    text = ("TEXT: Bob is big.\nFOL: all x. ((Big(x) &\n        Red(x)) ->\n      Round(x))\n"
            "TEXT: Bob is red.\nFOL:\n  (Red(Bob) |\n   Big(Bob))\n")
    assert formulas(text) == ["all x. ((Big(x) & Red(x)) -> Round(x))", "(Red(Bob) | Big(Bob))"]


def test_only_an_unclosed_formula_goes_on_and_only_on_indented_lines():
    closed = "FOL: Big(Bob)\n    This is what the sentence says.\n"
    unindented = "FOL: all x. (Big(x)\nThis comment is not part of it.\n"
    assert formulas(closed) == ["Big(Bob)"]
    assert formulas(unindented) == ["all x. (Big(x)"]


@pytest.mark.parametrize("written", [
    "Big(Bob)  # Bob is big", "Big(Bob) // Bob is big", '"Big(Bob)"', "$Big(Bob)$", "$$Big(Bob)$$", "`Big(Bob)`  # Bob",
])
def test_comments_quotes_and_dollars_around_a_formula_are_dropped(written):
    assert formulas(f"TEXT: Bob is big.\nFOL: {written}\n") == ["Big(Bob)"]


def test_marks_inside_a_formula_stay():
    assert formulas('FOL: Name(Bob, "Bob")\nFOL: "P("a")"\nFOL: Rent(A, 2000$)#1') == [
        'Name(Bob, "Bob")', '"P("a")"', "Rent(A, 2000$)#1"]
