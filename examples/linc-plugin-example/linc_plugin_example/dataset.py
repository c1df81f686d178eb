"""A dataset format: CSV files with the columns ``premises`` (separated by `` | ``), ``conclusion``
and an optional ``label``, read with ``linc eval FILE.csv`` or ``linc eval csv:FILE``.

The contract: subclass :class:`linc.eval.datasets.DatasetReader`, set ``name`` (and ``suffixes``
so a bare path finds the reader), implement ``load(source)`` returning a
:class:`~linc.eval.datasets.Dataset`. A bad row is reported as a ``DatasetIssue`` and skipped;
raise :class:`linc.errors.DatasetError` only when nothing can be read.
"""

from __future__ import annotations

import csv
from pathlib import Path

from linc.errors import DatasetError
from linc.eval.datasets import Dataset, DatasetIssue, DatasetReader, normalise_label
from linc.parsing.base import Problem


class CsvReader(DatasetReader):
    name = "csv"
    description = "CSV: premises (separated by ' | '), conclusion, label"
    suffixes = (".csv",)

    def load(self, source: str | None = None) -> Dataset:
        path = Path(source or "")
        try:
            rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
        except OSError as err:
            raise DatasetError(f"cannot read {path}: {err.strerror or err}") from None
        problems, issues = [], []
        for line, row in enumerate(rows, 2):  # line 1 is the header
            try:
                premises = [p.strip() for p in (row.get("premises") or "").split(" | ") if p.strip()]
                if not premises or not (row.get("conclusion") or "").strip():
                    raise ValueError("needs premises and a conclusion")
                label = normalise_label(row["label"]) if (row.get("label") or "").strip() else None
            except ValueError as err:
                issues.append(DatasetIssue(line, str(err)))
                continue
            problems.append(Problem(premises, row["conclusion"].strip(), id=row.get("id") or f"{path.stem}:{line}", label=label))
        if not problems:
            raise DatasetError(f"{path} holds no readable problem")
        return Dataset(self.name, problems, issues, str(path))
