"""The mechanisms behind "nothing outlives its run", one at a time: forked evaluation workers drop
their copies of the parent's pipe ends, and a prover worker stops at its own limit."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

import pytest

from linc.eval import EvalConfig
from linc.eval import runner
from linc_provers import _worker
from linc_provers._process import run

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and forks (Linux)")


def sockets(pid: int) -> set[int]:
    """The inodes of the sockets process ``pid`` holds open."""
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            held.add(int(link[8:-1]))
    return held


def test_forked_eval_workers_hold_no_parent_pipe_end():
    # Were a worker to keep one, the pipe would never report end-of-file once the parent died.
    pool = [runner._Worker(multiprocessing.get_context("fork"), EvalConfig(parser="gold", prover="z3")) for _ in range(2)]
    try:
        ends = {os.fstat(w.conn.fileno()).st_ino for w in pool}

        def held() -> dict[int, set[int]]:
            return {w.process.pid: sockets(w.process.pid) & ends for w in pool}

        deadline = time.monotonic() + 30  # the workers close them as they start
        while any(held().values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(held().values()), f"workers still hold the parent's ends: {held()}"
    finally:
        for w in pool:
            w.stop(grace=0.5)


def test_a_prover_worker_stops_at_its_own_limit():
    # The parent would wait 60 s; the worker, told its limit is 0.2 s, stops itself long before.
    done = run(_worker.job("time:sleep", (120,), 0.2), timeout=60)
    assert not done.timed_out
    assert done.returncode == _worker.OVERTIME
