"""Run one Python function in a child process that can be killed at a deadline.

Pure-Python searches (resolution, grounding) cannot be interrupted reliably inside a process, so
they run here: the parent pickles ``(target, args, limit)`` to stdin, the child prints the pickled
return value. Only the parent writes this child's stdin, so unpickling it is safe.

The child never runs code from the user's directory: it starts with ``-P`` (no current directory
on ``sys.path``) in a private temporary directory, with the parent's import path and drop-in
plugin folders passed on as absolute paths. It enforces its own limit too: ``limit`` seconds after
it starts it kills its subprocesses and exits, whether or not anyone is still waiting for it. On
SIGTERM it kills its own subprocesses first (see :mod:`linc_provers._process`).
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import sys
from typing import Any

from linc.errors import LincError, ProverError, ProverUnavailable, UnsupportedProblem
from linc_provers._process import Completed, Job, install_stop_handler, kill_all

_ERRORS = {cls.__name__: cls for cls in (ProverError, ProverUnavailable, UnsupportedProblem)}
#: Exit status of a worker that stopped itself at its limit (as timeout(1) uses).
OVERTIME = 124
#: Seconds a worker allows itself beyond its limit: its parent normally stops it first.
MARGIN = 1.0


def environment() -> dict[str, str]:
    """This process's environment, with the paths it relies on made absolute for a child that
    runs in another directory. Empty ``PYTHONPATH`` entries (the current directory) are dropped."""
    from linc.plugins import plugin_folders

    env = dict(os.environ)
    path = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if path:
        env["PYTHONPATH"] = os.pathsep.join(path)
    env["LINC_PLUGIN_PATH"] = os.pathsep.join(str(f) for f in plugin_folders())
    return env


def job(target: str, args: tuple[Any, ...], limit: float) -> Job:
    """A job running ``module:function(*args)`` in a fresh, isolated interpreter that gives up
    after ``limit`` seconds (plus :data:`MARGIN`) on its own."""
    argv = [sys.executable, "-P", "-m", "linc_provers._worker"]
    return Job(argv, pickle.dumps((target, args, limit)), env=environment())


def result(done: Completed) -> Any:
    """The function's return value; its :class:`LincError` is raised again here (as a ProverError).

    Any other failure of the worker (a crash, no answer, an unreadable one) is a ProverError too."""
    if done.returncode != 0:
        tail = done.error_text.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise ProverError(f"worker process failed: {tail[0]}")
    try:
        reply = pickle.loads(done.stdout)
    except Exception as e:  # noqa: BLE001 - whatever the worker printed, it is not an answer
        raise ProverError(f"worker process gave no readable answer ({type(e).__name__}: {e})") from e
    if isinstance(reply, tuple) and reply[:1] == ("ok",) and len(reply) == 2:
        return reply[1]
    if isinstance(reply, tuple) and reply[:1] == ("error",) and len(reply) == 3:
        raise _ERRORS.get(str(reply[1]), ProverError)(str(reply[2]))
    raise ProverError("worker process gave no readable answer")


def _overtime(signum: int, frame: object) -> None:
    kill_all()
    os._exit(OVERTIME)


def main() -> None:
    install_stop_handler()
    target, args, limit = pickle.load(sys.stdin.buffer)
    signal.signal(signal.SIGALRM, _overtime)
    signal.setitimer(signal.ITIMER_REAL, limit + MARGIN)
    module, _, function = target.partition(":")
    fn = getattr(importlib.import_module(module), function)
    try:
        reply = ("ok", fn(*args))
    except LincError as e:
        reply = ("error", type(e).__name__, str(e))
    signal.setitimer(signal.ITIMER_REAL, 0)
    sys.stdout.buffer.write(pickle.dumps(reply))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
