"""Signatures: which symbols a problem uses, with which arities, and repairs of clashes.

LLMs often use one name in two roles (``Breakingbad`` as a constant and ``Breakingbad(x)`` as a
predicate, or ``Likes(x)`` beside ``Likes(x, y)``). Prover9 rejects such input, which LINC counts as
an ``Error`` vote. :func:`check_signature` reports clashes; :func:`repair_signature` renames the
minority uses apart and says what it renamed.

>>> from linc.logic.read import parse
>>> fs = [parse("Show(Breakingbad)"), parse("all x.(Breakingbad(x) -> Good(x))")]
>>> [str(f) for f in repair_signature(fs)[0]]
['Show(breakingbad)', '∀x (Breakingbad(x) → Good(x))']
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, NamedTuple

from linc.errors import SignatureError
from linc.logic.formula import (
    Binary,
    Const,
    Eq,
    Exists,
    Forall,
    Formula,
    Func,
    Not,
    Pred,
    Quantifier,
    Term,
)

Symbol = tuple[str, str, int]  # (kind, name, arity); kind is "predicate", "function" or "constant"


def symbols(formulas: Iterable[Formula]) -> Counter[Symbol]:
    """Every predicate, function and constant symbol with its number of occurrences."""
    return _counts([_summary(f) for f in formulas])


def _counts(summaries: list[_Summary]) -> Counter[Symbol]:
    counts: Counter[Symbol] = Counter()
    for summary in summaries:
        for sym, n in summary[1]:
            counts[sym] += n
    return counts


class _Summary(NamedTuple):
    formula: Formula
    counts: tuple[tuple[Symbol, int], ...]  # in order of first occurrence
    roles: frozenset[Symbol]
    names: frozenset[str]


# What each formula object's symbols are: premises recur across problems and votes, and the
# readers hand out the same object for the same text. Keyed by identity, so a look-up does not
# hash the formula (a walk of all of it the first time); each entry holds its formula, so the
# identity cannot be reused while the entry lives.
_SUMMARIES: dict[int, _Summary] = {}
_SUMMARIES_LIMIT = 1 << 16


def symbol_set(f: Formula) -> frozenset[Symbol]:
    """The symbols ``f`` uses, each once (the keys of ``symbols([f])``), without counting them
    again for a formula whose summary is known (a premise checked once per problem)."""
    return _summary(f)[2]


def _summary(f: Formula) -> _Summary:
    known = _SUMMARIES.get(id(f))
    if known is not None and known[0] is f:
        return known
    counts = _symbols_of(f)
    if len(_SUMMARIES) >= _SUMMARIES_LIMIT:  # bounded: start afresh rather than grow
        _SUMMARIES.clear()
    roles = frozenset(dict(counts))
    known = _SUMMARIES[id(f)] = _Summary(f, counts, roles, frozenset(sym[1] for sym in roles))
    return known


def _symbols_of(f: Formula) -> tuple[tuple[Symbol, int], ...]:
    """One formula's symbol counts, in order of first occurrence (pre-order, each atom's terms
    after its predicate)."""
    counts: dict[Symbol, int] = {}
    stack: list = [f]
    while stack:
        g = stack.pop()
        cls = type(g)
        if cls is Pred:
            key = ("predicate", g.name, len(g.args))
            counts[key] = counts.get(key, 0) + 1
            terms = list(reversed(g.args))
        elif cls is Eq:
            terms = [g.right, g.left]
        else:
            if cls in _UNARY:
                stack.append(g.body)
            elif cls in _BINARY:
                stack.append(g.right)
                stack.append(g.left)
            continue
        while terms:  # the atom's terms and their subterms, pre-order
            t = terms.pop()
            if type(t) is Const:
                key = ("constant", t.name, 0)
            elif type(t) is Func:
                key = ("function", t.name, len(t.args))
                terms.extend(reversed(t.args))
            else:
                continue
            counts[key] = counts.get(key, 0) + 1
    return tuple(counts.items())


_UNARY = frozenset((Not, Forall, Exists))
_BINARY = frozenset(Binary)


def clashes(formulas: Iterable[Formula]) -> dict[str, list[Symbol]]:
    """Names used in more than one role (kind or arity), each with its roles, most used first."""
    return _clashes([_summary(f) for f in formulas])


def _clashes(summaries: list[_Summary]) -> dict[str, list[Symbol]]:
    roles = frozenset().union(*[s[2] for s in summaries])
    if len(frozenset().union(*[s[3] for s in summaries])) == len(roles):  # the usual case: one role a name
        return {}
    counts = _counts(summaries)
    by_name: dict[str, list[Symbol]] = {}
    for sym in counts:
        by_name.setdefault(sym[1], []).append(sym)
    return {
        name: sorted(roles, key=lambda s: (-counts[s], s[0] != "predicate", s))
        for name, roles in by_name.items()
        if len(roles) > 1
    }


def _role(sym: Symbol) -> str:
    kind, _, arity = sym
    return "a constant" if kind == "constant" else f"a {arity}-place {kind}"


def check_signature(formulas: list[Formula]) -> None:
    """Raise :class:`SignatureError` naming every symbol used in two roles."""
    found = clashes(formulas)
    if found:
        lines = [f"{name} is used as " + " and as ".join(_role(s) for s in roles) for name, roles in found.items()]
        raise SignatureError("; ".join(lines), lines)


def repair_signature(formulas: list[Formula]) -> tuple[list[Formula], list[str]]:
    """Rename all but the most used role of each clashing name; returns (formulas, repairs)."""
    summaries = [_summary(f) for f in formulas]
    found = _clashes(summaries)
    if not found:
        return list(formulas), []
    taken = set().union(*[s[3] for s in summaries])
    renames: dict[Symbol, str] = {}
    repairs: list[str] = []
    for name, roles in found.items():
        for sym in roles[1:]:
            new = _fresh_name(sym, taken)
            taken.add(new)
            renames[sym] = new
            repairs.append(f"{name} was used as {_role(roles[0])} and as {_role(sym)}: renamed the latter {new}")
    return [s[0] if renames.keys().isdisjoint(s[2]) else rename_symbols(s[0], renames) for s in summaries], repairs


def _fresh_name(sym: Symbol, taken: set[str]) -> str:
    kind, name, arity = sym
    if kind == "constant" and name[:1].isupper() and name[:1].lower() + name[1:] not in taken:
        return name[:1].lower() + name[1:]
    base = f"{name}_{'c' if kind == 'constant' else arity}"
    new, n = base, 1
    while new in taken:
        n += 1
        new = f"{base}{n}"
    return new


def rename_symbols(f: Formula, renames: dict[Symbol, str]) -> Formula:
    """``f`` with the symbols named in ``renames`` ((kind, name, arity) -> new name) renamed. Parts
    the renaming leaves as they are are kept, not rebuilt (a renaming search renames the same
    formula many ways)."""
    if isinstance(f, Pred):
        name = renames.get(("predicate", f.name, len(f.args)), f.name)
        args = tuple([_rename_term(a, renames) for a in f.args])
        return f if name == f.name and args == f.args else Pred(name, args)
    if isinstance(f, Eq):
        left, right = _rename_term(f.left, renames), _rename_term(f.right, renames)
        return f if left is f.left and right is f.right else Eq(left, right)
    if isinstance(f, Not):
        body = rename_symbols(f.body, renames)
        return f if body is f.body else Not(body)
    if isinstance(f, Binary):
        left, right = rename_symbols(f.left, renames), rename_symbols(f.right, renames)
        return f if left is f.left and right is f.right else type(f)(left, right)
    if isinstance(f, Quantifier):
        body = rename_symbols(f.body, renames)
        return f if body is f.body else type(f)(f.var, body)
    return f


def _rename_term(t: Term, renames: dict[Symbol, str]) -> Term:
    if isinstance(t, Const):
        name = renames.get(("constant", t.name, 0), t.name)
        return t if name == t.name else Const(name)
    if isinstance(t, Func):
        name = renames.get(("function", t.name, len(t.args)), t.name)
        args = tuple([_rename_term(a, renames) for a in t.args])
        return t if name == t.name and args == t.args else Func(name, args)
    return t
