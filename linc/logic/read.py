"""Readers: text in NLTK/LINC, FOLIO Unicode or TPTP syntax → Formula IR.

One precedence-climbing parser serves the three syntaxes; each syntax is a table of tokens
(:mod:`linc.logic.syntax`). Precedence, tightest first: ``=``/``≠`` (inside atoms), ``¬``,
``∧``, ``∨``/``⊕``, ``→``, ``↔``; binary connectives associate to the left.

Quantifier scope:

- ``nltk`` and ``tptp`` (strict): as NLTK and TPTP define it, the body is the next unary formula, so
  ``all x.P(x) & Q(x)`` is ``(all x.P(x)) & Q(x)``.
- ``folio`` and every lenient reading: the body is the next unary formula, unless a quantified
  variable occurs free in what follows, in which case the scope extends to the end of the enclosing
  group: ``∀x P(x) → Q(x)`` is ``∀x (P(x) → Q(x))`` while ``¬∃x (P(x)) ∧ Q(a)`` keeps its narrow
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
    free_vars,
    is_distinct_object,
)
from linc.logic.names import identifier
from linc.logic.syntax import BINARY, PRECEDENCE, Syntax, Token, lexer_for

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
_RESPELLING = re.compile(r"(?:(?:premise \d+|conclusion): )?(?:read the name |read '.*' as |dropped the full stop|added the missing '\.')")


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
        if len(tokens) > 2 and tokens[-2].kind == "DOT" and syntax != "tptp":
            repairs.append("dropped the full stop at the end")
            tokens = tokens[:-2] + tokens[-1:]
        tokens = _balance_parentheses(tokens, text, repairs)
    parser = _Parser(tokens, text, spec, repairs)
    try:
        formula = parser.parse_all()
    except FormulaDepthError as err:  # raised by the IR constructors: say where
        raise FormulaDepthError(err.depth, err.limit, text, parser.tok.pos) from None
    except RecursionError:  # a safety net only: the nesting guard normally stops far earlier
        raise FormulaSyntaxError("formula nests too deeply to read", text, 0) from None
    if isinstance(formula, _Truth):
        # a formula that is just $true or $false: ∀X (X = X) is valid (domains are non-empty)
        valid = Forall(_X, Eq(_X, _X))
        formula = valid if formula.value else Not(valid)
    return Reading(formula, repairs)


def _balance_parentheses(tokens: list[Token], text: str, repairs: list[str]) -> list[Token]:
    """Add missing closing parentheses at the end, or drop surplus ones at the end: the only places
    where the fix is unambiguous. Anything else is left for the parser to report."""
    balance, lowest = 0, 0
    for t in tokens:
        balance += t.kind == "LP"
        balance -= t.kind == "RP"
        lowest = min(lowest, balance)
    if balance > 0 and lowest >= 0:
        eof = tokens[-1]
        repairs.append(f"added {balance} missing closing parenthes{'is' if balance == 1 else 'es'} at the end")
        return tokens[:-1] + [Token("RP", ")", eof.pos)] * balance + [eof]
    if balance < 0:
        surplus = -balance
        tail = tokens[-1 - surplus:-1]
        if all(t.kind == "RP" for t in tail):
            # only when the surplus closers are trailing and the rest is balanced
            trimmed = tokens[: -1 - surplus] + [tokens[-1]]
            depth_now, ok = 0, True
            for t in trimmed:
                depth_now += (t.kind == "LP") - (t.kind == "RP")
                ok &= depth_now >= 0
            if ok and depth_now == 0:
                repairs.append(f"removed {surplus} surplus closing parenthes{'is' if surplus == 1 else 'es'} at the end")
                return trimmed
    return tokens


class _Parser:
    """Precedence climbing over a token list, with memoised unary parses (for the scope look-ahead)."""

    def __init__(self, tokens: list[Token], text: str, spec: Syntax, repairs: list[str]):
        self.tokens = tokens
        self.text = text
        self.spec = spec
        self.repairs = repairs
        self.i = 0
        self.bound: list[str] = []
        self.nesting = 0
        self.memo: dict[tuple[int, tuple[str, ...]], tuple[Formula, int]] = {}
        self.wrapped = False  # inside a TPTP ``fof(name, role, ...)`` wrapper

    # ------------------------------------------------------------ helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, message: str, token: Token | None = None) -> FormulaSyntaxError:
        token = token or self.tok
        return FormulaSyntaxError(message, self.text, token.pos)

    def expect(self, kind: str, what: str) -> Token:
        if self.tok.kind != kind:
            found = "the end of the formula" if self.tok.kind == "EOF" else repr(self.tok.text)
            raise self.fail(f"expected {what}, found {found}")
        t = self.tok
        self.i += 1
        return t

    # ------------------------------------------------------------ grammar

    def parse_all(self) -> Formula:
        if self.spec.name == "tptp":
            self._skip_tptp_wrapper()
        f = self.parse_rest(self.parse_unary(), 0)
        if self.spec.name == "tptp" and self.tok.kind == "RP" and self.wrapped:
            self.i += 1
            if self.tok.kind == "DOT":
                self.i += 1
        if self.tok.kind != "EOF":
            raise self.fail(self._unexpected_message())
        return f

    def _skip_tptp_wrapper(self) -> None:
        """Accept ``fof(name, role, formula).`` around a TPTP formula."""
        t = self.tokens
        if (
            len(t) > 6
            and t[0].kind == "NAME"
            and t[0].text in ("fof", "tff", "cnf")
            and t[1].kind == "LP"
            and t[3].kind == "COMMA"
            and t[5].kind == "COMMA"
        ):
            self.i = 6
            self.wrapped = True

    def _unexpected_message(self) -> str:
        t = self.tok
        if t.kind == "RP":
            return "unbalanced ')': no '(' is open here"
        if t.kind in ("NAME", "QNAME", "DISTINCT", "LP", "NOT", "ALL", "EXISTS"):
            return f"missing connective before {t.text!r}"
        if t.kind == "COMMA":
            return "',' is not a connective here (a comma separates arguments only)"
        return f"unexpected {t.text!r}"

    def parse_rest(self, left: Formula, min_prec: int) -> Formula:
        while self.tok.kind in BINARY and PRECEDENCE[self.tok.kind] >= min_prec:
            op = self.tok
            self.i += 1
            prec = PRECEDENCE[op.kind]
            if self.tok.kind == "EOF":
                raise self.fail(f"{op.text!r} has no right-hand side", op)
            right = self.parse_rest(self.parse_unary(), prec + 1)
            left = self._combine(op, left, right)
        return left

    def _combine(self, op: Token, left: Formula, right: Formula) -> Formula:
        if op.kind == "RIMP":
            return _connect(Implies, right, left)
        if op.kind == "NAND":
            return _negate(_connect(And, left, right))
        if op.kind == "NOR":
            return _negate(_connect(Or, left, right))
        return _connect(_BUILD[op.kind], left, right)

    def parse_unary(self) -> Formula:
        key = (self.i, tuple(self.bound))
        if key in self.memo:
            f, self.i = self.memo[key]
            return f
        start, t = self.i, self.tok
        self._enter()
        # one frame per level of negation or grouping: the dispatch is inline on purpose
        if t.kind == "NOT":
            self.i += 1
            f = _negate(self.parse_unary())
        elif t.kind in ("ALL", "EXISTS"):
            f = self.parse_quantifier()
        elif t.kind == "LP":
            self.i += 1
            f = self.parse_rest(self.parse_unary(), 0)
            if self.tok.kind != "RP":
                if self.tok.kind == "EOF":
                    raise self.fail("unbalanced '(': it is never closed", t)
                raise self.fail(self._unexpected_message())
            self.i += 1
        elif t.kind in _NAMES or t.kind == "JUNK":
            f = self.parse_atom()
        elif t.kind == "EOF":
            raise self.fail("formula ends where a formula was expected")
        else:
            raise self.fail(f"expected a formula, found {t.text!r}")
        self.nesting -= 1
        self.memo[(start, key[1])] = (f, self.i)
        return f

    def _enter(self) -> None:
        """Bound the reader's own recursion (groups, negations, quantifiers, nested terms): twice
        :data:`MAX_DEPTH`, as linc's writers spend up to two groups on one level of the IR."""
        self.nesting += 1
        if self.nesting > 2 * MAX_DEPTH:
            raise FormulaDepthError(self.nesting, 2 * MAX_DEPTH, self.text, self.tok.pos)

    def parse_quantifier(self) -> Formula:
        q = self.tok
        self.i += 1
        names: list[str] = []
        if self.spec.name == "tptp":
            self.expect("LB", "'[' after the quantifier")
            while True:
                names.append(self.expect("NAME", "a variable").text)
                if self.tok.kind != "COMMA":
                    break
                self.i += 1
            self.expect("RB", "']' closing the variable list")
            self.expect("COLON", "':' after the variable list")
        else:
            names.append(self.expect("NAME", f"a variable after {q.text!r}").text)
            while self.spec.multi_vars:
                if self.tok.kind == "COMMA" and self.spec.lenient and self.tokens[self.i + 1].kind == "NAME":
                    self.i += 1
                elif not (self.tok.kind == "NAME" and self.tokens[self.i + 1].kind in ("NAME", "DOT", "COMMA")):
                    break
                names.append(self.expect("NAME", "a variable").text)
            if not names:
                raise self.fail(f"{q.text!r} must be followed by a variable")
            if self.tok.kind == "DOT":
                self.i += 1
            elif self.spec.quantifier_dot and q.text.isalpha():
                if not self.spec.lenient:
                    raise self.fail(f"expected '.' after '{q.text} {' '.join(names)}'")
                self.repairs.append(f"added the missing '.' after '{q.text} {' '.join(names)}'")
        self.bound.extend(names)
        try:
            body = self.parse_unary()
            if self.spec.smart_scope and self.tok.kind in BINARY:
                body = self._maybe_widen(body, names, q)
        finally:
            del self.bound[-len(names):]
        if isinstance(body, _Truth):  # ∀x ⊤ is ⊤ and ∃x ⊥ is ⊥: domains are non-empty
            return body
        cls = Forall if q.kind == "ALL" else Exists
        for name in reversed(names):
            body = cls(Var(name), body)
        return body

    def _maybe_widen(self, body: Formula, names: list[str], q: Token) -> Formula:
        """Extend the scope over the rest of the group when a quantified variable occurs free there."""
        save = self.i
        placeholder = Pred("\x00scope", ())
        wide = self.parse_rest(placeholder, 0)
        if isinstance(wide, _Truth) or not {Var(n) for n in names} & free_vars(wide):
            self.i = save
            return body
        if self.spec.name != "folio":
            self.repairs.append(
                f"widened the scope of '{q.text} {' '.join(names)}' to cover "
                f"{self.text[self.tokens[save].pos:self.tok.pos].strip()!r}"
            )
        return _replace_placeholder(wide, placeholder, body)

    def parse_atom(self) -> Formula:
        start = self.tok
        if start.kind == "NAME" and start.text.startswith("$"):  # TPTP defined symbols
            if start.text in ("$true", "$false") and self.tokens[self.i + 1].kind not in ("LP", "EQ", "NEQ"):
                self.i += 1
                return TOP if start.text == "$true" else BOTTOM
            raise self.fail(f"{start.text!r}: of TPTP's defined symbols linc reads only $true and $false")
        if start.kind == "DISTINCT" and self.tokens[self.i + 1].kind not in ("EQ", "NEQ"):
            raise self.fail(f"{start.text} is a distinct object, a term: it cannot stand as a formula")
        left = self.parse_term(formula_position=True)
        if self.tok.kind in ("EQ", "NEQ"):
            op = self.tok
            self.i += 1
            right = self.parse_term()
            eq = Eq(_as_term(left), right)
            return Not(eq) if op.kind == "NEQ" else eq
        if isinstance(left, Pred):
            return left
        if isinstance(left, Func):
            return Pred(left.name, left.args)
        if isinstance(left, Const) or isinstance(left, Var):
            return Pred(left.name, ())
        raise self.fail("expected a formula", start)

    def parse_term(self, formula_position: bool = False) -> Term | Pred:
        start = self.tok
        plain = start.kind in _NAMES and self.tokens[self.i + 1].kind in ("COMMA", "RP")  # a one-token argument
        span_end = self._term_span_end() if self.spec.join_names and not plain else None
        if span_end is not None and not self._clean_term(span_end):
            raw = self.text[start.pos : self.tokens[span_end].pos]
            name = identifier(raw)
            if self.spec.lenient:
                self.repairs.append(f"read the name {raw.strip()!r} as {name!r}")
            self.i = span_end
            return self._name_term(name)
        if start.kind not in _NAMES:
            raise self.fail(f"expected a name, found {start.text!r}" if start.kind != "EOF" else "formula ends where a name was expected")
        if start.text.startswith("$") and start.kind == "NAME":
            raise self.fail(f"{start.text!r} is not a term")
        self.i += 1
        if start.kind == "DISTINCT":
            if self.tok.kind == "LP":
                raise self.fail(f"{start.text} is a distinct object: it takes no arguments", start)
            return Const(start.text)
        name = start.text if start.kind == "QNAME" else self._clean_name(start.text)
        if self.tok.kind == "LP":
            self.i += 1
            args: list[Term] = []
            if self.tok.kind == "RP":
                raise self.fail(f"{name}() has no arguments")
            self._enter()
            while True:
                args.append(_as_term(self.parse_term()))
                if self.tok.kind == "COMMA":
                    self.i += 1
                    continue
                if self.tok.kind != "RP":
                    if self.tok.kind == "EOF":
                        raise self.fail(f"unbalanced '(': the arguments of {name} are never closed", start)
                    raise self.fail(f"expected ',' or ')' in the arguments of {name}, found {self.tok.text!r}")
                self.i += 1
                break
            self.nesting -= 1
            if formula_position and self.tok.kind not in ("EQ", "NEQ"):
                return Pred(name, tuple(args))
            return Func(name, tuple(args))
        if start.kind == "QNAME":
            as_term = not formula_position or self.tok.kind in ("EQ", "NEQ")
            if self.spec.name == "tptp" and as_term and is_distinct_object(name):
                raise self.fail(f"{start.text!r} would read as the distinct object {name}; write {name} itself", start)
            return Const(name)
        return self._name_term(name)

    def _name_term(self, name: str) -> Term:
        if name in self.bound or self.spec.is_free_variable(name):
            return Var(name)
        return Const(name)

    def _clean_name(self, raw: str) -> str:
        return raw if self.spec.clean_name.fullmatch(raw) else identifier(raw)

    def _term_span_end(self) -> int | None:
        """Index of the token ending the current argument (',' or ')' at depth 0), if in one."""
        j, level = self.i, 0
        while True:
            k = self.tokens[j].kind
            if k == "EOF":
                return None
            if k == "LP":
                level += 1
            elif k == "RP":
                if level == 0:
                    return j
                level -= 1
            elif k == "COMMA" and level == 0:
                return j
            elif k in BINARY or k in ("ALL", "EXISTS", "EQ", "NEQ") or (k == "NOT" and j == self.i):
                return None
            j += 1

    def _clean_term(self, end: int) -> bool:
        """Is tokens[i:end] a plain name or an application with balanced arguments?"""
        toks = self.tokens[self.i : end]
        if not toks or toks[0].kind not in _NAMES:
            return not toks
        if len(toks) == 1:
            return True
        return toks[1].kind == "LP" and toks[-1].kind == "RP" and all(t.kind in (*_NAMES, "LP", "RP", "COMMA") for t in toks)


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
