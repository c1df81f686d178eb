"""A census of the processes one run started, found by a tag in their environment.

A run is started with ``LINC_CENSUS=<tag>`` in its environment; every process it starts inherits
the tag (the kernel shows a process's initial environment in ``/proc/PID/environ``), whatever
session, process group or parent it ends up in. Zombies count as dead.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Callable

VARIABLE = "LINC_CENSUS"
_TICKS = os.sysconf("SC_CLK_TCK")


class Census:
    """The processes of one tagged run."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex
        self.marker = f"{VARIABLE}={self.tag}".encode()

    def env(self, **extra: str) -> dict[str, str]:
        """This process's environment plus the tag (for a run started from here)."""
        return {**os.environ, VARIABLE: self.tag, **extra}

    def alive(self) -> dict[int, str]:
        """pid -> command line of every live process carrying the tag (not this one)."""
        return {pid: command for pid, (command, cpu) in self._read().items()}

    def working(self, cpu: float) -> dict[int, str]:
        """The live processes that have used ``cpu`` seconds of processor time or more."""
        return {pid: command for pid, (command, used) in self._read().items() if used >= cpu}

    def _read(self) -> dict[int, tuple[str, float]]:
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(") ", 1)[1].split()
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except (OSError, IndexError):  # gone meanwhile, or not ours to read
                continue
            if self.marker in environ.split(b"\0") and stat[0] not in "ZX":
                cpu = (int(stat[11]) + int(stat[12])) / _TICKS  # utime + stime
                found[int(entry)] = (command.replace(b"\0", b" ").decode(errors="replace")[:160], cpu)
        return found

    def wait_until(self, condition: Callable[[dict[int, str]], bool], seconds: float) -> dict[int, str]:
        """Poll until ``condition(alive())`` holds or ``seconds`` pass; returns the last census."""
        deadline = time.monotonic() + seconds
        while True:
            alive = self.alive()
            if condition(alive) or time.monotonic() >= deadline:
                return alive
            time.sleep(0.05)

    def survivors(self, seconds: float) -> dict[int, str]:
        """The processes still alive after ``seconds`` (returns as soon as there are none)."""
        return self.wait_until(lambda alive: not alive, seconds)

    def clean_up(self) -> None:
        """SIGKILL whatever of the run is left (after a failed test)."""
        for pid in self.alive():
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def pigeonhole(holes: int, syntax: str = "nltk") -> tuple[list[str], str]:
    """``holes + 1`` pigeons in ``holes`` holes, two to a hole forbidden: contradictory premises
    that resolution, superposition and DPLL all take exponentially long to refute, plus an
    unrelated conclusion. Every question of a decision then keeps its prover busy."""
    if syntax == "nltk":
        either, both, then, no, every = " | ", " & ", " -> ", "-", "all {}. "
    else:  # FOLIO's Unicode syntax
        either, both, then, no, every = " ∨ ", " ∧ ", " → ", "¬", "∀{} "
    pigeons = [f"p{i}" for i in range(holes + 1)]
    premises = [either.join(f"In({p}, h{j})" for j in range(holes)) for p in pigeons]
    quantifiers = "".join(every.format(v) for v in "xyz")
    premises.append(f"{quantifiers}((In(x, z){both}In(y, z)){then}Same(x, y))")
    premises += [f"{no}Same({a}, {b})" for i, a in enumerate(pigeons) for b in pigeons[i + 1:]]
    return premises, "Q(a)"
