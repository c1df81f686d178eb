"""An on-disk cache of LLM calls, so re-running an evaluation or a session costs no model call.

Keyed by the model's identity (its type and identifying parameters), the sampling parameters and
the whole conversation sent; the value is the list of completions received so far for that key, so
asking for 10 samples after 5 were cached makes only 5 new calls. One SQLite file, safe to share
between threads and processes (SQLite's own locking; writes are single statements).

>>> import tempfile, os
>>> cache = LLMCache(os.path.join(tempfile.mkdtemp(), "calls.sqlite"))
>>> key = cache.key({"type": "fake"}, {"temperature": 0.7}, [("human", "hello")])
>>> cache.add(key, ["hi"]); cache.get(key)
['hi']
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from linc.errors import ParserError
from linc.parsing.readings import cache_dir

CACHE_FILE = "llm-calls.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    completions TEXT NOT NULL,
    updated REAL NOT NULL
)"""


def default_cache_path() -> Path:
    """``$LINC_CACHE_DIR/llm-calls.sqlite``, else the user cache dir of the platform."""
    return cache_dir() / CACHE_FILE


def model_identity(model: BaseChatModel) -> dict[str, Any]:
    """What tells one configured model from another (class, LangChain type, identifying params)."""
    cls = type(model)
    return {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "type": model._llm_type,
        "params": json.loads(json.dumps(model._identifying_params, sort_keys=True, default=str)),
    }


def conversation(messages: list[BaseMessage]) -> list[tuple[str, str]]:
    """The part of a conversation that determines the answer: (role, text) per message."""
    return [(m.type, m.content if isinstance(m.content, str) else json.dumps(m.content, sort_keys=True))
            for m in messages]


class LLMCache:
    """Completions by key, in one SQLite file created on first use."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else default_cache_path()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
                db.execute(_SCHEMA)
            except (OSError, sqlite3.Error) as err:
                raise ParserError(f"cannot open the LLM call cache {self.path}: {err}") from err
            self._db = db
        return self._db

    @staticmethod
    def key(identity: dict[str, Any], params: dict[str, Any], messages: list[tuple[str, str]]) -> str:
        blob = json.dumps({"model": identity, "params": params, "messages": messages},
                          sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key: str) -> list[str]:
        """The completions cached under ``key`` (empty if none)."""
        with self._lock:
            try:
                row = self._connect().execute("SELECT completions FROM calls WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as err:
                raise ParserError(f"cannot read the LLM call cache {self.path}: {err}") from err
        return json.loads(row[0]) if row else []

    def add(self, key: str, completions: list[str], model: str = "") -> None:
        """Append ``completions`` to those cached under ``key``."""
        if not completions:
            return
        with self._lock:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                row = db.execute("SELECT completions FROM calls WHERE key = ?", (key,)).fetchone()
                stored = (json.loads(row[0]) if row else []) + list(completions)
                db.execute("INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?)",
                           (key, model, json.dumps(stored, ensure_ascii=False), time.time()))
                db.execute("COMMIT")
            except sqlite3.Error as err:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise ParserError(f"cannot write the LLM call cache {self.path}: {err}") from err

    def __len__(self) -> int:
        with self._lock:
            return self._connect().execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
