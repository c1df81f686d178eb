"""The on-disk record of an evaluation run, written so that no finished problem is ever lost.

``DIR/run.json`` holds the settings the records were made with; ``DIR/problems.jsonl`` gets one
line per finished problem, written with a single ``write`` before the run moves on, so a killed
process (Ctrl-C, SIGKILL) loses no finished problem. A write is fsynced when the last fsync is
:data:`SYNC_SECONDS` old, and the store fsyncs when it closes (an fsync per record took
milliseconds, longer than a problem): a power cut loses the records written since the last fsync,
those of the last :data:`SYNC_SECONDS` or so; before a pause they stay unsynced until the next
write or the close. A run stopped at any instant leaves at
worst one torn last line, which :meth:`RunStore.open` cuts off; re-running with the same settings
skips every problem already recorded. A setting that adds to the records without changing their
answers (:data:`AMENDABLE`: judging the translations) may differ: the run resumes, ``run.json``
takes the new value, and :meth:`RunStore.amend` rewrites the records brought up to date.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from linc.errors import LincError

__all__ = ["AMENDABLE", "RunStore", "ResumeError", "RECORDS", "SETTINGS", "SUMMARY", "SYNC_SECONDS"]

#: A write is fsynced when the last fsync is this many seconds old (and the store fsyncs on close).
SYNC_SECONDS = 0.5
RECORDS = "problems.jsonl"
SETTINGS = "run.json"
SUMMARY = "summary.json"


class ResumeError(LincError):
    """``--out DIR`` holds a run made with other settings or of another dataset; its records
    cannot be mixed with these."""

#: Settings that add to the records rather than change their answers: a run made with another
#: value of one resumes (:func:`linc.eval.runner.evaluate` judges the translations of the records
#: that lack them, without solving again).
AMENDABLE = ("translation",)

#: The key of ``run.json`` that names the run's dataset (beside the settings; runs written before
#: it existed resume whatever their dataset).
DATASET = "dataset"


class RunStore:
    """Append-only per-problem records in ``out_dir``, resumable."""

    def __init__(self, out_dir: str | os.PathLike[str], settings: dict[str, Any], dataset: str | None = None):
        """``dataset``: what the records are answers to (a file's name); a run of another one is
        refused: its records would join these in one problems.jsonl, and the report would show
        the two datasets as one run."""
        self.dir = Path(out_dir)
        self.settings = settings
        self.dataset = dataset
        self._fd: int | None = None
        self._synced = 0.0  # time.monotonic() of the last fsync
        self._unsynced = False

    @property
    def records_path(self) -> Path:
        return self.dir / RECORDS

    def open(self) -> dict[str, dict[str, Any]]:
        """Check the settings, repair a torn last line, and return the finished records by id."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._check_settings()
            done = self._load()
            self._fd = os.open(self.records_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as err:
            raise ResumeError(f"cannot use {self.dir} for results: {err}") from None
        return done

    def append(self, record: dict[str, Any]) -> None:
        """Write one record: one write call; an fsync when the last was :data:`SYNC_SECONDS` ago."""
        if self._fd is None:
            raise ResumeError("the run store is not open")
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._unsynced = True
        if time.monotonic() - self._synced >= SYNC_SECONDS:
            self._sync(self._fd)

    def amend(self, records: list[dict[str, Any]]) -> None:
        """Replace the records of these ids with these (brought up to date: judged), keeping every
        other line as it is: written whole beside the file, fsynced, then moved over it, so a
        run stopped at any instant leaves the old records or the new ones, never a mix."""
        if self._fd is None:
            raise ResumeError("the run store is not open")
        if not records:
            return
        new = {str(r["id"]): (json.dumps(r, ensure_ascii=False, default=str) + "\n").encode("utf-8") for r in records}
        lines = []
        for line in self.records_path.read_bytes().splitlines(keepends=True):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            key = str(record["id"]) if isinstance(record, dict) and "id" in record else None
            lines.append(new.pop(key) if key in new else line)
        lines += new.values()  # ids not in the file yet (none, as the runner calls it)
        tmp = self.records_path.with_suffix(".tmp")
        try:
            with tmp.open("wb") as handle:
                handle.write(b"".join(lines))
                handle.flush()
                os.fsync(handle.fileno())
            os.close(self._fd)
            self._fd = None
            os.replace(tmp, self.records_path)
            self._fd = os.open(self.records_path, os.O_WRONLY | os.O_APPEND, 0o644)
        except OSError as err:
            raise ResumeError(f"cannot rewrite {self.records_path}: {err}") from None

    def _sync(self, fd: int) -> None:
        os.fsync(fd)
        self._synced, self._unsynced = time.monotonic(), False

    def close(self) -> None:
        """Flush what is not on disk yet, and close."""
        if self._fd is not None:
            try:
                if self._unsynced:
                    self._sync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> "RunStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    def _check_settings(self) -> None:
        path = self.dir / SETTINGS
        theirs = None
        if path.exists():
            try:
                previous = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                previous = None
            theirs = previous.pop(DATASET, None) if isinstance(previous, dict) else None
            ours = json.loads(json.dumps(self.settings, default=str))
            differ = sorted(k for k in set(ours) | set(previous or {}) if (previous or {}).get(k) != ours.get(k))
            if not isinstance(previous, dict) or set(differ) - set(AMENDABLE):
                shown = [k for k in differ if k not in AMENDABLE] if isinstance(previous, dict) else []
                raise ResumeError(
                    f"{self.dir} holds a run made with other settings ({', '.join(shown) or 'unreadable run.json'}); "
                    "use another --out directory or delete this one"
                )
            if theirs is not None and self.dataset is not None and theirs != self.dataset:
                raise ResumeError(f"{self.dir} holds a run of another dataset ({theirs}, not {self.dataset}); "
                                  "use another --out directory or delete this one")
            if not differ:
                return
        dataset = self.dataset if self.dataset is not None else theirs  # run.json takes the amended settings
        written = {**self.settings, DATASET: dataset} if dataset is not None else self.settings
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(written, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, path)

    def _load(self) -> dict[str, dict[str, Any]]:
        path = self.records_path
        if not path.exists():
            return {}
        data = path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a write cut short by a kill: drop the partial line
            with path.open("r+b") as handle:
                handle.truncate(end)
                os.fsync(handle.fileno())
        done: dict[str, dict[str, Any]] = {}
        for line in data[:end].splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "id" in record:
                done[str(record["id"])] = record
        return done
