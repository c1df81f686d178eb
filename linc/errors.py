"""Typed errors, all rooted at :class:`LincError` so callers can catch one class."""

from __future__ import annotations


class LincError(Exception):
    """Base of every error linc raises on purpose."""


class FormulaSyntaxError(LincError, ValueError):
    """A formula string that does not read; carries the position and a caret under the problem."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.reason = message
        self.text = text
        self.position = position
        super().__init__(self._render())

    def _render(self) -> str:
        if self.position is None or not self.text:
            return self.reason
        # Show a window of the line around the error so 100 kB inputs stay readable.
        start = max(0, self.position - 60)
        end = min(len(self.text), self.position + 60)
        shown = self.text[start:end].replace("\n", " ").replace("\t", " ")
        shown = "".join(ch if ch.isprintable() else "?" for ch in shown)
        prefix = "..." if start else ""
        suffix = "..." if end < len(self.text) else ""
        caret = " " * (len(prefix) + self.position - start) + "^"
        return f"{self.reason} at position {self.position}\n  {prefix}{shown}{suffix}\n  {caret}"


class FormulaDepthError(FormulaSyntaxError):
    """A formula nested deeper than :data:`linc.logic.formula.MAX_DEPTH`; refused where it is made."""

    def __init__(self, depth: int, limit: int, text: str = "", position: int | None = None):
        self.depth = depth
        self.limit = limit
        super().__init__(f"formula nests {depth} levels deep; the limit is {limit}", text, position)

    def __reduce__(self):  # picklable across worker processes despite the different signature
        return type(self), (self.depth, self.limit, self.text, self.position)


class NotAFormula(LincError, TypeError):
    """Something other than a :mod:`linc.logic` formula where one is needed (text is read into
    one with :func:`linc.logic.parse` first)."""


class SignatureError(LincError, ValueError):
    """Symbols used inconsistently across a problem (one name with two arities or two kinds)."""

    def __init__(self, message: str, clashes: list[str] | None = None):
        self.clashes = list(clashes or [])
        super().__init__(message)


class ProverError(LincError):
    """A prover backend failed for a reason other than a resource limit."""


class ProverUnavailable(ProverError):
    """A backend's binary or library is missing; the message says how to install it."""


class ParserError(LincError):
    """A semantic parser could not turn text into formulas (outside the grammar, model failure, ...)."""


class OptionError(LincError, ValueError):
    """A setting (a CLI flag, a tool setting, a backend option) with a value it cannot take;
    the message names the setting and the value."""


class PluginError(LincError):
    """An unknown plugin name, or a plugin that failed to load."""


class DatasetError(LincError):
    """A dataset that cannot be found or read; names the file and line where possible."""


class KnowledgeGraphError(LincError):
    """A knowledge-graph operation that cannot be done (bad fact, corrupt database, ...)."""


class ConflictError(KnowledgeGraphError):
    """A fact contradicts what the knowledge graph already holds; ``conflicts`` names the facts."""

    def __init__(self, message: str, conflicts: list[str] | None = None):
        self.conflicts = list(conflicts or [])
        super().__init__(message)


class UnsupportedProblem(ProverError):
    """A backend refuses a problem outside the fragment it decides (says which fragment it needs)."""


def user_message(err: BaseException) -> str:
    """How the command line shows ``err`` after ``linc: error:``: a bad option value by its
    message alone (it names the flag), any other error prefixed with its type."""
    return str(err) if isinstance(err, OptionError) else f"{type(err).__name__}: {err}"
