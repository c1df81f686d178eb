"""Typed errors of the agent tools; every failure reaches the caller as ``<ErrorClass>: message``."""

from __future__ import annotations

from pydantic import ValidationError

from linc.errors import LincError


class ToolError(LincError):
    """A tool call that cannot be answered; the text is what the calling model reads."""


class ToolInputError(ToolError, ValueError):
    """Arguments that do not fit the tool's schema or its size limits."""


class ToolTimeout(ToolError):
    """A call that did not finish within the per-call time limit."""


class ToolBusy(ToolError):
    """A call refused because too many earlier calls that timed out are still running."""


class ToolUnavailable(ToolError):
    """A tool that needs something not configured here (a knowledge graph, a writable one, ...)."""


def validation_message(err: ValidationError) -> str:
    """Every problem with the arguments on one line, by field, without echoing the values back."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in err.errors())


def describe(err: BaseException) -> str:
    """The message a calling model sees for ``err``, prefixed with its type name."""
    return f"{type(err).__name__}: {err}"
