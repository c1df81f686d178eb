"""A JSON encoding of the Formula IR, so a stored fact rebuilds exactly, whatever reader exists.

Text forms depend on a reader and on its repairs; the JSON form is the IR itself, one object per
node, and its compact sorted dump is the fact's identity in the database.

>>> from linc.logic.formula import Const, Pred
>>> f = Pred("Big", (Const("bob"),))
>>> decode(encode(f)) == f
True
>>> dumps(f)
'{"args":[{"const":"bob"}],"pred":"Big"}'
"""

from __future__ import annotations

import json
import re
from typing import Any

from linc.kg.errors import MalformedFactError
from linc.logic.formula import (
    MAX_DEPTH,
    And,
    Const,
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
    depth,
)

_BINARY = {"and": And, "or": Or, "xor": Xor, "implies": Implies, "iff": Iff}
_BINARY_NAME = {cls: name for name, cls in _BINARY.items()}
_QUANT = {"forall": Forall, "exists": Exists}
_QUANT_NAME = {cls: name for name, cls in _QUANT.items()}


def encode_term(t: Term) -> dict[str, Any]:
    if isinstance(t, Var):
        return {"var": _name(t.name)}
    if isinstance(t, Const):
        return {"const": _name(t.name)}
    if isinstance(t, Func):
        if not t.args:
            raise MalformedFactError(f"function {t.name!r} has no arguments")
        return {"func": _name(t.name), "args": [encode_term(a) for a in _tuple(t.args)]}
    raise MalformedFactError(f"not a term: {t!r}")


def encode(f: Formula) -> dict[str, Any]:
    """The IR as nested dicts; raises :class:`MalformedFactError` on anything that is not IR."""
    if isinstance(f, Pred):
        node: dict[str, Any] = {"pred": _name(f.name), "args": [encode_term(a) for a in _tuple(f.args)]}
        return node
    if isinstance(f, Eq):
        return {"eq": [encode_term(f.left), encode_term(f.right)]}
    if isinstance(f, Not):
        return {"not": encode(f.body)}
    if type(f) in _BINARY_NAME:
        return {_BINARY_NAME[type(f)]: [encode(f.left), encode(f.right)]}
    if type(f) in _QUANT_NAME:
        if not isinstance(f.var, Var):
            raise MalformedFactError(f"quantifier binds a non-variable: {f.var!r}")
        return {_QUANT_NAME[type(f)]: _name(f.var.name), "body": encode(f.body)}
    raise MalformedFactError(f"not a formula: {f!r}")


def decode_term(d: Any) -> Term:
    if not isinstance(d, dict):
        raise MalformedFactError(f"not a term node: {d!r}")
    if "var" in d:
        return Var(_name(d["var"]))
    if "const" in d:
        return Const(_name(d["const"]))
    if "func" in d:
        args = _list(d.get("args"))
        if not args:
            raise MalformedFactError(f"function {d['func']!r} has no arguments")
        return Func(_name(d["func"]), tuple(decode_term(a) for a in args))
    raise MalformedFactError(f"not a term node: {d!r}")


def decode(d: Any) -> Formula:
    """Rebuild the IR from :func:`encode`'s output; raises :class:`MalformedFactError`."""
    if not isinstance(d, dict):
        raise MalformedFactError(f"not a formula node: {d!r}")
    if "pred" in d:
        return Pred(_name(d["pred"]), tuple(decode_term(a) for a in _list(d.get("args", []))))
    if "eq" in d:
        left, right = _pair(d["eq"])
        return Eq(decode_term(left), decode_term(right))
    if "not" in d:
        return Not(decode(d["not"]))
    for key, cls in _BINARY.items():
        if key in d:
            left, right = _pair(d[key])
            return cls(decode(left), decode(right))
    for key, cls in _QUANT.items():
        if key in d:
            return cls(Var(_name(d[key])), decode(d.get("body")))
    raise MalformedFactError(f"not a formula node: {d!r}")


def dumps(f: Formula) -> str:
    """Canonical JSON text: compact and key-sorted, so equal formulas give equal strings."""
    if depth_of(f) > MAX_DEPTH:
        raise MalformedFactError(f"formula nested deeper than {MAX_DEPTH}")
    return json.dumps(encode(f), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


#: The stored text of a ground atom, as :func:`dumps` writes it: most of a large store's facts
#: (``P(a, b)``), read without building and walking a JSON tree (names with quotes or escapes,
#: which valid names never have, take the general path and its error).
_GROUND_ATOM = re.compile(r'\{"args":\[((?:\{"const":"[^"\\]+"\},)*\{"const":"[^"\\]+"\})?\],"pred":"([^"\\]+)"\}')
_CONST_ARG = re.compile(r'\{"const":"([^"\\]+)"\}')


def loads(text: str, constants: dict[str, Const] | None = None) -> Formula:
    """The formula stored as ``text``; raises :class:`MalformedFactError`. ``constants`` (a dict
    the caller keeps while reading many facts) shares one ``Const`` per name among them."""
    atom = _GROUND_ATOM.fullmatch(text)
    if atom is not None:
        args, pred = atom.groups()
        names = _CONST_ARG.findall(args) if args else []
        if constants is None:
            return Pred(_name(pred), tuple([Const(_name(n)) for n in names]))
        made = []
        for n in names:
            c = constants.get(n)
            if c is None:
                c = constants[n] = Const(_name(n))
            made.append(c)
        return Pred(_name(pred), tuple(made))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFactError(f"formula JSON does not read: {exc}") from exc
    return decode(data)


def depth_of(f: Formula) -> int:
    """Depth of a formula that may not be IR yet (non-IR nodes count as leaves)."""
    if not isinstance(f, (Pred, Eq, Not, And, Or, Xor, Implies, Iff, Forall, Exists)):
        raise MalformedFactError(f"not a formula: {f!r}")
    return depth(f)


def _name(value: Any) -> str:
    """A symbol name as the IR holds it: any non-empty text (the readers keep a quoted name such as
    ``'Mr. Smith'`` as written), but not a lone surrogate, which no file or database can store."""
    if not isinstance(value, str) or not value or not (value.isascii() or _storable(value)):
        raise MalformedFactError(f"not a symbol name: {value!r}")
    return value


def _tuple(value: Any) -> tuple:
    if not isinstance(value, tuple):
        raise MalformedFactError(f"arguments must be a tuple, got {value!r}")
    return value


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise MalformedFactError(f"expected a list, got {value!r}")
    return value


def _pair(value: Any) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise MalformedFactError(f"expected two operands, got {value!r}")
    return value[0], value[1]


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
