"""SQLite persistence of facts: one file, WAL journal, one transaction per change.

Why these settings: WAL lets readers run while one process writes; ``BEGIN IMMEDIATE`` takes the
write lock up front, so a writer's consistency check and its insert happen as one step while
other writers queue on the busy timeout (two contradicting facts can never both get in); a
``revision`` counter in the file tells every process when its in-memory index is stale.

Durability. By default (``durable=False``, ``synchronous=NORMAL``) a commit writes its WAL frames
to the operating system before it returns and flushes nothing: an insert that returned survives
the process being killed (SIGKILL, a crash) because the kernel holds the data; a power cut or an
operating-system crash may lose the inserts not yet checkpointed (those of the last second or
so: a background checkpoint flushes the WAL and the database within :data:`CHECKPOINT_DELAY` of
a commit), and never tears the file. ``durable=True`` (``synchronous=FULL``) flushes the WAL at
every commit, so a returned insert survives a power cut too, for the price of one fsync each.
Either way checkpoints run off the insert path, in a short-lived thread with its own connection
(SQLite's automatic checkpoint stays as a safety net past :data:`AUTOCHECKPOINT_PAGES`).

A file damaged after opening (a corrupt page, a tampered row) surfaces as :class:`DatabaseError`
naming the file and what to do, never as a raw ``sqlite3`` error.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence

from linc.kg import codec
from linc.kg.errors import DatabaseError, MalformedFactError
from linc.kg.facts import Fact, FactKind, Premise, symbols
from linc.logic.formula import Formula

#: Identifies a linc knowledge-graph file (``PRAGMA application_id``), ASCII "linK".
APPLICATION_ID = 0x6C696E4B
SCHEMA_VERSION = 2
#: Statements that bring a file of each older schema version one version up.
_UPGRADES = {
    1: [
        "ALTER TABLE facts ADD COLUMN checked INTEGER NOT NULL DEFAULT 1 CHECK (checked IN (0, 1))",
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', '0')",
    ]
}
# Ids per IN (...) query: well under SQLite's bound-parameter limit on every build.
_CHUNK = 500
#: Seconds after a commit within which the background checkpoint flushes it to disk.
CHECKPOINT_DELAY = 0.5
#: WAL pages past which a commit checkpoints on its own path (the background one fell behind).
AUTOCHECKPOINT_PAGES = 10_000

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE facts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    fol TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('axiom', 'derived')),
    text TEXT,
    premises TEXT NOT NULL,
    parser TEXT,
    model TEXT,
    prover TEXT,
    proof TEXT,
    seconds REAL,
    created_at TEXT NOT NULL,
    checked INTEGER NOT NULL DEFAULT 1 CHECK (checked IN (0, 1))
);
CREATE TABLE depends (
    fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    on_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    PRIMARY KEY (fact_id, on_id)
);
CREATE INDEX depends_on_id ON depends(on_id);
CREATE TABLE symbols (
    fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (fact_id, kind, name)
);
CREATE INDEX symbols_name ON symbols(kind, name);
INSERT INTO meta (key, value) VALUES ('revision', '0');
INSERT INTO meta (key, value) VALUES ('epoch', '0');
"""


def _check_text(field: str, value: object) -> None:
    """A provenance field is text SQLite can store (UTF-8: no lone surrogates), or None."""
    if value is None:
        return
    if not isinstance(value, str):
        raise MalformedFactError(f"the fact's {field} must be text, not {type(value).__name__} {value!r:.80}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedFactError(f"the fact's {field} is not valid text: {exc.reason} at position {exc.start}") from None


class _Checkpointer:
    """Checkpoints the WAL off the insert path: after a commit, a thread with its own connection
    waits ``delay`` seconds (so a burst of commits shares one checkpoint), runs a passive
    checkpoint (flush the WAL, copy it into the database, flush that) and exits once a wait
    brings no new commit."""

    def __init__(self, path: Path, delay: float):
        self._path, self._delay = path, delay
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def poke(self) -> None:
        """A commit happened: checkpoint within ``delay`` seconds."""
        with self._lock:
            self._pending = True
            if self._thread is None and not self._stopped.is_set():
                self._thread = threading.Thread(target=self._run, name="linc-kg-checkpoint", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self._path, timeout=5.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            logger.warning("cannot open %s to checkpoint it: %s", self._path, exc)
            with self._lock:
                self._thread = None
            return
        try:
            while True:
                self._stopped.wait(self._delay)
                with self._lock:
                    if not self._pending or self._stopped.is_set():
                        self._thread = None
                        return
                    self._pending = False
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # busy or damaged: the next commit or closing retries
                    logger.debug("checkpoint of %s failed: %s", self._path, exc)
        finally:
            db.close()

    def stop(self) -> None:
        """Stop and wait for the thread (closing the store then checkpoints on its own path)."""
        self._stopped.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()


class Store:
    """The facts table and its indexes in one SQLite file; returns :class:`Fact` records."""

    def __init__(self, path: str | Path, *, create: bool = True, busy_timeout: float = 30.0, durable: bool = False):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.written_revision = 0
        self._durable = durable
        try:
            exists, is_file, folder = self.path.exists(), self.path.is_file(), self.path.parent.is_dir()
        except OSError as exc:  # a name too long, ...
            raise DatabaseError(f"cannot open {self.path}: {getattr(exc, 'strerror', None) or exc}") from None
        if not exists:
            if not create:
                raise DatabaseError(f"no knowledge graph at {self.path} yet: the first fact added creates it "
                                    f"(linc kg add --db {self.path} --axiom FACT, or KnowledgeGraph(path).assert_axiom)")
            if not folder:
                raise DatabaseError(f"cannot create {self.path}: folder {self.path.parent} does not exist")
        elif not is_file:
            raise DatabaseError(f"{self.path} is not a file")
        try:
            # One thread at a time, but it may be handed between threads (agents run tools in workers).
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        except (sqlite3.Error, ValueError) as exc:  # ValueError: a NUL in the name
            raise DatabaseError(f"cannot open {self.path}: {exc}") from exc
        self._checkpointer = _Checkpointer(self.path, CHECKPOINT_DELAY)
        try:
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise self.damaged(exc) from exc
        except DatabaseError:
            self._db.close()
            raise

    def _setup(self) -> None:
        db = self._db
        db.execute("PRAGMA foreign_keys = ON")
        self._retry(lambda: db.execute("PRAGMA journal_mode = WAL").fetchone())
        db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
        self.durable = self._durable
        if self._version() == (APPLICATION_ID, SCHEMA_VERSION):
            return
        with self._transaction():  # re-checked under the write lock: another process may be creating it
            app_id, version = self._version()
            if (app_id, version) == (APPLICATION_ID, SCHEMA_VERSION):
                return
            if app_id == APPLICATION_ID and version in _UPGRADES:
                for old in range(version, SCHEMA_VERSION):
                    for statement in _UPGRADES[old]:
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            if app_id == APPLICATION_ID:
                raise DatabaseError(f"{self.path} has schema version {version}; this linc reads version {SCHEMA_VERSION}, upgrade linc")
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != APPLICATION_ID and (app_id or tables):
                raise DatabaseError(f"{self.path} is an SQLite database but not a linc knowledge graph")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def durable(self) -> bool:
        return self._durable

    @durable.setter
    def durable(self, value: bool) -> None:
        self._durable = value
        self._retry(lambda: self._db.execute(f"PRAGMA synchronous = {'FULL' if value else 'NORMAL'}"))

    def _version(self) -> tuple[int, int]:
        app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        return app_id, version

    def close(self) -> None:
        self._checkpointer.stop()
        self._db.close()

    # ------------------------------------------------------------ transactions

    def damaged(self, why: object) -> DatabaseError:
        """The typed error for a file SQLite cannot read (any more), with what to do about it."""
        return DatabaseError(
            f"{self.path} is not a readable knowledge graph ({why}): restore it from a backup, or"
            f" salvage what is readable with `sqlite3 {self.path} .recover`"
        )

    def _retry(self, action):
        """Run ``action``, retrying while another process holds the lock past the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy:
                    raise self.damaged(exc) from exc
                if time.monotonic() > deadline:
                    raise DatabaseError(f"{self.path}: {exc} (another process held it for {self.busy_timeout:g} s)") from exc
                time.sleep(random.uniform(0.01, 0.05))
            except sqlite3.DatabaseError as exc:
                raise self.damaged(exc) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any error, which surfaces as DatabaseError."""
        self._retry(lambda: self._db.execute("BEGIN IMMEDIATE"))
        try:
            yield self._db
            self._retry(lambda: self._db.execute("COMMIT"))
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from exc
        finally:
            self._end()

    def _end(self) -> None:
        """Roll back what is still open; a damaged file may refuse even that (the error in flight says why)."""
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    @contextmanager
    def change(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the write lock; bumps the revision if anything was written
        (then :attr:`written_revision` is the file's new revision)."""
        with self._transaction() as db:
            before = db.total_changes
            yield db
            wrote = db.total_changes != before
            if wrote:
                self.written_revision = self.revision() + 1
                db.execute("UPDATE meta SET value = ? WHERE key = 'revision'", (str(self.written_revision),))
        if wrote:
            self._checkpointer.poke()  # after COMMIT: the commit is in the WAL, flushed soon

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: several reads see one state even while another process writes."""
        self._query("BEGIN")
        try:
            yield
        finally:
            self._end()

    def revision(self) -> int:
        """Bumped by every change: an index at an older revision is stale."""
        return self._counter("revision")

    def epoch(self) -> int:
        """Bumped when checked facts leave (retraction) or join out of id order (promotion): an
        index of an older epoch cannot catch up by applying new rows and is rebuilt."""
        return self._counter("epoch")

    def new_epoch(self, db: sqlite3.Connection) -> int:
        """Inside a :meth:`change`: bump the epoch; returns the new one."""
        value = self.epoch() + 1
        db.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", (str(value),))
        return value

    def _counter(self, key: str) -> int:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        value = rows[0][0] if rows else None
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise self.damaged(f"its {key} row reads {value!r}, not a number") from None

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run a read; a file damaged after opening surfaces as :class:`DatabaseError`."""
        return self._retry(lambda: self._db.execute(sql, params).fetchall())

    # ------------------------------------------------------------ writes

    def insert(
        self,
        db: sqlite3.Connection,
        formula,
        kind: FactKind,
        *,
        premises: Sequence[Premise] = (),
        text: str | None = None,
        parser: str | None = None,
        model: str | None = None,
        prover: str | None = None,
        proof: str | None = None,
        seconds: float | None = None,
        depends_on: Sequence[int] = (),
        checked: bool = True,
    ) -> int:
        """Insert inside a :meth:`change` transaction; returns the new id."""
        for field, value in (("text", text), ("parser", parser), ("model", model), ("prover", prover), ("proof", proof),
                             *(("premise text", p.text) for p in premises)):
            _check_text(field, value)
        cur = db.execute(
            "INSERT INTO facts (key, fol, kind, text, premises, parser, model, prover, proof, seconds, created_at, checked)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                codec.dumps(formula),
                str(formula),
                kind.value,
                text,
                json.dumps([p.to_dict() for p in premises], ensure_ascii=False),
                parser,
                model,
                prover,
                proof,
                seconds,
                datetime.now(timezone.utc).isoformat(timespec="microseconds"),
                int(checked),
            ),
        )
        fact_id = cur.lastrowid
        db.executemany("INSERT INTO depends (fact_id, on_id) VALUES (?, ?)", [(fact_id, d) for d in sorted(set(depends_on))])
        db.executemany("INSERT INTO symbols (fact_id, kind, name) VALUES (?, ?, ?)", [(fact_id, k, n) for k, n in sorted(symbols(formula))])
        return fact_id

    def dependents_closure(self, fact_id: int) -> list[int]:
        """``fact_id`` and every fact that depends on it, directly or through others."""
        rows = self._query(
            "WITH RECURSIVE down(id) AS (SELECT id FROM facts WHERE id = ?"
            " UNION SELECT depends.fact_id FROM depends JOIN down ON depends.on_id = down.id)"
            " SELECT id FROM down ORDER BY id",
            (fact_id,),
        )
        return [r[0] for r in rows]

    def supports_closure(self, fact_id: int) -> list[int]:
        """Every stored fact ``fact_id`` rests on, directly or through others."""
        rows = self._query(
            "WITH RECURSIVE up(id) AS (SELECT on_id FROM depends WHERE fact_id = ?"
            " UNION SELECT depends.on_id FROM depends JOIN up ON depends.fact_id = up.id)"
            " SELECT id FROM up ORDER BY id",
            (fact_id,),
        )
        return [r[0] for r in rows]

    @staticmethod
    def mark_checked(db: sqlite3.Connection, fact_id: int) -> None:
        db.execute("UPDATE facts SET checked = 1 WHERE id = ?", (fact_id,))

    @staticmethod
    def delete(db: sqlite3.Connection, ids: Sequence[int]) -> None:
        db.executemany("DELETE FROM facts WHERE id = ?", [(i,) for i in ids])

    # ------------------------------------------------------------ reads

    def facts(self, ids: Sequence[int] | None = None) -> list[Fact]:
        """All facts in insertion order, or those with the given ids."""
        if ids is None:
            rows = self._query("SELECT * FROM facts ORDER BY id")
            links = self._query("SELECT fact_id, on_id FROM depends ORDER BY on_id")
        else:
            rows, links = [], []
            for start in range(0, len(ids), _CHUNK):
                chunk = list(ids[start : start + _CHUNK])
                marks = ",".join("?" * len(chunk))
                rows += self._query(f"SELECT * FROM facts WHERE id IN ({marks})", chunk)
                links += self._query(f"SELECT fact_id, on_id FROM depends WHERE fact_id IN ({marks})", chunk)
            rows.sort()
            links.sort(key=lambda link: link[1])
        deps: dict[int, list[int]] = {}
        for fact_id, on_id in links:
            deps.setdefault(fact_id, []).append(on_id)
        return [self._fact(row, deps.get(row[0], [])) for row in rows]

    def formulas_after(self, last_id: int) -> list[tuple[int, Formula]]:
        """(id, formula) of every checked fact with a larger id than ``last_id``, in id order."""
        out = []
        constants: dict = {}  # one Const per name across the facts read
        for fact_id, key in self._query("SELECT id, key FROM facts WHERE id > ? AND checked = 1 ORDER BY id", (last_id,)):
            try:
                out.append((fact_id, codec.loads(key, constants)))
            except MalformedFactError as exc:
                raise self.damaged(f"fact {fact_id} does not decode: {exc}") from exc
        return out

    def count(self) -> int:
        return self._query("SELECT count(*) FROM facts")[0][0]

    def find(self, formula) -> int | None:
        """The id of the fact equal to ``formula``, if stored."""
        rows = self._query("SELECT id FROM facts WHERE key = ?", (codec.dumps(formula),))
        return rows[0][0] if rows else None

    def with_symbol(self, kind: str, name: str) -> list[int]:
        rows = self._query("SELECT fact_id FROM symbols WHERE kind = ? AND name = ? ORDER BY fact_id", (kind, name))
        return [r[0] for r in rows]

    def integrity(self) -> str:
        """SQLite's own check: ``"ok"`` when the file is sound."""
        return self._query("PRAGMA integrity_check")[0][0]

    def _fact(self, row: tuple, depends_on: list[int]) -> Fact:
        fact_id, key, _fol, kind, text, premises, parser, model, prover, proof, seconds, created_at, checked = row
        try:
            formula = codec.loads(key)
            premise_list = tuple(Premise.from_dict(p) for p in json.loads(premises))
        except (MalformedFactError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise self.damaged(f"fact {fact_id} does not decode: {exc}") from exc
        return Fact(
            id=fact_id,
            formula=formula,
            kind=FactKind(kind),
            created_at=created_at,
            premises=premise_list,
            text=text,
            parser=parser,
            model=model,
            prover=prover,
            proof=proof,
            seconds=seconds,
            depends_on=tuple(depends_on),
            checked=bool(checked),
        )
