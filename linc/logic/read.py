"""Readers: text in NLTK/LINC, FOLIO Unicode or TPTP syntax → Formula IR.

One precedence-climbing parser serves the three syntaxes; each syntax is a table of tokens
(:mod:`linc.logic.syntax`). Precedence, tightest first: ``=``/``≠`` (inside atoms), ``¬``,
``∧``, ``∨``/``⊕``, ``→``, ``↔``; binary connectives associate to the left.

Quantifier scope:

- ``nltk`` and ``tptp`` (strict): as NLTK and TPTP define it, the body is the next unary formula, so
  ``all x.P(x) & Q(x)`` is ``(all x.P(x)) & Q(x)``.
- ``folio`` and every lenient reading: the body is the next unary formula, unless a quantified
  variable occurs free in what follows, in which case the scope extends to the end of the enclosing
  group (a run of quantifiers, ``∀x ∀y``, is one prefix here, as ``all x y.`` is):
  ``∀x P(x) → Q(x)`` is ``∀x (P(x) → Q(x))`` while ``¬∃x (P(x)) ∧ Q(a)`` keeps its narrow
  reading. In lenient NLTK this widening is recorded as a repair.

Free names: a name not bound by a quantifier is a constant, except names shaped like Prover9's
implicit variables (``u``–``z`` optionally followed by digits; upper-case initials in TPTP), which
are free variables (and get closed universally by the provers, as Prover9 does). A name in single
quotes (``'y1950'``, ``'not'``, TPTP's ``'Mark'``) is always a constant, function or predicate,
never a variable or a keyword; it is how the writers keep such names apart.

Bounded on purpose: inputs over :data:`MAX_LENGTH` characters raise :class:`FormulaSyntaxError`,
formulas deeper than :data:`~linc.logic.formula.MAX_DEPTH` raise
:class:`~linc.errors.FormulaDepthError` (with the position), so neither a 100 kB line nor 10,000
nested parentheses can exhaust the stack.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from typing import NamedTuple

from linc.errors import FormulaDepthError, FormulaSyntaxError
from linc.logic.formula import (
    MAX_DEPTH,
    And,
    Eq,
    Exists,
    Forall,
    Formula,
    Func,
    Iff,
    Implies,
    Not,
    Or,
    Pred,
    Term,
    Var,
    Xor,
    Const,
    _assemble,
    free_vars,
    is_distinct_object,
)
from linc.logic.names import identifier
from linc.logic.syntax import BINARY, PRECEDENCE, Syntax, Tokens, lexer_for

MAX_LENGTH = 20_000

_BUILD = {"AND": And, "OR": Or, "XOR": Xor, "IMP": Implies, "IFF": Iff}
_NAMES = ("NAME", "QNAME", "DISTINCT")


class _Truth(NamedTuple):
    """TPTP's ``$true`` / ``$false`` while parsing; simplified away before any IR node is made."""

    value: bool


TOP, BOTTOM = _Truth(True), _Truth(False)
_X = Var("X")


@dataclass
class Reading:
    """A formula with the repairs the lenient reader made to get it (empty when read cleanly)."""

    formula: Formula
    repairs: list[str] = field(default_factory=list)


# Repairs that only respell what the model wrote (a name, an operator, NLTK's '.' after a
# quantifier, a closing full stop): the text has one reading and the repair finds it. The other
# repairs (a widened scope, balanced parentheses) guess at a structure the model did not write.
_RESPELLING = re.compile(r"(?:(?:premise \d+|conclusion): )?(?:read the name |read '.*' as |dropped the (?:full stop|semicolon)|added the missing '\.')")


def is_respelling(repair: str) -> bool:
    """Whether a recorded repair only respelled the text (see above), so the reading is not a guess.

    >>> is_respelling("premise 2: read 'Exists' as the existential quantifier"), is_respelling("added 1 missing closing parenthesis at the end")
    (True, False)
    """
    return _RESPELLING.match(repair) is not None


def parse(text: str, syntax: str = "nltk", lenient: bool = False) -> Formula:
    """Read one formula; raise :class:`FormulaSyntaxError` with the position if it does not read.

    >>> str(parse("all x. (Man(x) -> Mortal(x))"))
    '∀x (Man(x) → Mortal(x))'
    >>> str(parse("∀x (Dog(x) → ¬Cat(x))", syntax="folio"))
    '∀x (Dog(x) → ¬Cat(x))'
    """
    return read(text, syntax, lenient).formula


def parse_lenient(text: str, syntax: str = "nltk") -> tuple[Formula, list[str]]:
    """Read LLM output, repairing what models commonly get wrong; returns (formula, repairs)."""
    r = read(text, syntax, lenient=True)
    return r.formula, r.repairs


def read(text: str, syntax: str = "nltk", lenient: bool = False) -> Reading:
    """Read one formula and report the repairs made (only in lenient mode).

    Readings are remembered (formulas are immutable; each caller gets its own list of repairs):
    the same strings come back all the time, the gold premises shared by a story's problems, the
    premises an LLM repeats in each of its samples."""
    if not isinstance(text, str):
        raise FormulaSyntaxError(f"expected a formula string, got {type(text).__name__}")
    known = _remembered(text, syntax, lenient)
    if isinstance(known, FormulaSyntaxError):
        raise known.with_traceback(None)
    return Reading(known[0], list(known[1]))


@lru_cache(maxsize=65536)
def _remembered(text: str, syntax: str, lenient: bool) -> tuple[Formula, tuple[str, ...]] | FormulaSyntaxError:
    try:
        reading = _read(text, syntax, lenient)
    except FormulaSyntaxError as err:
        return err
    return reading.formula, tuple(reading.repairs)


def _read(text: str, syntax: str, lenient: bool) -> Reading:
    if len(text) > MAX_LENGTH:
        raise FormulaSyntaxError(f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise FormulaSyntaxError("empty formula", text, 0)
    spec = lexer_for(syntax, lenient)
    repairs: list[str] = []
    tokens = spec.tokenize(text, repairs)
    if lenient:
        if syntax != "tptp":
            _quantifier_prefixes(tokens, text, repairs)
            end = tokens.kinds[-2] if len(tokens.kinds) > 2 else ""
            if end == "DOT" or (end == "JUNK" and tokens.texts[-2] == ";"):
                repairs.append(f"dropped the {'full stop' if end == 'DOT' else 'semicolon'} at the end")
                for column in tokens:
                    del column[-2]
        _balance_parentheses(tokens, repairs)
    parser = _Parser(tokens, text, spec, repairs)
    try:
        formula = parser.parse_all()
    except FormulaDepthError as err:  # raised by the IR constructors: say where
        raise FormulaDepthError(err.depth, err.limit, text, tokens.starts[parser.i]) from None
    except RecursionError:  # a safety net only: the nesting guard normally stops far earlier
        raise FormulaSyntaxError("formula nests too deeply to read", text, 0) from None
    if isinstance(formula, _Truth):
        # a formula that is just $true or $false: ∀X (X = X) is valid (domains are non-empty)
        valid = Forall(_X, Eq(_X, _X))
        formula = valid if formula.value else Not(valid)
    return Reading(formula, repairs)


_QUANTIFIERS = ("ALL", "EXISTS")


def _quantifier_prefixes(tokens: Tokens, text: str, repairs: list[str]) -> None:
    """Read the textbook prefix ``(∀x)`` and the mathematician's ``∀x:`` as NLTK's ``∀x.``: a
    quantifier and its variables in parentheses, or followed by a colon, has no other reading.
    Several variables only with commas: ``(∀x y)`` is also ``∀x`` over the proposition ``y``."""
    kinds = tokens.kinds
    if "ALL" not in kinds and "EXISTS" not in kinds:
        return
    texts = tokens.texts
    i = 0
    while i < len(kinds):
        if kinds[i] in _QUANTIFIERS and kinds[i + 1] == "NAME":
            j = i + 2  # past the variables, "x" or "x, y"
            while kinds[j] == "COMMA" and kinds[j + 1] == "NAME":
                j += 2
            mark = kinds[j]
            opened = i > 0 and kinds[i - 1] == "LP"
            if mark == "COLON" or (mark == "RP" and opened):
                starts = tokens.starts
                first = i - 1 if mark == "RP" else i
                written = text[starts[first]:starts[j] + 1]
                names = " ".join(texts[k] for k in range(i + 1, j) if kinds[k] == "NAME")
                note = f"read {written!r} as '{texts[i]}{' ' if texts[i].isalpha() else ''}{names}.'"
                if note not in repairs:
                    repairs.append(note)
                kinds[j], texts[j] = "DOT", "."
                if mark == "RP":
                    for column in tokens:
                        del column[i - 1]
                    j -= 1
            i = j
        i += 1


def _balance_parentheses(tokens: Tokens, repairs: list[str]) -> None:
    """Add missing closing parentheses at the end, or drop surplus ones at the end: the only places
    where the fix is unambiguous. Anything else is left for the parser to report."""
    kinds = tokens.kinds
    balance = kinds.count("LP") - kinds.count("RP")
    if balance > 0:
        level = 0
        for kind in kinds:
            if kind == "LP":
                level += 1
            elif kind == "RP":
                level -= 1
                if level < 0:  # a ')' with no '(' open: not a fix at the end
                    return
        repairs.append(f"added {balance} missing closing parenthes{'is' if balance == 1 else 'es'} at the end")
        starts = tokens.starts
        kinds[-1:-1] = ["RP"] * balance
        tokens.texts[-1:-1] = [")"] * balance
        starts[-1:-1] = [starts[-1]] * balance
    elif balance < 0:
        surplus = -balance
        if kinds[-1 - surplus:-1].count("RP") != surplus:
            return
        # only when the surplus closers are trailing and the rest is balanced
        level = 0
        for kind in kinds[: -1 - surplus]:
            if kind == "LP":
                level += 1
            elif kind == "RP":
                level -= 1
                if level < 0:
                    return
        repairs.append(f"removed {surplus} surplus closing parenthes{'is' if surplus == 1 else 'es'} at the end")
        for column in tokens:
            del column[-1 - surplus:-1]


_NEST_LIMIT = 2 * MAX_DEPTH
#: The scope look-ahead reads a part again only under another set of bound variables; a text that
#: makes it do so for every token many times over is refused rather than read in exponential time.
_STEPS_PER_TOKEN = 8
_NOTHING: frozenset[str] = frozenset()
_ALWAYS = 1 << 62  # where a name not noted by _note_words may occur: anywhere
# a name made only of these can come from the text only where the text spells it as a whole word
_PLAIN_WORD = re.compile(r"[A-Za-z0-9]+")
_ARGUMENT_END = ("COMMA", "RP")
_EQUALITY = ("EQ", "NEQ")
_STOPS = frozenset((*BINARY, "ALL", "EXISTS", "EQ", "NEQ", "EOF"))  # where an argument cannot go on
_INSIDE_TERM = frozenset((*_NAMES, "LP", "RP", "COMMA"))
# what may follow a plain atom, in every syntax (where a name of several words cannot go on either)
_ATOM_ENDS = (_STOPS | frozenset(_ARGUMENT_END)) - frozenset(_EQUALITY)


class _Parser:
    """Precedence climbing over the token lists, with memoised unary parses (for the scope
    look-ahead). The hot paths (atoms and their arguments) use local names on purpose."""

    def __init__(self, tokens: Tokens, text: str, spec: Syntax, repairs: list[str]):
        self.kinds, self.texts = tokens.kinds, tokens.texts
        self.tokens = tokens
        self.text = text
        self.spec = spec
        self.repairs = repairs
        self.i = 0
        self.bound: list[str] = []
        self.nesting = 0
        # only the scope look-ahead reads a part twice, and only a part after the point where the
        # first look-ahead started: until then there is nothing to remember (most formulas)
        self.memo: dict[tuple[int, frozenset[str]], tuple[Formula, int]] | None = None
        self.words: dict[str, int] = {}  # each plain word of the text: where it last occurs
        self.steps = 0  # parses made while the memo is on, against _STEPS_PER_TOKEN
        self.tptp = spec.name == "tptp"
        self.clean = spec.name == "folio"  # FOLIO's names may hold characters an identifier cannot
        self.named = _NAMED[spec.name]
        self.wrapped = False  # inside a TPTP ``fof(name, role, ...)`` wrapper
        # the variables of the quantifiers right before token ``prefix_at`` (a quantifier that is
        # their body): ``∀x ∀y`` is one prefix, as ``all x y.`` is, and its scope widens as one
        self.prefix: list[str] = []
        self.prefix_at = -1

    # ------------------------------------------------------------ helpers

    def fail(self, message: str, at: int | None = None) -> FormulaSyntaxError:
        """The error ``message`` at token ``at`` (the current token by default)."""
        return FormulaSyntaxError(message, self.text, self.tokens.starts[self.i if at is None else at])

    def expect(self, kind: str, what: str) -> str:
        i = self.i
        if self.kinds[i] != kind:
            found = "the end of the formula" if self.kinds[i] == "EOF" else repr(self.texts[i])
            raise self.fail(f"expected {what}, found {found}")
        self.i = i + 1
        return self.texts[i]

    # ------------------------------------------------------------ grammar

    def parse_all(self) -> Formula:
        if self.tptp:
            self._skip_tptp_wrapper()
        f = self.parse_rest(self.parse_unary(), 0)
        if self.tptp and self.kinds[self.i] == "RP" and self.wrapped:
            self.i += 1
            if self.kinds[self.i] == "DOT":
                self.i += 1
        if self.kinds[self.i] != "EOF":
            raise self.fail(self._unexpected_message())
        return f

    def _skip_tptp_wrapper(self) -> None:
        """Accept ``fof(name, role, formula).`` around a TPTP formula."""
        k = self.kinds
        if (
            len(k) > 6
            and k[0] == "NAME"
            and self.texts[0] in ("fof", "tff", "cnf")
            and k[1] == "LP"
            and k[3] == "COMMA"
            and k[5] == "COMMA"
        ):
            self.i = 6
            self.wrapped = True

    def _unexpected_message(self) -> str:
        kind, text = self.kinds[self.i], self.texts[self.i]
        if kind == "RP":
            return "unbalanced ')': no '(' is open here"
        if kind in ("NAME", "QNAME", "DISTINCT", "LP", "NOT", "ALL", "EXISTS"):
            return f"missing connective before {text!r}"
        if kind == "COMMA":
            return "',' is not a connective here (a comma separates arguments only)"
        return f"unexpected {text!r}"

    def parse_rest(self, left: Formula, min_prec: int) -> Formula:
        kinds = self.kinds
        while True:
            op = self.i
            kind = kinds[op]
            prec = PRECEDENCE.get(kind)
            if prec is None or prec < min_prec:
                return left
            self.i = op + 1
            if kinds[op + 1] == "EOF":
                raise self.fail(f"{self.texts[op]!r} has no right-hand side", op)
            right = self.parse_unary()
            after = PRECEDENCE.get(kinds[self.i])
            if after is not None and after > prec:  # a tighter connective: the right side goes on
                right = self.parse_rest(right, prec + 1)
            if kind in _BUILD:
                left = _connect(_BUILD[kind], left, right)
            elif kind == "RIMP":
                left = _connect(Implies, right, left)
            else:
                left = _negate(_connect(And if kind == "NAND" else Or, left, right))

    def parse_unary(self) -> Formula:
        i = self.i
        memo = self.memo
        if memo is not None:
            key = (i, self._context(i))
            known = memo.get(key)
            if known is not None:
                self.i = known[1]
                return known[0]
            self.steps += 1
            if self.steps > _STEPS_PER_TOKEN * len(self.kinds):
                raise self.fail("formula too involved to read: its quantifier scopes are read over and "
                                "over (add parentheses around each quantifier's scope)", i)
        kind = self.kinds[i]
        # bound the reader's own recursion (groups, negations, quantifiers, nested terms): twice
        # MAX_DEPTH, as linc's writers spend up to two groups on one level of the IR
        self.nesting += 1
        if self.nesting > _NEST_LIMIT:
            raise FormulaDepthError(self.nesting, _NEST_LIMIT, self.text, self.tokens.starts[i])
        # one frame per level of negation or grouping: the dispatch is inline on purpose
        if kind == "NAME":
            f = self._plain_atom(i) or self.parse_atom()
        elif kind in _NAMES or kind == "JUNK":
            f = self.parse_atom()
        elif kind == "NOT":
            self.i = i + 1
            f = _negate(self.parse_unary())
        elif kind == "ALL" or kind == "EXISTS":
            f = self.parse_quantifier()
        elif kind == "LP":
            self.i = i + 1
            f = self.parse_rest(self.parse_unary(), 0)
            if self.kinds[self.i] != "RP":
                if self.kinds[self.i] == "EOF":
                    raise self.fail("unbalanced '(': it is never closed", i)
                raise self.fail(self._unexpected_message())
            self.i += 1
        elif kind == "EOF":
            raise self.fail("formula ends where a formula was expected")
        else:
            raise self.fail(f"expected a formula, found {self.texts[i]!r}")
        self.nesting -= 1
        if memo is not None:
            memo[key] = (f, self.i)
        return f

    def _context(self, i: int) -> frozenset[str]:
        """What of the bound variables can matter to a reading from token ``i`` on: those whose name
        may still occur there. A plain word that does not occur after ``i`` cannot (any other name
        counts, as a name of several words or a cleaned FOLIO name may become it). Keying the memo
        on these, not on every bound variable, lets a part read under one quantifier's look-ahead
        serve the reading without it: ``∀x0 P(x0) → ∀x1 P(x1) → ...`` costs linear time, not 2^n."""
        bound = self.bound
        if not bound:
            return _NOTHING
        start, words = self.tokens.starts[i], self.words
        return frozenset(n for n in bound if words.get(n, _ALWAYS) > start)

    def _note_words(self) -> None:
        """Fill :attr:`words`: each plain word of the text, and each name token as read, with the
        end of its last occurrence (a plain word spans a token only if the token spans it)."""
        words = self.words
        for m in _PLAIN_WORD.finditer(self.text):
            words[m.group()] = m.end()
        starts = self.tokens.starts
        for k, (kind, text) in enumerate(zip(self.kinds, self.texts)):
            if kind == "NAME":
                end = starts[k] + 1
                for name in (text, _clean_name(text)) if self.clean else (text,):
                    if words.get(name, 0) < end:
                        words[name] = end

    def _plain_atom(self, i: int) -> Pred | None:
        """The usual atom, ``P(a, x, ...)`` with plain names as arguments, ended by what ends a
        formula: what :meth:`parse_atom` reads there, without its general cases (names of several
        words, nested terms, equality, TPTP's defined symbols). None for anything else."""
        kinds, texts = self.kinds, self.texts
        if kinds[i + 1] != "LP" or self.nesting >= _NEST_LIMIT:
            return None
        j = i + 2  # the last argument
        while kinds[j] == "NAME" and kinds[j + 1] == "COMMA":
            j += 2
        if kinds[j] != "NAME" or kinds[j + 1] != "RP":
            return None
        after = kinds[j + 2]
        if after not in _ATOM_ENDS and (after in _EQUALITY or self.spec.join_names):
            return None  # an equation, or maybe one name of several words: parse_atom decides
        if self.tptp and any(texts[k][0] == "$" for k in range(i, j + 1, 2)):
            return None  # only TPTP's names may start with '$'
        self.i = j + 2
        if j == i + 2:
            args = (self._term(texts[j]),)
        else:
            args = tuple([self._term(texts[k]) for k in range(i + 2, j + 1, 2)])
        return _atom(_clean_name(texts[i]) if self.clean else texts[i], args)

    def parse_quantifier(self) -> Formula:
        q = self.i
        kinds, qtext = self.kinds, self.texts[q]
        self.i += 1
        names: list[str] = []
        if self.tptp:
            self.expect("LB", "'[' after the quantifier")
            while True:
                names.append(self.expect("NAME", "a variable"))
                if kinds[self.i] != "COMMA":
                    break
                self.i += 1
            self.expect("RB", "']' closing the variable list")
            self.expect("COLON", "':' after the variable list")
        else:
            names.append(self.expect("NAME", f"a variable after {qtext!r}"))
            while self.spec.multi_vars:
                i = self.i
                if kinds[i] == "COMMA" and self.spec.lenient and kinds[i + 1] == "NAME":
                    self.i += 1
                elif not (kinds[i] == "NAME" and kinds[i + 1] in ("NAME", "DOT", "COMMA")):
                    break
                names.append(self.expect("NAME", "a variable"))
            if kinds[self.i] == "DOT":
                self.i += 1
            elif self.spec.quantifier_dot and qtext.isalpha():
                if not self.spec.lenient:
                    raise self.fail(f"expected '.' after '{qtext} {' '.join(names)}'")
                self.repairs.append(f"added the missing '.' after '{qtext} {' '.join(names)}'")
        bound = self.bound
        bound.extend(names)
        prefix = self.prefix + names if self.prefix_at == q else names
        if kinds[self.i] == "ALL" or kinds[self.i] == "EXISTS":
            self.prefix, self.prefix_at = prefix, self.i
        try:
            body = self.parse_unary()
            if self.spec.smart_scope and kinds[self.i] in BINARY:
                body = self._maybe_widen(body, names, q, prefix)
        finally:
            del bound[-len(names):]
        if isinstance(body, _Truth):  # ∀x ⊤ is ⊤ and ∃x ⊥ is ⊥: domains are non-empty
            return body
        cls = Forall if kinds[q] == "ALL" else Exists
        for name in reversed(names):
            body = _assemble(cls, _variable(name), body)
        return body

    def _maybe_widen(self, body: Formula, names: list[str], q: int, prefix: list[str]) -> Formula:
        """Extend the scope of the quantifier at ``q`` (over ``names``) over the rest of the group
        when a variable of its ``prefix`` (its own and those of the quantifiers right before it)
        occurs free there."""
        save = self.i
        if self.memo is None:
            self.memo = {}
            self._note_words()
        placeholder = Pred("\x00scope", ())
        wide = self.parse_rest(placeholder, 0)
        if isinstance(wide, _Truth) or not {Var(n) for n in prefix} & free_vars(wide):
            self.i = save
            return body
        if self.spec.name != "folio":
            self.repairs.append(
                f"widened the scope of '{self.texts[q]} {' '.join(names)}' to cover "
                f"{self.text[self.tokens.starts[save]:self.tokens.starts[self.i]].strip()!r}"
            )
        return _replace_placeholder(wide, placeholder, body)

    def parse_atom(self) -> Formula:
        i = self.i
        kinds = self.kinds
        kind, text = kinds[i], self.texts[i]
        if kind == "NAME" and text.startswith("$"):  # TPTP defined symbols
            if text in ("$true", "$false") and kinds[i + 1] not in ("LP", "EQ", "NEQ"):
                self.i += 1
                return TOP if text == "$true" else BOTTOM
            raise self.fail(f"{text!r}: of TPTP's defined symbols linc reads only $true and $false")
        if kind == "DISTINCT" and kinds[i + 1] not in _EQUALITY:
            raise self.fail(f"{text} is a distinct object, a term: it cannot stand as a formula")
        left = self.parse_term(formula_position=True)
        if kinds[self.i] in _EQUALITY:
            op = kinds[self.i]
            self.i += 1
            right = self.parse_term()
            eq = Eq(_as_term(left), right)
            return Not(eq) if op == "NEQ" else eq
        cls = type(left)
        if cls is Pred:
            return left
        if cls is Func:
            return _atom(left.name, left.args)
        if cls is Const or cls is Var:
            return _atom(left.name, ())
        raise self.fail("expected a formula", i)

    def parse_term(self, formula_position: bool = False) -> Term | Pred:
        start = i = self.i
        kinds, texts = self.kinds, self.texts
        kind = kinds[i]
        if self.spec.join_names and not (kind in _NAMES and kinds[i + 1] in _ARGUMENT_END):  # not a one-token argument
            end = self._term_span_end()
            if end is not None and not self._clean_term(end) and self._one_name(end):
                raw = self.text[self.tokens.starts[i] : self.tokens.starts[end]]
                name = identifier(raw)
                if self.spec.lenient:
                    self.repairs.append(f"read the name {raw.strip()!r} as {name!r}")
                self.i = end
                return self._name_term(name)
        text = texts[i]
        if kind not in _NAMES:
            raise self.fail(f"expected a name, found {text!r}" if kind != "EOF" else "formula ends where a name was expected")
        if kind == "NAME" and text.startswith("$"):
            raise self.fail(f"{text!r} is not a term")
        self.i = i = i + 1
        if kind == "DISTINCT":
            if kinds[i] == "LP":
                raise self.fail(f"{text} is a distinct object: it takes no arguments", start)
            return _constant(text)
        name = _clean_name(text) if kind == "NAME" and self.clean else text
        if kinds[i] == "LP":
            self.i = i = i + 1
            if kinds[i] == "RP":
                raise self.fail(f"{name}() has no arguments")
            self.nesting += 1  # as parse_unary counts it
            if self.nesting > _NEST_LIMIT:
                raise FormulaDepthError(self.nesting, _NEST_LIMIT, self.text, self.tokens.starts[i])
            args: list[Term] = []
            while True:
                i = self.i
                kind = kinds[i]
                if kind == "NAME" and kinds[i + 1] in _ARGUMENT_END and not texts[i].startswith("$"):
                    # the usual argument, a plain name: what parse_term would do, without the call
                    self.i = i = i + 1
                    args.append(self._term(texts[i - 1]))
                else:
                    args.append(_as_term(self.parse_term()))
                    i = self.i
                kind = kinds[i]
                if kind == "COMMA":
                    self.i = i + 1
                    continue
                if kind != "RP":
                    if kind == "EOF":
                        raise self.fail(f"unbalanced '(': the arguments of {name} are never closed", start)
                    raise self.fail(f"expected ',' or ')' in the arguments of {name}, found {texts[i]!r}")
                self.i = i + 1
                break
            self.nesting -= 1
            if formula_position and kinds[self.i] not in _EQUALITY:
                return _atom(name, tuple(args))
            return Func(name, tuple(args))
        if kind == "QNAME":
            as_term = not formula_position or kinds[i] in _EQUALITY
            if self.tptp and as_term and is_distinct_object(name):
                raise self.fail(f"{text!r} would read as the distinct object {name}; write {name} itself", start)
            return _constant(name)
        return self._term(text)

    def _term(self, token: str) -> Term:
        """What the name token ``token`` reads as here, a variable or a constant: looked up, as its
        reading outside any quantifier depends on the syntax alone (see :data:`_NAMED`)."""
        known = self.named.get(token)
        if known is None:
            name = _clean_name(token) if self.clean else token
            known = (name, self._unbound(name))
            if len(self.named) >= _MADE_LIMIT:
                self.named.clear()
            self.named[token] = known
        term = known[1]
        if term.__class__ is Const and known[0] in self.bound:
            return _variable(known[0])
        return term

    def _name_term(self, name: str) -> Term:
        return _variable(name) if name in self.bound else self._unbound(name)

    def _unbound(self, name: str) -> Term:
        """``name`` where no quantifier binds it: a free variable if shaped like one, else a constant."""
        return _variable(name) if self.spec.is_free_variable(name) else _constant(name)

    def _term_span_end(self) -> int | None:
        """Index of the token ending the current argument (',' or ')' at depth 0), if in one."""
        kinds = self.kinds
        j = start = self.i
        level = 0
        while True:
            k = kinds[j]
            if k == "LP":
                level += 1
            elif k == "RP":
                if level == 0:
                    return j
                level -= 1
            elif k == "COMMA":
                if level == 0:
                    return j
            elif k in _STOPS or (k == "NOT" and j == start):
                return None
            j += 1

    def _one_name(self, end: int) -> bool:
        """Can tokens[i:end] be one name of several words? Not when an argument list closes
        before its end: what follows a complete application is a connective or a comma, never
        more of a name (in ``P(x) ⇝ Q(x)`` the arrow is an unknown connective, to be reported,
        not a name ``P_x_Q_x`` to be made up)."""
        span = self.kinds[self.i : end]
        if "RP" not in span:
            return True
        first = span.index("RP")
        return span.count("RP") == len(span) - first

    def _clean_term(self, end: int) -> bool:
        """Is tokens[i:end] a plain name or an application with balanced arguments?"""
        kinds = self.kinds[self.i : end]
        if not kinds or kinds[0] not in _NAMES:
            return not kinds
        if len(kinds) == 1:
            return True
        return kinds[1] == "LP" and kinds[-1] == "RP" and _INSIDE_TERM.issuperset(kinds)


# Terms and atoms are shared between readings (formulas are immutable): a name read again is not
# made again, and its hash, once computed, serves every formula that holds it.
_MADE: dict[tuple, Term | Pred] = {}
_MADE_LIMIT = 1 << 16
#: Per syntax, what a name token reads as when no quantifier binds it: (its IR name, its variable if
#: shaped like a free variable, else its constant). Bounded as _MADE is.
_NAMED: dict[str, dict[str, tuple[str, Term]]] = {"nltk": {}, "folio": {}, "tptp": {}}


def _variable(name: str) -> Var:
    made = _MADE.get(("v", name))
    if made is None:
        made = _keep(("v", name), Var(name))
    return made


def _constant(name: str) -> Const:
    made = _MADE.get(("c", name))
    if made is None:
        made = _keep(("c", name), Const(name))
    return made


def _atom(name: str, args: tuple[Term, ...]) -> Pred:
    made = _MADE.get((name, args))
    if made is None:
        made = _keep((name, args), _assemble(Pred, name, args))
    return made


def _keep(key: tuple, made: Term | Pred) -> Term | Pred:
    if len(_MADE) >= _MADE_LIMIT:  # bounded: start afresh rather than grow
        _MADE.clear()
    _MADE[key] = made
    return made


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def _clean_name(raw: str) -> str:
    """A FOLIO name as an identifier (``gpt-3`` is ``gpt_3``)."""
    return raw if _WORD.fullmatch(raw) else identifier(raw)


def _as_term(t: Term | Pred) -> Term:
    if isinstance(t, Pred):
        return Func(t.name, t.args) if t.args else Const(t.name)
    return t


def _replace_placeholder(f: Formula, placeholder: Pred, body: Formula) -> Formula:
    """Put ``body`` where the scope look-ahead left its placeholder (the leftmost leaf)."""
    if f == placeholder:
        return body
    if isinstance(f, Not):  # what a NAND / NOR around the placeholder left
        return _negate(_replace_placeholder(f.body, placeholder, body))
    if isinstance(f, (And, Or, Xor, Implies, Iff)):
        return _connect(type(f), _replace_placeholder(f.left, placeholder, body), f.right)
    return f


def _negate(f: Formula | _Truth) -> Formula | _Truth:
    return _Truth(not f.value) if isinstance(f, _Truth) else Not(f)


def _connect(cls: type, left: Formula | _Truth, right: Formula | _Truth) -> Formula | _Truth:
    """``cls(left, right)`` with TPTP's ``$true`` / ``$false`` simplified away (exact equivalences)."""
    if type(left) is not _Truth and type(right) is not _Truth:  # all but TPTP's constants
        return _assemble(cls, left, right)
    if isinstance(left, _Truth) and cls is not Implies:
        left, right = right, left  # the other connectives are symmetric: put the constant right
    if isinstance(left, _Truth):  # only Implies gets here: ⊤ → B is B, ⊥ → B is ⊤
        return right if left.value else TOP
    if not isinstance(right, _Truth):
        return cls(left, right)
    if cls is And:
        return left if right.value else BOTTOM
    if cls is Or:
        return TOP if right.value else left
    if cls is Implies:
        return TOP if right.value else _negate(left)
    if cls is Iff:
        return left if right.value else _negate(left)
    return _negate(left) if right.value else left  # Xor


__all__ = ["Reading", "parse", "parse_lenient", "read", "MAX_LENGTH"]
