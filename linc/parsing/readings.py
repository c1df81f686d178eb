"""The grammar parser's readings kept on disk: each sentence shape is chart-parsed once, ever.

The grammar parser parses a sentence's skeleton (its content words replaced by slots), and the
readings of a skeleton depend on nothing but the grammar; a chart parse costs ~1 ms, and importing
nltk to do it a good part of a second, which a run whose shapes are all stored never pays. The
readings are kept in one SQLite file in the linc cache directory (``$LINC_CACHE_DIR``, else the
platform's user cache directory), keyed by a hash of the grammar and of the readings' format, so
a changed grammar never sees another's readings. Forked workers and later runs share the file
(SQLite's own locking), so a shape one of them parsed is not parsed again. The file is in WAL mode
with ``synchronous=NORMAL``: a write is not flushed to the disk on its own (an fsync costs ~10 ms,
ten parses' worth) and a crash can lose the last writes, never the file's consistency.

A cache is never a reason to fail: a directory that cannot be written or a damaged file is logged
once and the parser goes on without the cache.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

#: Environment variable naming the cache directory (default: the platform's user cache dir).
CACHE_DIR_ENV = "LINC_CACHE_DIR"
READINGS_FILE = "grammar-readings.sqlite"

_SCHEMA = "CREATE TABLE IF NOT EXISTS readings (grammar TEXT NOT NULL, skeleton TEXT NOT NULL, " \
          "readings TEXT NOT NULL, PRIMARY KEY (grammar, skeleton))"


def cache_dir() -> Path:
    """``$LINC_CACHE_DIR``, else the user cache directory of the platform."""
    base = os.environ.get(CACHE_DIR_ENV)
    if not base:
        from platformdirs import user_cache_dir

        base = user_cache_dir("linc", appauthor=False)
    return Path(base)


class ReadingStore:
    """Readings (FOL texts over placeholder symbols) by skeleton, for one grammar."""

    def __init__(self, grammar: str, path: str | os.PathLike[str] | None = None):
        self.grammar = grammar  # a hash of the grammar and the readings' format
        self.path = Path(path) if path is not None else cache_dir() / READINGS_FILE
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._broken = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._db is None or self._pid != os.getpid():  # a forked worker opens its own connection
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(_SCHEMA)
            except (OSError, sqlite3.Error) as err:
                self._give_up(err)
                return None
            self._db, self._pid = db, os.getpid()
        return self._db

    def _give_up(self, err: Exception) -> None:
        logger.warning("grammar readings are not cached on disk (%s: %s)", self.path, err)
        self._broken = True

    def get(self, skeleton: tuple[str, ...]) -> list[str] | None:
        """The readings stored for ``skeleton``, or None when it was never parsed."""
        with self._lock:
            db = self._connect()
            if db is None:
                return None
            try:
                row = db.execute("SELECT readings FROM readings WHERE grammar = ? AND skeleton = ?",
                                 (self.grammar, json.dumps(skeleton))).fetchone()
                return json.loads(row[0]) if row else None
            except (sqlite3.Error, ValueError) as err:
                self._give_up(err)
                return None

    def put(self, skeleton: tuple[str, ...], readings: list[str]) -> None:
        with self._lock:
            db = self._connect()
            if db is None:
                return
            try:
                db.execute("INSERT OR REPLACE INTO readings VALUES (?, ?, ?)",
                           (self.grammar, json.dumps(skeleton), json.dumps(readings, ensure_ascii=False)))
            except sqlite3.Error as err:
                self._give_up(err)
