"""Find the FOL formulas in a model's completion.

Two styles:

- ``robust`` (default): what models actually write. Prose before or after, Markdown code fences
  or bold (``**FOL:**``), ``FOL:`` with a space or a tab (or ``FOL =``, ``FOL –``), numbered or
  bulleted lines, an echoed prompt (only the last ``<EVALUATE>`` block counts), a missing
  ``</EVALUATE>``, a formula broken over lines (an indented line goes on a formula whose
  parentheses are still open). With no ``FOL:`` tag at all, lines that look like formulas are
  taken, and that is recorded. A trailing ``# comment`` or ``// comment``, and double quotes or
  ``$`` around a whole formula, are dropped. ``FOL - P(a)`` is refused (``error``): the hyphen
  may end the tag or negate the formula.
- ``linc``: exactly what the LINC pipeline accepted, to reproduce its published numbers: the text
  before the first ``</EVALUATE>``, lines holding ``FOL:`` followed by a tab. (Every recorded
  GPT-3.5 completion that wrote ``FOL:`` followed by a space is an ``Error`` in LINC's outcomes.)

In both, the last formula is the conclusion and the others are the premises, whatever their number.

>>> extract("Sure!\\n```\\nTEXT: Bob is big.\\nFOL: Big(Bob)\\n```").formulas
['Big(Bob)']
>>> extract("TEXT: Bob is big.\\nFOL: Big(Bob)", style="linc").formulas
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STYLES = ("robust", "linc")

_OPEN = re.compile(r"<\s*EVALUATE\s*>", re.IGNORECASE)
_CLOSE = re.compile(r"<\s*/\s*EVALUATE\s*>", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
# "FOL:", "**FOL:**", "- FOL 3:", "2. FOL =", "FOL：", "FOL –" and the rest of the line
_TAG = r"^\s*(?:[-*>•]\s*|\d+[.)]\s*)*[*_`]*{}(?:\s*\d+)?[*_`]*\s*"
_TAGGED = re.compile(_TAG.format("FOL") + r"[:：=–—][*_`]*\s*(?P<rest>.*)$", re.IGNORECASE)
_TEXT = re.compile(_TAG.format("TEXT") + "[:：=–—]", re.IGNORECASE)
# "FOL - P(a)": the hyphen may end the tag or be NLTK's negation, two readings of opposite meaning
_AMBIGUOUS = re.compile(_TAG.format("FOL") + r"(?<=\s)(?P<mark>-)(?!>)", re.IGNORECASE)
# an untagged line that looks like a formula: an atom, only formula characters, little prose
_ATOM = re.compile(r"\w\s*\(")
_FORMULA_CHARS = re.compile(r"^[\w\s().,'’&|\-<>=!~^∀∃¬∧∨→↔⊕]+$")
_PROSE = re.compile(r"\b[a-z]+ [a-z]+ [a-z]+ [a-z]+\b")
_LABEL = re.compile(r"^\s*(?:[-*>•]\s*|\d+[.)]\s*)*(?:(?:premise|conclusion)\s*\d*\s*[:.)-])?\s*", re.IGNORECASE)
_WRAP = "`*_ \t"


@dataclass
class Extraction:
    """The formula strings found, in order, and notes on how they were found (robust style)."""

    formulas: list[str]
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # why the completion cannot be read at all (then no formulas)


def extract(completion: str, style: str = "robust") -> Extraction:
    """The FOL lines of ``completion``; never raises on odd text (returns no formulas instead)."""
    if style == "linc":
        return _extract_linc(completion or "")
    if style != "robust":
        raise ValueError(f"unknown extraction style {style!r}; known: {', '.join(STYLES)}")
    return _extract_robust(completion or "")


def _extract_linc(completion: str) -> Extraction:
    body = completion.strip().split("</EVALUATE>")[0]
    lines = [line.replace("FOL:", "").strip() for line in body.split("\n") if "FOL:\t" in line]
    return Extraction([_nltk_names(linc_arguments(line)) for line in lines])


# LINC rewrote argument names before reading: digits spelled out, '.' to 'Dot', '-' and ' ' to
# '_', apostrophes dropped ("2008SummerOlympics", "Joe'sPlate", "-Tokyo" then read as names).
_DIGITS = "Zero One Two Three Four Five Six Seven Eight Nine".split()
_ARGUMENT_CHARS = str.maketrans({**{str(d): w for d, w in enumerate(_DIGITS)},
                                 ".": "Dot", "-": "_", " ": "_", "'": "", "’": ""})
_INNER_GROUP = re.compile(r"\(([^()]+)\)")


def linc_arguments(formula: str) -> str:
    """Rewrite the names in innermost argument lists as LINC's pipeline did, every occurrence of
    each name in the formula included (it replaced text globally).

    >>> linc_arguments("Hosted(Beijing, 2008Games) & Won(US, -Tokyo)")
    'Hosted(Beijing, TwoZeroZeroEightGames) & Won(US, _Tokyo)'
    """
    names = dict.fromkeys(a.strip() for group in _INNER_GROUP.findall(formula) for a in group.split(","))
    for name in names:
        new = name.translate(_ARGUMENT_CHARS)
        if new != name:
            formula = formula.replace(name, new)
    return formula


_QUOTED_NAME = re.compile(r'(?<![\w"])"(\w*)"(?![\w"])')


def _nltk_names(formula: str) -> str:
    """Spell names NLTK (and Prover9) accepted but linc's identifiers do not: a whole double-quoted
    name stays apart from the bare one (``"Ailton"`` and ``Ailton`` were two symbols), ``$`` is
    spelled. A quoted part of a longer name (``"Walden"_by_Thoreau``) Prover9 refused: left as is."""
    return _QUOTED_NAME.sub(r"\1_quoted", formula).replace("$", "Dollar")


def _answer_region(completion: str) -> tuple[str, int]:
    """The text after the last <EVALUATE> (if any) and before the next </EVALUATE> (if any), and
    the number of the completion's line it starts on."""
    if "<" not in completion:  # no tag at all (the usual case): no need to search for one
        return completion, 1
    opens = list(_OPEN.finditer(completion))
    start = opens[-1].end() if opens else 0
    close = _CLOSE.search(completion, start)
    if close is None and not opens:
        close = _CLOSE.search(completion)
    return completion[start : close.start() if close else len(completion)], completion.count("\n", 0, start) + 1


def _extract_robust(completion: str) -> Extraction:
    region, first_line = _answer_region(completion)
    lines = region.splitlines()
    if "```" in completion or "~~~" in completion:  # a fence line holds one or the other
        lines = [line if not _FENCE.match(line) else "" for line in lines]
    formulas: list[str] = []
    waiting = False  # a "FOL:" line with nothing after it: the formula is on the next line
    going_on = False  # the last formula has unclosed parentheses: an indented next line continues it
    for number, line in enumerate(lines, first_line):
        m = _TAGGED.match(line)
        if m:
            rest = _bare(m.group("rest"))
            if rest:
                formulas.append(rest)
            waiting = not rest
            going_on = _unclosed(rest)
            continue
        ambiguous = _AMBIGUOUS.match(line)
        if ambiguous:
            column = ambiguous.start("mark") + 1
            return Extraction([], error=f"ambiguous tag at line {number}, column {column}: in {line.strip()!r} the '-' "
                                        "may end the tag or negate the formula (write 'FOL:')")
        if waiting and line.strip():
            if not _TEXT.match(line):
                formulas.append(_bare(line))
                going_on = _unclosed(formulas[-1])
            waiting = False
        elif going_on and line[:1].isspace() and line.strip() and not _TEXT.match(line):
            formulas[-1] += " " + _bare(line)
            going_on = _unclosed(formulas[-1])
        else:
            going_on = False
    if formulas:
        return Extraction(formulas)
    untagged = [_LABEL.sub("", line).strip(_WRAP) for line in lines if _looks_like_formula(line)]
    notes = [f"took {len(untagged)} untagged line(s) that look like formulas"] if untagged else []
    return Extraction(untagged, notes)


_COMMENT = re.compile(r"\s(?:#|//).*$")


def _bare(text: str) -> str:
    """The formula in what follows a tag: without Markdown around it, a trailing ``# comment`` or
    ``// comment`` (neither mark means anything in a formula), or double quotes or LaTeX's
    dollars around the whole."""
    text = _COMMENT.sub("", text).strip(_WRAP)
    for mark in ('"', "$$", "$"):
        n = len(mark)
        if len(text) > 2 * n and text.startswith(mark) and text.endswith(mark) and mark not in text[n:-n]:
            return text[n:-n].strip(_WRAP)
    return text


def _unclosed(formula: str) -> bool:
    """More '(' than ')': a formula broken over lines (``FOL: all x. (P(x) ->`` then ``   Q(x))``)."""
    return formula.count("(") > formula.count(")")


def _looks_like_formula(line: str) -> bool:
    if _TEXT.match(line):
        return False
    body = _LABEL.sub("", line).strip(_WRAP)
    return bool(body) and bool(_ATOM.search(body)) and bool(_FORMULA_CHARS.match(body)) and not _PROSE.search(body)
