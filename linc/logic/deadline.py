"""Z3 checks interrupted at a deadline by one thread per process, instead of a ``timeout``
parameter: Z3 starts a timer for every check that has one, which costs as much as deciding a
small ground problem (the z3 backend's ground path, translation judging make thousands of those).

A caller arms the watchdog with its context and deadline (``time.monotonic``) before a check and
disarms it after; a check still running at its deadline is interrupted and returns ``unknown``.
"""

from __future__ import annotations

import os
import threading
import time

import z3

#: After interrupting a check, the watchdog interrupts again this often (s) while it is still armed
#: (the interrupt may have come before the check entered Z3).
RETRY = 0.01
#: The watchdog wakes at least this often (s), to look at deadlines armed without waking it.
IDLE = 1.0


class _Watchdog:
    """One thread per process that interrupts a Z3 context whose check is past its deadline. It
    sleeps until the earliest armed deadline, or :data:`IDLE` seconds: a check whose deadline is
    later than that (the usual case) costs two lock operations and no wake-up; one due sooner
    wakes the thread to sleep less. Waking with nothing armed, it ends (the next check starts
    another). The thread is marked ``fork_safe`` for the evaluation runner (which forks only
    processes without other threads): a forked child renews the lock and starts its own thread."""

    def __init__(self) -> None:
        self._start()
        os.register_at_fork(after_in_child=self._start)  # the thread and a held lock stay behind

    def _start(self) -> None:
        self._lock = threading.Lock()  # arm and disarm take it directly (a Condition's methods are Python)
        self._cond = threading.Condition(self._lock)
        self._armed: dict[int, tuple[float, z3.Context]] = {}
        self._wake = 0.0  # when the thread wakes next (set when it starts)
        self._thread: threading.Thread | None = None

    def arm(self, owner: object, ctx: z3.Context, deadline: float) -> None:
        with self._lock:
            self._armed[id(owner)] = (deadline, ctx)
            if self._thread is None:
                self._wake = time.monotonic() + IDLE
                self._thread = threading.Thread(target=self._run, name="linc z3 watchdog", daemon=True)
                self._thread.fork_safe = True  # type: ignore[attr-defined]  # a forked child renews its state (_start)
                self._thread.start()
            elif deadline < self._wake:
                self._cond.notify()

    def disarm(self, owner: object) -> None:
        with self._lock:
            del self._armed[id(owner)]

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                if not self._armed and now >= self._wake:  # idle for a while: end (a fork is safe again)
                    self._thread = None
                    return
                wake = now + IDLE
                for deadline, ctx in self._armed.values():
                    if deadline <= now:
                        ctx.interrupt()
                        deadline = now + RETRY
                    wake = min(wake, deadline)
                self._wake = wake
                self._cond.wait(wake - now)


#: Interrupts armed checks at their deadlines.
WATCHDOG = _Watchdog()


def check_by(solver: z3.Solver, deadline: float) -> z3.CheckSatResult:
    """``solver.check()``, interrupted at ``deadline`` (``unknown`` then)."""
    WATCHDOG.arm(solver, solver.ctx, deadline)
    try:
        return solver.check()
    finally:
        WATCHDOG.disarm(solver)
