"""Crash safety and concurrent writers, with real processes on a real file."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from linc.kg import KnowledgeGraph

from .conftest import z3_prover

WRITER = Path(__file__).with_name("writer.py")


def start(db: Path, name: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WRITER), str(db), name, str(count)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def acknowledged(lines: list[str]) -> dict[int, str]:
    return {int(i): fol for i, fol in (line.rstrip("\n").split(" ", 1) for line in lines)}


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
