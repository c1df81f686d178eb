"""Crash safety and concurrent writers, with real processes on a real file."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from linc.kg import KnowledgeGraph
from linc.kg import store as store_module

from .conftest import z3_prover
from .writer import RULE

WRITER = Path(__file__).with_name("writer.py")


def start(db: Path, name: str, count: int, mode: str = "chain", *extra: str) -> subprocess.Popen:
    args = [sys.executable, str(WRITER), str(db), name, str(count), mode, *extra]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def acknowledged(lines: list[str]) -> dict[int, str]:
    return {int(i): fol for i, fol in (line.rstrip("\n").split(" ", 1) for line in lines if not line.startswith("refused"))}


def test_sigkill_mid_stream_keeps_every_acknowledged_fact(tmp_path):
    db = tmp_path / "kg.sqlite"
    acked: dict[int, str] = {}
    rng = random.Random(6)
    for round_ in range(3):  # kill, reopen, write on, kill again
        child = start(db, f"r{round_}_", 0)
        lines = [child.stdout.readline() for _ in range(rng.randint(15, 40))]
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL, child.stderr.read()
        acked.update(acknowledged(lines))
        with KnowledgeGraph(db, prover=z3_prover(), create=False) as kg:
            assert kg.integrity() == "ok"
            stored = {f.id: f.fol for f in kg.facts()}
        assert acked.items() <= stored.items()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    db = tmp_path / "kg.sqlite"
    children = [start(db, name, 60) for name in ("a", "b")]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs):
        assert child.returncode == 0, err
    acked = [acknowledged(out.splitlines()) for out, _ in outputs]
    assert all(len(a) == 60 for a in acked)
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        stored = {f.id: f.fol for f in kg.facts()}
        assert len(kg.neighbours("a0", "Likes")) == 1
    assert stored == {**acked[0], **acked[1]}


def test_two_processes_writing_the_same_facts_store_each_once(tmp_path):
    db = tmp_path / "kg.sqlite"
    children = [start(db, "same", 40) for _ in range(2)]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs):
        assert child.returncode == 0, err
    first, second = (acknowledged(out.splitlines()) for out, _ in outputs)
    assert first == second and len(first) == 40
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        assert {f.id: f.fol for f in kg.facts()} == first


def test_four_writers_of_unrelated_facts_are_never_refused(tmp_path):
    db = tmp_path / "kg.sqlite"
    children = [start(db, name, 40) for name in ("a", "b", "c", "d")]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs):
        assert child.returncode == 0, err  # a refusal ("gave up adding ...") exits non-zero
    acked = [acknowledged(out.splitlines()) for out, _ in outputs]
    assert [len(a) for a in acked] == [40, 40, 40, 40]
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        assert {f.id: f.fol for f in kg.facts()} == {k: v for a in acked for k, v in a.items()}


def test_contradicting_facts_written_at_once_are_never_both_stored(tmp_path):
    db = tmp_path / "kg.sqlite"
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        kg.assert_axiom(RULE)
    n = 40
    children = [start(db, "race", n, mode) for mode in ("big", "not-red", "big", "not-red")]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs):
        assert child.returncode == 0, err
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        stored = {f.fol for f in kg.facts()}
    for i in range(n):
        assert (f"Big(c{i})" in stored) != (f"¬Red(c{i})" in stored), i  # exactly one of each pair
    lines = [line for out, _ in outputs for line in out.splitlines()]
    # 4n attempts: each constant's winner is stored once (its twin writer gets the same fact back),
    # and both writers of the losing fact are refused
    assert sum(line.startswith("refused") for line in lines) == 2 * n and len(stored) == n + 1


def test_a_writer_is_not_sent_back_by_unrelated_writes(tmp_path):
    """Another writer stores an unrelated fact during every proof: the insert still goes through
    on its first attempt (only facts that conflict make writers wait on each other)."""
    from linc.logic.formula import Const, Pred

    from .conftest import CountingProver

    db = tmp_path / "kg.sqlite"
    with KnowledgeGraph(db, prover=z3_prover()) as other:

        class Meddling(CountingProver):
            def _decide(self, premises, conclusion, timeout):
                other.assert_axiom(Pred("Own2", (Const(f"c{self.calls}"),)))
                return super()._decide(premises, conclusion, timeout)

        prover = Meddling(timeout=10.0, small_models=False)
        with KnowledgeGraph(db, prover=prover) as kg:
            kg.assert_axiom(RULE)
            kg.assert_axiom(Pred("Big", (Const("bob"),)))
            fact = kg.add(Pred("Red", (Const("bob"),)), use_kg=True)
            assert fact.fol == "Red(bob)" and len(fact.depends_on) == 2
            assert prover.calls == 1 and len(kg) == 4


def test_the_default_skips_the_flush_and_durable_true_flushes_every_commit(tmp_path):
    db = tmp_path / "kg.sqlite"
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        assert kg._store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        kg.assert_axiom(RULE)
        kg.durable = True
        assert kg._store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with KnowledgeGraph(db, prover=z3_prover(), durable=True) as kg:
        assert kg._store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert [f.formula for f in kg.facts()] == [RULE]


def stored_in_main_file(db: Path, tmp_path: Path) -> int:
    """How many facts the database file holds on its own, without its WAL (a copy, read alone)."""
    alone = tmp_path / "alone" / "kg.sqlite"
    alone.parent.mkdir(exist_ok=True)
    shutil.copyfile(db, alone)
    conn = sqlite3.connect(alone)
    try:
        if not conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'facts'").fetchone()[0]:
            return 0  # not even the schema was checkpointed yet
        return conn.execute("SELECT count(*) FROM facts").fetchone()[0]
    finally:
        conn.close()


def test_sigkill_keeps_acknowledged_facts_that_are_in_the_wal_only(tmp_path):
    """No flush and no checkpoint before the kill: the facts live only in the WAL (the operating
    system's page cache), and every acknowledged one is read back after the kill."""
    db = tmp_path / "kg.sqlite"
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        kg.assert_axiom(RULE)  # closing checkpoints: the file itself holds the schema and the rule
    child = start(db, "w", 0, "chain", "hold")
    lines = [child.stdout.readline() for _ in range(30)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    acked = acknowledged(lines)
    assert len(acked) == 30 and (tmp_path / "kg.sqlite-wal").stat().st_size > 0
    assert stored_in_main_file(db, tmp_path) == 1  # none of the 30 reached the database file
    with KnowledgeGraph(db, prover=z3_prover(), create=False) as kg:
        assert kg.integrity() == "ok"
        assert acked.items() <= {f.id: f.fol for f in kg.facts()}.items()


def test_commits_are_checkpointed_in_the_background(tmp_path, monkeypatch):
    """The WAL reaches the database file soon after the commits, without closing or another commit."""
    monkeypatch.setattr(store_module, "CHECKPOINT_DELAY", 0.05)
    db = tmp_path / "kg.sqlite"
    with KnowledgeGraph(db, prover=z3_prover()) as kg:
        for i in range(5):
            kg.assert_axiom(f"Big(c{i})")
        deadline = time.monotonic() + 30
        while stored_in_main_file(db, tmp_path) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored_in_main_file(db, tmp_path) == 5
        threads = [t for t in threading.enumerate() if t.name == "linc-kg-checkpoint"]
    assert not [t for t in threads if t.is_alive()]  # closing stopped the checkpointing thread
