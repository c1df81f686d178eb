"""Run one Python function in a child process that can be killed at a deadline.

Pure-Python searches (resolution, grounding) cannot be interrupted reliably inside a process, so
they run here: the parent pickles ``(target, args)`` to stdin, the child prints the pickled return
value. On SIGTERM the child kills its own subprocesses first (see :mod:`linc_provers._process`).
Only the parent writes this child's stdin, so unpickling it is safe.
"""

from __future__ import annotations

import importlib
import pickle
import sys
from typing import Any

from linc.errors import LincError, ProverError, ProverUnavailable, UnsupportedProblem
from linc_provers._process import Completed, Job, install_stop_handler

_ERRORS = {cls.__name__: cls for cls in (ProverError, ProverUnavailable, UnsupportedProblem)}


def job(target: str, *args: Any) -> Job:
    """A job running ``module:function(*args)`` in a fresh interpreter."""
    return Job([sys.executable, "-m", "linc_provers._worker"], pickle.dumps((target, args)))


def result(done: Completed) -> Any:
    """The function's return value; its :class:`LincError` is raised again here (as a ProverError)."""
    if done.returncode != 0:
        tail = done.error_text.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise ProverError(f"worker process failed: {tail[0]}")
    status, *payload = pickle.loads(done.stdout)
    if status == "error":
        kind, message = payload
        raise _ERRORS.get(kind, ProverError)(message)
    return payload[0]


def main() -> None:
    install_stop_handler()
    target, args = pickle.load(sys.stdin.buffer)
    module, _, function = target.partition(":")
    fn = getattr(importlib.import_module(module), function)
    try:
        reply = ("ok", fn(*args))
    except LincError as e:
        reply = ("error", type(e).__name__, str(e))
    sys.stdout.buffer.write(pickle.dumps(reply))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
