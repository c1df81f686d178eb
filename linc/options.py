"""Checks of user-given settings, done once before any work starts.

The CLI runs every flag through these before it builds a parser or a prover, so a bad value ends
the command with one line naming the flag and the value, never with a traceback or a run that
quietly evaluates nothing. Backend options (``--prover-option KEY=VALUE``) are checked against
the backend's own ``__init__`` signature and annotations.

>>> positive_seconds(2, "--timeout")
2.0
>>> positive_seconds(float("nan"), "--timeout")
Traceback (most recent call last):
...
linc.errors.OptionError: --timeout must be a positive number of seconds, not 'nan'
"""

from __future__ import annotations

import inspect
import math
import typing
from collections.abc import Sequence
from typing import Any, Callable

from linc.errors import OptionError

__all__ = ["at_least", "default_samples", "positive_number", "positive_seconds", "typed_options"]

#: Parsers that sample: LINC votes over 10 samples; a deterministic parser gives one answer.
_SAMPLING = {"llm": 10, "replay": 10}


def default_samples(parser: str) -> int:
    """K when the user gives none: 10 for a sampling parser (as LINC), else 1."""
    return _SAMPLING.get(parser, 1)


#: The longest time limit taken (about eleven days): a longer one is no limit at all, and overflows
#: what the solvers and Python's own waits accept (z3 counts milliseconds in an unsigned int).
MAX_SECONDS = 1_000_000


def positive_seconds(value: Any, flag: str) -> float:
    """``value`` as seconds: a finite number above zero, at most :data:`MAX_SECONDS`."""
    seconds = positive_number(value, flag, "seconds")
    if seconds > MAX_SECONDS:
        raise OptionError(f"{flag} must be at most {MAX_SECONDS:,} seconds, not '{value}'")
    return seconds


def positive_number(value: Any, flag: str, unit: str) -> float:
    """``value`` as a finite number above zero, of ``unit`` (named in the error)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise OptionError(f"{flag} must be a positive number of {unit}, not '{value}'")
    return float(value)


def at_least(value: Any, minimum: int, flag: str) -> int:
    """``value`` as a whole number no smaller than ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise OptionError(f"{flag} must be a whole number of at least {minimum}, not '{value}'")
    return value


def typed_options(factory: Callable[..., Any], options: dict[str, Any], flag: str, reserved: dict[str, str] | None = None) -> dict[str, Any]:
    """``options`` checked against ``factory``'s keyword parameters and their annotations.

    An unknown key, a key set by a flag of its own (``reserved``: key -> that flag) or a value of
    the wrong type is an :class:`OptionError` naming the accepted keys and types. A comma-separated
    text is accepted for a list of names (``members=z3,prover9``)."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin or C factory: nothing to check against
        return dict(options)
    try:
        hints = typing.get_type_hints(factory.__init__ if inspect.isclass(factory) else factory)
    except (NameError, TypeError):
        hints = {}
    params = {n: p for n, p in signature.parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    open_ended = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    checked: dict[str, Any] = {}
    for key, value in options.items():
        if reserved and key in reserved:
            raise OptionError(f"{flag} {key}=...: set it with {reserved[key]}")
        if key not in params:
            if open_ended:
                checked[key] = value
                continue
            known = ", ".join(f"{n} ({_type_name(hints.get(n))})" for n in params if n not in (reserved or {})) or "none"
            raise OptionError(f"{flag} {key}=...: no such option; accepted: {known}")
        checked[key] = _coerce(value, hints.get(key), f"{flag} {key}")
    return checked


def _coerce(value: Any, hint: Any, where: str) -> Any:
    if hint is None or hint is Any:
        return value
    args = typing.get_args(hint)
    if type(None) in args:  # Optional[X]
        if value is None:
            return None
        rest = [a for a in args if a is not type(None)]
        hint = rest[0] if len(rest) == 1 else hint
        args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint in (bool, str) and type(value) is hint:
        return value
    if origin is typing.Literal and value in args:
        return value
    if origin in (list, tuple, Sequence) and args and args[0] is str:
        items = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value
        if isinstance(items, list) and items and all(isinstance(v, str) for v in items):
            return items
    if hint not in (float, int, bool, str) and origin not in (list, tuple, Sequence, typing.Literal):
        return value  # a type we do not know how to check: the backend checks it
    raise OptionError(f"{where} must be {_type_name(hint)}, not {value!r}")


def _type_name(hint: Any) -> str:
    names = {float: "a number", int: "a whole number", bool: "true or false", str: "text"}
    if hint in names:
        return names[hint]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is typing.Literal:
        return " or ".join(repr(a) for a in args)
    if typing.get_origin(hint) in (list, tuple, Sequence):
        return "a list of names (a,b,c)"
    if len(args) == 1:
        return _type_name(args[0])
    return "any value"
