"""The runtime behind the agent tools: configured parser, provers and knowledge graph, and a
guarded ``call`` that LangChain and MCP both go through.

Calls run one at a time on a worker thread owned by the toolkit, so a caller (any thread or event
loop) can stop waiting after ``call_timeout`` seconds. A call that times out cannot be killed: it
is abandoned to finish on its own thread, and a fresh worker serves the next calls, so one slow
call never stalls the ones after it. The abandoned call stops at its next prover call (each
prover call gets at most the time left before the call's deadline, and none past it), and at most
:data:`MAX_ABANDONED` of them may still be running: past that, calls are refused with
:class:`ToolBusy` rather than piling up threads.

An abandoned call may therefore run alongside the next one, so shared state must allow that: z3
backends hold their own lock, process-based provers share nothing, the grammar parser's caches are
``lru_cache`` (thread-safe) and LangChain chat models may be called from several threads. The
knowledge graph (one SQLite connection and in-memory indexes, usable from any thread but by one
at a time) is held under ``Toolkit._kg_lock`` for a whole call; a call that cannot get it before
its deadline times out without touching the graph.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Mapping

from pydantic import ValidationError

from linc.errors import LincError
from linc.tools.config import ToolConfig
from linc.tools.definitions import SPECS, ToolSpec, parser_note
from linc.tools.errors import ToolBusy, ToolError, ToolInputError, ToolTimeout, ToolUnavailable, describe, validation_message

if TYPE_CHECKING:
    from linc.kg import KnowledgeGraph
    from linc.parsing.base import Parser
    from linc.proving import Prover
    from linc.reasoning import Reasoner

logger = logging.getLogger(__name__)

#: Timed-out calls that may still be running before new calls are refused with :class:`ToolBusy`.
MAX_ABANDONED = 4


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
        self._kg_lock = threading.Lock()  # the graph is used by one call at a time
        self._loading = threading.RLock()  # resources are made once, whichever thread asks first
        self._deadline = threading.local()  # the running call's deadline, per worker thread
        self._workers = threading.Lock()  # guards _worker and _abandoned
        self._worker = self._new_worker()
        self._abandoned: list[Future] = []
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
        errors, :class:`ToolInputError`, :class:`ToolTimeout`, :class:`ToolBusy` (too many
        timed-out calls still running), or :class:`ToolError` for a bug."""
        spec = self.spec(name)
        if self.unusable is not None:
            raise ToolUnavailable(f"linc's tools are misconfigured: {describe(self.unusable)}")
        try:
            args = spec.args.model_validate(dict(arguments or {}))
        except ValidationError as err:
            raise ToolInputError(validation_message(err)) from None
        deadline = time.monotonic() + self.config.call_timeout
        while True:
            worker, future = self._submit(spec, args, deadline)
            try:
                return future.result(timeout=max(0.0, deadline - time.monotonic()))
            except CancelledError:
                continue  # queued on a worker that was abandoned meanwhile: on to the fresh one
            except TimeoutError:
                if not future.cancel():
                    self._abandon(worker, future)
                raise ToolTimeout(f"{name} did not finish within {self.config.call_timeout:g} seconds") from None

    def _submit(self, spec: ToolSpec, args: Any, deadline: float) -> tuple[ThreadPoolExecutor, Future]:
        with self._workers:
            self._abandoned = [f for f in self._abandoned if not f.done()]
            if len(self._abandoned) >= MAX_ABANDONED:
                raise ToolBusy(
                    f"{len(self._abandoned)} earlier calls that timed out are still running; "
                    f"try again once they end (within {self.config.timeout:g} seconds of their limit)"
                )
            return self._worker, self._worker.submit(self._run, spec, args, deadline)

    def _abandon(self, worker: ThreadPoolExecutor, future: Future) -> None:
        """Leave ``future`` running on ``worker`` and move later calls to a fresh worker; the
        calls queued on ``worker`` are cancelled, and their callers resubmit them."""
        with self._workers:
            if self._worker is worker:
                self._abandoned.append(future)
                self._worker = self._new_worker()
                worker.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _new_worker() -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="linc-tools")

    def prover_timeout(self) -> float:
        """Seconds for one prover call of the running call: ``config.timeout``, or less when the
        call's deadline is nearer; :class:`ToolTimeout` past it (how an abandoned call stops)."""
        deadline = getattr(self._deadline, "at", None)
        if deadline is None:
            return self.config.timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise ToolTimeout(f"the call's {self.config.call_timeout:g} seconds are used up")
        return min(self.config.timeout, left)

    def _run(self, spec: ToolSpec, args: Any, deadline: float) -> dict[str, Any]:
        kg = spec.needs_kg or bool(getattr(args, "use_kg", False))
        if kg and not self._kg_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ToolTimeout(f"{spec.name}: the knowledge graph was busy with an earlier call until the time limit")
        self._deadline.at = deadline
        try:
            # Plain JSON types only (no tuples, enums or paths), whatever a backend put in.
            return json.loads(json.dumps(spec.run(self, args), ensure_ascii=False, default=str))
        except LincError:
            raise
        except Exception as err:  # the boundary: a bug in one call must not end the session
            logger.exception("tool %s failed unexpectedly", spec.name)
            raise ToolError(f"{spec.name} failed unexpectedly ({type(err).__name__}); the server log has the details") from err
        finally:
            self._deadline.at = None
            if kg:
                self._kg_lock.release()

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
        """Close the knowledge graph (on the worker, after any queued call and once no abandoned
        call holds it) and stop the worker; a running call is not waited for."""
        if self._kg is not None:
            self._worker.submit(self._close_kg, self._kg)
        self._worker.shutdown(wait=False)

    def _close_kg(self, kg: "KnowledgeGraph") -> None:
        with self._kg_lock:
            kg.close()

    def __enter__(self) -> "Toolkit":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ resources (made once, on first use)

    def parser(self) -> "Parser":
        with self._loading:
            return self._load_parser()

    def _load_parser(self) -> "Parser":
        if self._parser is None:
            from linc.plugins import get_parser

            if self.config.parser_name == "llm" and self.config.model:
                from linc.parsing.providers import require_integration

                require_integration(self.config.model)
            self._parser = get_parser(self.config.parser_name, **self.config.parser_kwargs)
        return self._parser

    def prover(self, name: str | None = None) -> "Prover":
        name = name or self.config.prover
        with self._loading:
            if name not in self._provers:
                from linc.plugins import get_prover

                self._provers[name] = get_prover(name, timeout=self.config.timeout)
            return self._provers[name]

    def reasoner(self) -> "Reasoner":
        """A fresh Reasoner per call: its decision cache must not grow for the server's lifetime."""
        from linc.reasoning import Reasoner

        return Reasoner(self.parser(), self.prover(), k=self.config.k, timeout=self.prover_timeout())

    def kg(self) -> "KnowledgeGraph":
        if self.config.kg_path is None:
            raise ToolUnavailable("no knowledge graph is configured (set --kg / $LINC_KG)")
        with self._loading:
            if self._kg is None:
                from linc.kg import KnowledgeGraph

                self._kg = KnowledgeGraph(self.config.kg_path, prover=self.prover(), timeout=self.config.timeout)
            return self._kg
