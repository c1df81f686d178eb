"""The runtime behind the agent tools: configured parser, provers and knowledge graph, and a
guarded ``call`` that LangChain and MCP both go through.

Every call runs on one worker thread owned by the toolkit. That keeps the knowledge graph's SQLite
connection and in-process solvers (z3's context is not thread-safe) on the thread that made them,
whichever thread or event loop the caller uses, and lets the caller stop waiting after
``call_timeout`` seconds. A call that times out keeps the worker until its own prover limits end
it; calls queued behind it wait, and their wait counts against their own ``call_timeout``.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Mapping

from pydantic import ValidationError

from linc.errors import LincError
from linc.tools.config import ToolConfig
from linc.tools.definitions import SPECS, ToolSpec, parser_note
from linc.tools.errors import ToolError, ToolInputError, ToolTimeout, ToolUnavailable, describe, validation_message

if TYPE_CHECKING:
    from linc.kg import KnowledgeGraph
    from linc.parsing.base import Parser
    from linc.proving import Prover
    from linc.reasoning import Reasoner

logger = logging.getLogger(__name__)


class Toolkit:
    """The agent tools over one configuration.

    >>> tk = Toolkit(ToolConfig(prover="z3"))
    >>> tk.call("check_entailment", {"premises": ["Bob is big.", "All big things are red."],
    ...                              "conclusion": "Bob is red."})["label"]
    'True'
    >>> tk.close()

    ``parser`` and ``prover`` replace the configured ones with ready instances (a LangChain user's
    own chat model behind an ``llm`` parser, say); the knowledge graph is always opened from
    ``config.kg_path``, on the worker thread."""

    def __init__(self, config: ToolConfig | None = None, *, parser: "Parser | None" = None, prover: "Prover | None" = None):
        self.config = config or ToolConfig()
        self._parser = parser
        self._provers: dict[str, Prover] = {self.config.prover: prover} if prover is not None else {}
        self._kg: KnowledgeGraph | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linc-tools")
        offered = [
            s for s in SPECS
            if (not s.needs_kg or self.config.kg_path is not None) and (not s.writes or not self.config.kg_readonly)
        ]
        self.specs: dict[str, ToolSpec] = {s.name: s for s in offered}
        #: Set when the configured parser, prover or graph could not be loaded: every call reports it.
        self.unusable: LincError | None = None

    # ------------------------------------------------------------ describing the tools

    def description(self, name: str) -> str:
        """The tool's description, with a note on what the configured parser accepts."""
        return self.spec(name).description.format(parser=parser_note(self.config.parser_name))

    def input_schema(self, name: str) -> dict[str, Any]:
        """The JSON schema of the tool's arguments (the one MCP clients see)."""
        schema = self.spec(name).args.model_json_schema()
        for key in ("title", "description"):
            schema.pop(key, None)
        return schema

    def spec(self, name: str) -> ToolSpec:
        try:
            return self.specs[name]
        except KeyError:
            raise ToolInputError(f"no tool named {name!r}; the tools are {', '.join(self.specs)}") from None

    # ------------------------------------------------------------ calling

    def call(self, name: str, arguments: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Validate ``arguments``, run tool ``name`` on the worker thread, and return its JSON
        result. Raises :class:`~linc.errors.LincError` subclasses only: the tool's own typed
        errors, :class:`ToolInputError`, :class:`ToolTimeout`, or :class:`ToolError` for a bug."""
        spec = self.spec(name)
        if self.unusable is not None:
            raise ToolUnavailable(f"linc's tools are misconfigured: {describe(self.unusable)}")
        try:
            args = spec.args.model_validate(dict(arguments or {}))
        except ValidationError as err:
            raise ToolInputError(validation_message(err)) from None
        future = self._worker.submit(self._run, spec, args)
        try:
            return future.result(timeout=self.config.call_timeout)
        except TimeoutError:
            future.cancel()
            raise ToolTimeout(f"{name} did not finish within {self.config.call_timeout:g} seconds") from None

    def _run(self, spec: ToolSpec, args: Any) -> dict[str, Any]:
        try:
            # Plain JSON types only (no tuples, enums or paths), whatever a backend put in.
            return json.loads(json.dumps(spec.run(self, args), ensure_ascii=False, default=str))
        except LincError:
            raise
        except Exception as err:  # the boundary: a bug in one call must not end the session
            logger.exception("tool %s failed unexpectedly", spec.name)
            raise ToolError(f"{spec.name} failed unexpectedly ({type(err).__name__}); the server log has the details") from err

    def prepare(self) -> None:
        """Load the parser and the prover and open the knowledge graph now, so that a bad
        configuration (unknown backend, unloadable model, unreadable database) fails at start-up
        rather than on a model's first call."""

        def load() -> None:
            self.parser()
            self.prover()
            if any(s.needs_kg for s in self.specs.values()):
                self.kg()

        self._worker.submit(load).result()

    def close(self) -> None:
        """Close the knowledge graph (on its own thread, after any queued call) and stop the
        worker; a running call is not waited for."""
        if self._kg is not None:
            self._worker.submit(self._kg.close)
        self._worker.shutdown(wait=False)

    def __enter__(self) -> "Toolkit":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ resources (worker thread only)

    def parser(self) -> "Parser":
        if self._parser is None:
            from linc.plugins import get_parser

            if self.config.parser_name == "llm" and self.config.model:
                from linc.parsing.providers import require_integration

                require_integration(self.config.model)
            self._parser = get_parser(self.config.parser_name, **self.config.parser_kwargs)
        return self._parser

    def prover(self, name: str | None = None) -> "Prover":
        name = name or self.config.prover
        if name not in self._provers:
            from linc.plugins import get_prover

            self._provers[name] = get_prover(name, timeout=self.config.timeout)
        return self._provers[name]

    def reasoner(self) -> "Reasoner":
        """A fresh Reasoner per call: its decision cache must not grow for the server's lifetime."""
        from linc.reasoning import Reasoner

        return Reasoner(self.parser(), self.prover(), k=self.config.k, timeout=self.config.timeout)

    def kg(self) -> "KnowledgeGraph":
        if self.config.kg_path is None:
            raise ToolUnavailable("no knowledge graph is configured (set --kg / $LINC_KG)")
        if self._kg is None:
            from linc.kg import KnowledgeGraph

            self._kg = KnowledgeGraph(self.config.kg_path, prover=self.prover(), timeout=self.config.timeout)
        return self._kg
