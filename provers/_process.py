"""Running prover subprocesses under a deadline, leaving nothing behind.

Every child starts in its own session (so it leads a process group) and is killed with its whole
group on timeout, cancellation or any exception, then reaped, so neither orphans nor zombies
survive. Live children are tracked so a worker process that is told to stop (SIGTERM) can kill
its own children before it exits (:func:`install_stop_handler`).

Those paths all need this process to be alive. For when it is not (SIGKILL, a crash), every child
is tied to this process's life (:mod:`linc.lifetime`). Where util-linux's ``setpriv`` is at hand
the child makes that request by running ``setpriv --pdeathsig KILL`` and then a shell that checks
its parent is still this process (else the request came too late and it exits) before it runs the
command: no Python code then runs between fork and exec, so Python starts the child with vfork.
A ``preexec_fn`` (elsewhere) forces a full fork, whose copy-on-write faults in a large threaded
parent cost more than most prover runs (measured: 14 ms of processor time a child, 7 through
``setpriv``). A child runs in a private temporary directory unless its job names one, never in
the user's.
"""

from __future__ import annotations

import functools
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from linc.lifetime import child_setup

_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()


@dataclass
class Job:
    """One command to run: argv, bytes for stdin, working directory (default: a private
    temporary one), environment (default: this process's)."""

    argv: Sequence[str]
    stdin: bytes = b""
    cwd: str | None = None
    env: Mapping[str, str] | None = None


@dataclass
class Completed:
    """What a finished (or killed) child left: exit status, output, and whether it was cut short."""

    returncode: int | None
    stdout: bytes
    stderr: bytes
    seconds: float
    timed_out: bool = False  # killed at its deadline
    cancelled: bool = False  # killed early because the answer was already known

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def error_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group (the child leads it); ignore if already gone."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    """Kill every child this process started that is still alive."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for proc in live:
        kill_group(proc)


def install_stop_handler() -> None:
    """On SIGTERM kill our children, then exit at once (used by worker processes)."""

    def stop(signum: int, frame: object) -> None:
        kill_all()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


@functools.lru_cache(maxsize=1)
def _setpriv() -> str | None:
    """util-linux's ``setpriv``, if it is here and knows ``--pdeathsig`` (Linux only)."""
    path = shutil.which("setpriv") if child_setup() is not None else None
    if path is None or not os.path.exists("/bin/sh"):
        return None
    try:
        usage = subprocess.run([path, "--help"], capture_output=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return path if b"--pdeathsig" in usage else None


def _tied(argv: Sequence[str]) -> tuple[list[str], Callable[[], object] | None]:
    """The command line and ``preexec_fn`` that tie a child to this process (module docstring)."""
    setpriv = _setpriv()
    if setpriv is None:
        return list(argv), child_setup()
    check = 'test "$PPID" = "$0" && exec "$@"'
    return [setpriv, "--pdeathsig", "KILL", "--", "/bin/sh", "-c", check, str(os.getpid()), *argv], None


def _start(job: Job, workdir: str) -> subprocess.Popen:
    argv, setup = _tied(job.argv)
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=job.cwd or workdir,
        env=dict(job.env) if job.env is not None else None,
        start_new_session=True,
        preexec_fn=setup,
    )
    with _LIVE_LOCK:
        _LIVE.add(proc)
    return proc


def _finish(proc: subprocess.Popen, job: Job, started: float, timeout: float, box: "queue.Queue") -> None:
    """Thread body: feed stdin, collect output, always report (proc, Completed)."""
    out, err, timed_out = b"", b"", False
    try:
        out, err = proc.communicate(job.stdin, timeout=max(timeout, 0.001))
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        timed_out = True
    except (OSError, ValueError):  # pipe broken because the child was killed
        kill_group(proc)
        proc.wait()
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(proc)
        seconds = time.monotonic() - started
        box.put((proc, Completed(proc.returncode, out or b"", err or b"", seconds, timed_out)))


Update = Callable[[dict[str, Completed]], Mapping[str, float]]


def run_parallel(jobs: Mapping[str, Job], timeout: float, update: Update | None = None) -> dict[str, Completed]:
    """Run ``jobs`` concurrently; each is killed when ``timeout`` seconds have passed.

    After each job finishes, ``update(results_so_far)`` may return new (earlier) absolute
    ``time.monotonic()`` deadlines for jobs still running, e.g. to cancel a search that can no
    longer change the answer. Cancelled jobs are reported with ``cancelled=True``.
    """
    started = time.monotonic()
    deadline = {name: started + timeout for name in jobs}
    box: queue.Queue = queue.Queue()
    procs: dict[str, subprocess.Popen] = {}
    cancelled: set[str] = set()
    results: dict[str, Completed] = {}
    threads = []
    workdir = tempfile.TemporaryDirectory(prefix="linc-", ignore_cleanup_errors=True)
    try:
        for name, job in jobs.items():
            procs[name] = _start(job, workdir.name)
            t = threading.Thread(target=_finish, args=(procs[name], job, started, timeout, box), daemon=True)
            t.start()
            threads.append(t)
        names = {id(p): n for n, p in procs.items()}
        while len(results) < len(procs):
            now = time.monotonic()
            for name, proc in procs.items():
                if name not in results and name not in cancelled and deadline[name] <= now:
                    cancelled.add(name)
                    kill_group(proc)
            waiting = [deadline[n] for n in procs if n not in results and n not in cancelled]
            wait = max(0.0, min(waiting) - now) if waiting else None
            try:
                proc, done = box.get(timeout=wait)
            except queue.Empty:
                continue
            name = names[id(proc)]
            if name in cancelled:  # killed here: cut short by an update, or at the full timeout
                done.cancelled = deadline[name] < started + timeout
                done.timed_out = not done.cancelled
            results[name] = done
            if update is not None and len(results) < len(procs):
                for other, when in update(dict(results)).items():
                    deadline[other] = min(deadline[other], when)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                kill_group(proc)
        for t in threads:
            t.join(timeout=5)
        workdir.cleanup()
    return results


def run(job: Job, timeout: float) -> Completed:
    """Run one job under a timeout (kills the group and reaps it on timeout)."""
    return run_parallel({"job": job}, timeout)["job"]
