"""Which formula syntax a set of texts is written in, for when the user does not say.

The texts of one problem share a syntax. The first of ``nltk``, ``folio``, ``tptp`` in which every
text reads strictly is chosen; NLTK comes first as it is linc's own default, and a formula such as
``Man(socrates)`` reads alike in all three.

>>> detect_syntax(["∀x (Man(x) → Mortal(x))", "Man(socrates)"])
'folio'
>>> detect_syntax(["all x.(Man(x) -> Mortal(x))", "Man(socrates)"])
'nltk'
>>> detect_syntax(["![X]: (man(X) => mortal(X))"])
'tptp'
"""

from __future__ import annotations

from typing import Sequence

from linc.errors import FormulaSyntaxError
from linc.logic.read import parse

__all__ = ["SYNTAXES", "detect_syntax"]

SYNTAXES = ("nltk", "folio", "tptp")
_FOLIO_MARKS = set("∀∃¬∧∨⊕→↔")


def detect_syntax(texts: Sequence[str]) -> str:
    """The syntax every text reads in. When none reads them all, the error of the likeliest
    syntax (FOLIO when a text holds its Unicode connectives, else NLTK) is raised, with a note
    on how to choose the syntax."""
    failed: dict[str, FormulaSyntaxError] = {}
    for syntax in SYNTAXES:
        try:
            for text in texts:
                parse(text, syntax=syntax)
        except FormulaSyntaxError as err:
            failed[syntax] = err
            continue
        return syntax
    likely = "folio" if any(_FOLIO_MARKS & set(t) for t in texts) else "nltk"
    err = failed[likely]
    note = f" (read as {likely}; choose the syntax with --syntax {'|'.join(SYNTAXES)})"
    raise FormulaSyntaxError(err.reason + note, err.text, err.position)
