"""Eval test fixtures: test-only parser plugins, small datasets written on the fly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parent / "plugins"
# Set at import, before any worker process exists, so every start method's workers see the plugins.
os.environ["LINC_PLUGIN_PATH"] = os.pathsep.join(p for p in (str(PLUGINS), os.environ.get("LINC_PLUGIN_PATH", "")) if p)

from linc import plugins  # noqa: E402

plugins.reload()


def fol_problem(i: int, answer: str = "True", gold: str | None = None, **meta) -> dict:
    """A small gold-FOL problem whose FOL gives ``answer``; its gold label is ``gold`` (default:
    the same). Names vary with ``i`` so that problems differ."""
    c = f"c{i}"
    conclusion = {"True": f"Q({c})", "False": f"¬Q({c})", "Uncertain": f"R({c})"}[answer]
    return {
        "id": f"p{i}",
        "premises": ["Every P is Q.", f"C{i} is P."],
        "premises-FOL": ["∀x (P(x) → Q(x))", f"P({c})"],
        "conclusion": f"C{i} is {answer}.",
        "conclusion-FOL": conclusion,
        "label": gold or answer,
        **meta,
    }


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def small_jsonl(tmp_path: Path) -> Path:
    """Six problems, one of them wrongly labelled, two identical but for their id."""
    rows = [fol_problem(0), fol_problem(1, "False"), fol_problem(2, "Uncertain"), fol_problem(3, "True", gold="False"), fol_problem(4)]
    rows.append({**rows[0], "id": "dup"})
    return write_jsonl(tmp_path / "small.jsonl", rows)
