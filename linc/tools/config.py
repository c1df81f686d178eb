"""What the agent tools run with: parser, model, prover, knowledge-graph file, time limits.

One dataclass, filled from keyword arguments, ``linc mcp`` flags or ``LINC_*`` environment
variables. With no model configured the grammar parser is used, so the tools work offline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from linc.tools.errors import ToolInputError

#: Environment variable for each setting (the ``linc mcp`` flags read the same ones).
ENVIRONMENT = {
    "parser": "LINC_PARSER",
    "model": "LINC_MODEL",
    "prover": "LINC_PROVER",
    "kg_path": "LINC_KG",
    "kg_readonly": "LINC_KG_READONLY",
    "timeout": "LINC_TIMEOUT",
    "call_timeout": "LINC_CALL_TIMEOUT",
    "k": "LINC_K",
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
MAX_K = 20


@dataclass
class ToolConfig:
    """Settings of a :class:`~linc.tools.Toolkit`.

    ``timeout`` bounds each prover call; ``call_timeout`` bounds a whole tool call (parsing, K
    samples, proofs, storage). Without ``kg_path`` the knowledge-graph tools are not offered
    (``"default"`` is the file ``linc kg`` uses); ``kg_readonly`` offers the questions but not
    ``kg_add``."""

    parser: str | None = None
    model: str | None = None
    prover: str = "z3"
    kg_path: Path | None = None
    kg_readonly: bool = False
    timeout: float = 10.0
    call_timeout: float = 60.0
    k: int = 1
    parser_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kg_path is not None and str(self.kg_path) == "default":
            from linc.kg import default_path

            self.kg_path = default_path()  # the file `linc kg` uses without --db
        if self.kg_path is not None:
            self.kg_path = Path(self.kg_path).expanduser()
        if not 0 < self.timeout <= self.call_timeout:
            raise ToolInputError(f"need 0 < timeout ({self.timeout}) <= call_timeout ({self.call_timeout})")
        if not 1 <= self.k <= MAX_K:
            raise ToolInputError(f"k must be between 1 and {MAX_K}, not {self.k}")

    @property
    def parser_name(self) -> str:
        """The parser to use: as configured, else ``llm`` when a model is set, else ``grammar``."""
        return self.parser or ("llm" if self.model else "grammar")

    @property
    def parser_kwargs(self) -> dict[str, Any]:
        """Options for the parser. The ``llm`` parser gets the model, no on-disk response cache
        (the tools touch no file but the knowledge graph) and the call's time limit."""
        options = dict(self.parser_options)
        if self.parser_name == "llm":
            if self.model:
                options.setdefault("model", self.model)
            options.setdefault("cache", False)
            options.setdefault("call_timeout", self.call_timeout)
        return options

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "ToolConfig":
        """Settings from ``LINC_*`` variables; ``overrides`` that are not None win."""
        env = os.environ if environ is None else environ
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, variable in ENVIRONMENT.items():
            raw = env.get(variable)
            if raw is None:
                continue
            try:
                value = _convert(types[name], raw.strip())
            except ValueError as err:
                raise ToolInputError(f"${variable}={raw!r}: {err}") from err
            if value is not None:
                values[name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _convert(kind: str, raw: str) -> Any:
    if kind == "bool":
        if raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise ValueError("expected true or false")
    if kind == "float":
        return float(raw)
    if kind == "int":
        return int(raw)
    return raw or None
