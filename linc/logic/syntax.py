"""Token tables of the three formula syntaxes, and the lexer built from them.

Each syntax maps its spellings to one set of token kinds (``NOT``, ``AND``, ``OR``, ``XOR``, ``IMP``,
``IFF``, ``ALL``, ``EXISTS``, ...), so :mod:`linc.logic.read` has one parser for all of them. The
lenient variant of a syntax adds the spellings LLMs commonly use instead, and every token read
through such an extra spelling is recorded as a repair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import Callable, Iterator

from linc.errors import FormulaSyntaxError

BINARY = {"AND", "OR", "XOR", "IMP", "IFF", "RIMP", "NAND", "NOR"}
PRECEDENCE = {"IFF": 1, "IMP": 2, "RIMP": 2, "OR": 3, "XOR": 3, "NOR": 3, "AND": 4, "NAND": 4}
_PUNCT = {"(": "LP", ")": "RP", ",": "COMMA", ".": "DOT", "[": "LB", "]": "RB", ":": "COLON"}

_UNICODE = {"¬": "NOT", "∧": "AND", "∨": "OR", "⊕": "XOR", "→": "IMP", "↔": "IFF", "⟷": "IFF",
            "⇒": "IMP", "⇔": "IFF", "∀": "ALL", "∃": "EXISTS", "≠": "NEQ"}

# strict spellings per syntax: symbol -> kind
_NLTK_OPS = {"-": "NOT", "!": "NOT", "&": "AND", "^": "AND", "|": "OR", "->": "IMP", "=>": "IMP",
             "<->": "IFF", "<=>": "IFF", "=": "EQ", "==": "EQ", "!=": "NEQ"}
_NLTK_WORDS = {"all": "ALL", "forall": "ALL", "exists": "EXISTS", "exist": "EXISTS", "some": "EXISTS",
               "not": "NOT", "and": "AND", "or": "OR", "implies": "IMP", "iff": "IFF"}
_FOLIO_OPS = {**{k: v for k, v in _UNICODE.items() if k not in "⇒⇔"}, "^": "AND", "=": "EQ"}
_TPTP_OPS = {"~": "NOT", "&": "AND", "|": "OR", "=>": "IMP", "<=>": "IFF", "<~>": "XOR", "<=": "RIMP",
             "~|": "NOR", "~&": "NAND", "=": "EQ", "!=": "NEQ", "!": "ALL", "?": "EXISTS"}

# extra spellings accepted (and recorded) in lenient mode
# and the other symbols logic texts write for a connective, none of which means anything else
# between two formulas: long arrows, the horseshoe, the triple bar, the underlined or, the minus sign
_OTHER_SYMBOLS = {"⟶": "IMP", "⟹": "IMP", "⊃": "IMP", "⟺": "IFF", "≡": "IFF", "⊻": "XOR", "−": "NOT"}
# and LaTeX's commands (a command is read only as a whole word: '\\to' is not the start of '\\top')
_LATEX = {"\\forall": "ALL", "\\exists": "EXISTS", "\\neg": "NOT", "\\lnot": "NOT", "\\land": "AND",
          "\\wedge": "AND", "\\lor": "OR", "\\vee": "OR", "\\rightarrow": "IMP", "\\to": "IMP",
          "\\implies": "IMP", "\\Rightarrow": "IMP", "\\leftrightarrow": "IFF", "\\iff": "IFF",
          "\\Leftrightarrow": "IFF", "\\equiv": "IFF", "\\oplus": "XOR", "\\veebar": "XOR", "\\neq": "NEQ"}
_NLTK_LENIENT_OPS = {"~": "NOT", **_UNICODE, **_OTHER_SYMBOLS, **_LATEX,
                     "&&": "AND", "||": "OR", "<-->": "IFF", "-->": "IMP"}
_NLTK_LENIENT_WORDS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "Exists": "EXISTS", "EXISTS": "EXISTS", "Exist": "EXISTS", "ForAll": "ALL",
                       "Forall": "ALL", "FORALL": "ALL", "forAll": "ALL", "ALL": "ALL"}
_FOLIO_LENIENT_OPS = {"~": "NOT", "&": "AND", "|": "OR", "->": "IMP", "<->": "IFF", "!=": "NEQ",
                      "⇒": "IMP", "⇔": "IFF"}


class Tokens:
    """A text's tokens as three parallel lists, the last token ``EOF``: what the reader walks.

    ``kinds``; ``texts``: a quoted name unquoted, a distinct object in its double quotes;
    ``starts``: the position of each token in the text (EOF's is the text's end), worked out from
    the pieces of text the tokens were found in when first asked for: only an error or a repair
    needs them. ``kinds, texts, starts = tokens`` unpacks the three."""

    __slots__ = ("kinds", "texts", "_pieces", "_lead", "_starts")

    def __init__(self, kinds: list[str], texts: list[str], pieces: list[str], lead: int):
        self.kinds = kinds
        self.texts = texts
        self._pieces = pieces
        self._lead = lead
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = list(accumulate(map(len, self._pieces), initial=self._lead))
        return self._starts

    def __iter__(self) -> Iterator[list]:
        return iter((self.kinds, self.texts, self.starts))


@dataclass(frozen=True)
class Syntax:
    """Everything the parser needs to know about one syntax (and strict or lenient reading)."""

    name: str
    lenient: bool
    ops: dict[str, str]
    words: dict[str, str]
    name_pattern: str
    strict_symbols: frozenset[str]
    quantifier_dot: bool  # NLTK writes "all x." — the dot ends the variable list
    multi_vars: bool  # "all x y." binds two variables
    smart_scope: bool  # widen a quantifier's scope when its variable occurs free after the body
    join_names: bool  # an argument may be several words or contain punctuation ("captain america")
    is_free_variable: Callable[[str], bool]
    # one table, replaced (not cleared) when full, so a reader in another thread keeps a whole one
    _table: list[_Table] = field(default_factory=lambda: [_Table()], init=False, repr=False, compare=False)

    def tokenize(self, text: str, repairs: list[str]) -> Tokens:
        """The tokens of ``text``; a spelling read through a lenient extra is noted in ``repairs``
        (once each, in order of first use).

        One ``findall`` splits the text into pieces, each a token and the white space after it. A
        piece's token, kind and value depend on its text alone, so each distinct piece is classified
        once per syntax and the rest is table look-ups in C."""
        table = self._table[0]
        if len(table.kinds) > _TABLE_LIMIT:  # names are unbounded: start afresh rather than grow
            table = self._table[0] = _Table()
        lead = len(text) - len(text.lstrip())  # str.isspace is the lexer's \s
        pieces = self._split(text, lead)
        try:
            kinds = list(map(table.kinds.__getitem__, pieces))
        except KeyError:
            for piece in set(pieces).difference(table.kinds):
                self._classify(piece, table)
            kinds = list(map(table.kinds.__getitem__, pieces))
        texts = list(map(table.values.__getitem__, pieces))
        kinds.append("EOF")
        texts.append("")
        tokens = Tokens(kinds, texts, pieces, lead)
        if not table.notes.keys().isdisjoint(pieces):
            noted: set[str] = set()
            for i, piece in enumerate(pieces):
                note = table.notes.get(piece)
                if note is None or note in noted:  # a note names its token: one per spelling
                    continue
                if kinds[i] == "BAD":
                    raise FormulaSyntaxError(note, text, tokens.starts[i])
                noted.add(note)
                repairs.append(note)
        return tokens

    @cached_property
    def _split(self) -> Callable[[str, int], list[str]]:
        return _pieces(self.name, self.lenient)

    def _classify(self, piece: str, table: _Table) -> None:
        """Enter one piece in ``table``: its token's kind and value, and the repair it records (for a
        character the strict reader refuses: the error)."""
        m = _classifier(self.name, self.lenient).fullmatch(piece)
        kind = m.lastgroup
        value = m.group(kind)
        note = None
        if kind == "BAD":
            if self.lenient:
                kind = "JUNK"
            else:
                note = f"unexpected character {value!r}"
        elif kind == "OP":
            kind = self.ops[value]
            if value not in self.strict_symbols:
                note = f"read {value!r} as {_describe(kind)}"
        elif kind == "QUOTED":  # a symbol name, never a variable or a keyword
            kind, value = "QNAME", _unescape(value[1:-1])
        elif kind == "DISTINCT":  # a TPTP distinct object; the IR name keeps the double quotes
            value = '"' + _unescape(value[1:-1]) + '"'
        elif kind == "NAME" and value in self.words:
            kind = self.words[value]
            if value not in _NLTK_WORDS and self.name == "nltk":
                note = f"read {value!r} as {_describe(kind)}"
        elif kind == "PUNCT":
            kind = _PUNCT[value]
        table.kinds[piece] = kind
        table.values[piece] = value
        if note is not None:
            table.notes[piece] = note


class _Table:
    """What the lexer knows of the pieces it has seen."""

    __slots__ = ("kinds", "values", "notes")

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.notes: dict[str, str] = {}


_TABLE_LIMIT = 1 << 16


@lru_cache(maxsize=None)
def keywords(syntax: str) -> frozenset[str]:
    """Words that read as connectives or quantifiers in ``syntax``, strict or lenient: a writer
    must quote a symbol so named."""
    if syntax == "nltk":
        return frozenset(_NLTK_WORDS) | frozenset(_NLTK_LENIENT_WORDS)
    return frozenset()


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def quote(name: str, mark: str = "'") -> str:
    """``name`` between ``mark`` characters, with ``\\`` and the mark escaped: what the readers'
    quoted names (and TPTP's distinct objects, ``mark='"'``) read back to ``name``."""
    return mark + name.replace("\\", "\\\\").replace(mark, "\\" + mark) + mark


def _describe(kind: str) -> str:
    return {"NOT": "negation", "AND": "conjunction", "OR": "disjunction", "XOR": "exclusive or",
            "IMP": "implication", "IFF": "equivalence", "ALL": "the universal quantifier",
            "EXISTS": "the existential quantifier", "EQ": "equality", "NEQ": "inequality"}.get(kind, kind)


_PROVER9_VARIABLE = re.compile(r"[u-z][0-9]*")


@lru_cache(maxsize=65536)
def _prover9_variable(name: str) -> bool:
    return _PROVER9_VARIABLE.fullmatch(name) is not None


@lru_cache(maxsize=None)
def lexer_for(syntax: str, lenient: bool = False) -> Syntax:
    """The token table of ``syntax`` ("nltk", "folio" or "tptp"), strict or lenient."""
    if syntax == "nltk":
        ops = {**_NLTK_OPS, **(_NLTK_LENIENT_OPS if lenient else {})}
        words = {**_NLTK_WORDS, **(_NLTK_LENIENT_WORDS if lenient else {})}
        return Syntax("nltk", lenient, ops, words, r"\w+", frozenset(_NLTK_OPS), True, True,
                      lenient, lenient, _prover9_variable)
    if syntax == "folio":
        ops = {**_FOLIO_OPS, **(_FOLIO_LENIENT_OPS if lenient else {})}
        # FOLIO names may hold '-', '+', '’', '.' (gpt-3, c++): everything but operators and brackets
        name = r"\w[^\s\x00-\x1f\x7f(),¬∧∨⊕→↔⟷⇒⇔∀∃=≠^~&|!<>\[\]:]*"
        return Syntax("folio", lenient, ops, {}, name, frozenset(_FOLIO_OPS), False, False,
                      True, True, _prover9_variable)
    if syntax == "tptp":
        return Syntax("tptp", lenient, dict(_TPTP_OPS), {}, r"[A-Za-z][\w]*|\$\w+", frozenset(_TPTP_OPS),
                      False, False, lenient, lenient, lambda n: n[:1].isupper())
    raise FormulaSyntaxError(f"unknown formula syntax {syntax!r}; known: folio, nltk, tptp")


def _alternatives(syntax: str, lenient: bool) -> str:
    """The lexer's token patterns, in the order they are tried, as one alternation of named groups."""
    spec = lexer_for(syntax, lenient)
    ops = "|".join(re.escape(o) + ("(?![A-Za-z])" if o[0] == "\\" else "")  # a LaTeX command: the whole word
                   for o in sorted(spec.ops, key=len, reverse=True))
    # 'quoted' names in every syntax (TPTP's single-quoted atoms; linc's writers quote names that would
    # otherwise read as keywords or variables); never right after a letter, so "bob's" stays a name
    quoted = r"(?P<QUOTED>(?<![\w'])'(?:[^'\\]|\\.)+')|"
    if syntax == "tptp":
        quoted += r'(?P<DISTINCT>"(?:[^"\\]|\\.)+")|'
    punct = "".join(re.escape(p) for p in _PUNCT)
    # names first (most tokens are names): a name starts with a letter, a digit, '_' or '$', which
    # nothing else does, so which pattern matches where does not depend on the order but for BAD
    return rf"(?P<NAME>{spec.name_pattern})|(?P<PUNCT>[{punct}])|{quoted}(?P<OP>{ops})|(?P<BAD>.)"


@lru_cache(maxsize=None)
def _classifier(syntax: str, lenient: bool) -> re.Pattern:
    """Which token a piece holds (``fullmatch``, then ``lastgroup``)."""
    return re.compile(rf"(?:{_alternatives(syntax, lenient)})\s*", re.DOTALL)


@lru_cache(maxsize=None)
def _pieces(syntax: str, lenient: bool) -> Callable[[str, int], list[str]]:
    """``findall`` of the pieces from a position on (the white space before the first token is not
    in any): the classifier's alternatives in the same order, without names, so each piece holds the
    token the classifier finds in it. No token starts with white space (no pattern allows it, and
    ``.`` is tried last at a character that is not white space), so pieces cover the text."""
    plain = re.sub(r"\(\?P<\w+>", "(?:", _alternatives(syntax, lenient))
    return re.compile(rf"(?:{plain})\s*", re.DOTALL).findall

