"""docs/controlled-english.md is true: each sentence reads as shown, the listed limits are refused,
and the word list is the grammar's; and the first syllogism people try works."""

from __future__ import annotations

import re

import pytest

from linc.errors import ParserError
from linc.parsing.grammar import GrammarParser, _closed_words
from linc.reasoning import Reasoner
from tests.conftest import ROOT

GUIDE = (ROOT / "docs" / "controlled-english.md").read_text(encoding="utf-8")
ROWS = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|$", GUIDE, flags=re.M)
LIMITS = re.findall(r"`([A-Z][^`]*\.)`", GUIDE.split("## Not (yet) in the grammar")[1].split("Rephrase")[0])


def test_the_guide_has_examples():
    assert len(ROWS) >= 30 and len(LIMITS) >= 5


@pytest.mark.parametrize(("sentence", "reading"), ROWS)
def test_every_sentence_of_the_guide_reads_as_shown(sentence, reading):
    assert str(GrammarParser().parse(sentence)) == reading


@pytest.mark.parametrize("sentence", LIMITS)
def test_what_the_guide_says_is_outside_is_refused(sentence):
    with pytest.raises(ParserError, match="outside the grammar"):
        GrammarParser().parse(sentence)


def test_the_closed_words_listed_are_the_grammars():
    listed = set(re.search(r"The closed words the grammar knows: `([^`]+)`", GUIDE.replace("\n  ", " ")).group(1).split())
    assert listed - {"the"} == set(_closed_words()) - {","}


@pytest.mark.parametrize(("premises", "conclusion"), [
    (["All men are mortal.", "Socrates is a man."], "Socrates is mortal."),
    (["Mice are small.", "Jerry is a mouse."], "Jerry is small."),
    (["All people are mortal.", "Socrates is a person."], "Socrates is mortal."),
    (["All children are young.", "Tim is a child."], "Tim is young."),
])
def test_syllogisms_with_irregular_plurals(premises, conclusion):
    assert Reasoner().check(premises, conclusion).label == "True"


def test_people_after_an_adjective_keeps_proofwriters_meaning():
    assert Reasoner().check(["Bob is red.", "Red people are big."], "Bob is big.").label == "True"
