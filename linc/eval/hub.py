"""Datasets on the Hugging Face Hub, loaded with ``datasets`` (the ``hub`` extra), pinned.

LINC's own Hub dataset moved and broke its runs, so each registered name fixes the dataset id,
the default revision and the field mapping here, in one table. ``NAME:SPLIT`` picks another split,
``NAME@REVISION`` (or ``NAME:SPLIT@REVISION``) another revision: a branch, a tag or a commit.
Whatever was asked, the dataset's ``source`` names the commit the rows came from
(``ORG/NAME@SHA [SPLIT]``), so a run's summary and ``run.json`` say exactly what was evaluated,
and a run of another commit does not resume into it. Offline, ``datasets`` serves its latest
cached copy whatever revision is asked; a commit that is not the cached one is refused.
The mapping is plain Python over rows, so it is tested offline on a local ``Dataset``.
"""

from __future__ import annotations

import os
import re
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Iterator
from urllib.parse import urlsplit

from linc.errors import DatasetError
from linc.eval.datasets import Dataset, DatasetIssue, DatasetReader, normalise_label, problem_from_record, read_file, unique_ids
from linc.parsing.base import Problem

__all__ = ["HubPin", "FolioHub", "ProofWriterHub", "rows_to_dataset"]

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class HubPin:
    """Where a dataset lives on the Hub, exactly."""

    repo: str
    revision: str
    split: str
    config: str | None = None


def folio_row(row: dict[str, Any], default_id: str) -> Problem:
    """FOLIO on the Hub keeps premises and their FOL as newline-joined strings."""
    return problem_from_record(row, default_id)


def proofwriter_row(row: dict[str, Any], default_id: str) -> Problem:
    """tasksource/proofwriter: ``theory`` (sentences), ``question``, ``answer``, ``QDep``."""
    theory, question = row.get("theory"), row.get("question")
    if not isinstance(theory, str) or not isinstance(question, str):
        raise ValueError("'theory' and 'question' must be strings")
    record = {
        "id": row.get("id") or default_id,
        "premises": [s.strip() for s in _SENTENCE.split(theory.strip()) if s.strip()],
        "conclusion": question,
        "label": normalise_label(row["answer"]) if row.get("answer") is not None else None,
        **{k: v for k, v in row.items() if k not in {"id", "theory", "question", "answer"}},
    }
    return problem_from_record(record, default_id)


def rows_to_dataset(name: str, rows: Iterable[dict[str, Any]], to_problem: Callable[[dict[str, Any], str], Problem], source: str) -> Dataset:
    """Map rows to problems; a bad row is reported (its 1-based row number) and skipped."""
    rows_read: list[tuple[int, Problem]] = []
    issues: list[DatasetIssue] = []
    for number, row in enumerate(rows, 1):
        try:
            rows_read.append((number, to_problem(dict(row), f"{name}:{number}")))
        except (ValueError, KeyError, TypeError) as err:
            issues.append(DatasetIssue(number, f"row {number}: {err}"))
    problems = unique_ids(rows_read, "row")
    if not problems:
        raise DatasetError(f"{source} holds no readable problem")
    return Dataset(name, problems, issues, source)


class HubReader(DatasetReader):
    """A pinned Hub dataset; ``source`` (from ``NAME:SPLIT``, ``NAME@REVISION``,
    ``NAME:SPLIT@REVISION``) overrides the split and the revision. ``NAME:FILE`` reads a local
    copy instead (any format linc reads), with this dataset's semantics."""

    needs_source: ClassVar[bool] = False
    pin: ClassVar[HubPin]
    semantics: ClassVar[str] = "classical"
    to_problem: ClassVar[Callable[[dict[str, Any], str], Problem]]

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        import importlib.util

        pinned = f"{cls.pin.repo}@{cls.pin.revision}"
        if importlib.util.find_spec("datasets") is None:
            return False, f"{pinned}; needs the Hub client: pip install 'linc[hub]'"
        return True, pinned

    def load(self, source: str | None = None) -> Dataset:
        if source and Path(source).expanduser().is_file():
            return read_file(Path(source).expanduser()).declare_semantics(self.semantics)
        try:
            import datasets
        except ImportError:
            raise DatasetError(f"dataset {self.name!r} needs the Hub client: pip install 'linc[hub]'") from None
        split, _, revision = (source or "").partition("@")
        split, revision = split or self.pin.split, revision or self.pin.revision
        where = f"{self.pin.repo}@{revision} [{split}]"
        unreachable = None if _offline_requested() else hub_unreachable()
        try:
            with _offline(datasets, unreachable is not None or _offline_requested()):
                builder = datasets.load_dataset_builder(self.pin.repo, self.pin.config, revision=revision)
                builder.download_and_prepare()
                rows = builder.as_dataset(split=split)
        except (OSError, ValueError, ConnectionError) as err:
            if unreachable is not None or _offline_requested():
                why = f"the Hugging Face Hub cannot be reached ({unreachable})" if unreachable else "HF_HUB_OFFLINE is set"
                raise DatasetError(f"cannot load {where}: {why} and it is not in the local cache; run once online, "
                                   f"or evaluate a local copy: linc eval FILE.jsonl (README: Getting the data)") from None
            raise DatasetError(f"cannot load {where} from the Hub: {err}") from None
        commit = str(builder.hash)  # online the commit the revision resolved to; offline the cached one's
        if _COMMIT.fullmatch(revision.lower()) and commit != revision.lower():
            raise DatasetError(f"cannot load {where}: offline, the local cache holds {self.pin.repo} at commit {commit} "
                               f"only; run once online to fetch {revision}, or leave the revision out to use the cached one")
        source = f"{self.pin.repo}@{commit} [{split}]"
        return rows_to_dataset(self.name, rows, type(self).to_problem, source).declare_semantics(self.semantics)


def _offline_requested() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def hub_unreachable(seconds: float = 3.0) -> str | None:
    """Why the Hub's endpoint (``$HF_ENDPOINT`` or huggingface.co) cannot be reached, or None.
    One TCP connection with a short limit: offline, ``datasets`` would otherwise retry for
    about half a minute before failing."""
    url = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host, port = url.hostname or "huggingface.co", url.port or (80 if url.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=seconds).close()
    except OSError as err:
        return f"{host}:{port}: {err.strerror or err}"
    return None


@contextmanager
def _offline(datasets: Any, offline: bool) -> Iterator[None]:
    """``datasets`` and ``huggingface_hub`` in offline mode (the local cache only) for the block."""
    if not offline:
        yield
        return
    import huggingface_hub.constants as hub

    saved = datasets.config.HF_HUB_OFFLINE, hub.HF_HUB_OFFLINE
    datasets.config.HF_HUB_OFFLINE = hub.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        datasets.config.HF_HUB_OFFLINE, hub.HF_HUB_OFFLINE = saved


class FolioHub(HubReader):
    name = "folio"
    description = "FOLIO (Han et al.) from the Hugging Face Hub, gold FOL included"
    pin = HubPin(repo="yale-nlp/FOLIO", revision="main", split="validation")
    to_problem = staticmethod(folio_row)


class ProofWriterHub(HubReader):
    name = "proofwriter"
    description = "ProofWriter (Tafjord et al.) from the Hugging Face Hub, with depth"
    pin = HubPin(repo="tasksource/proofwriter", revision="main", split="validation")
    semantics = "proofwriter"
    to_problem = staticmethod(proofwriter_row)
