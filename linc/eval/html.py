"""One self-contained HTML file showing an evaluation run (``linc eval --out DIR``), or two runs
compared: the figures, a filterable table of every problem, and each problem's votes.

The figures are rendered by a Jinja2 template with autoescaping; the per-problem records travel
as JSON inside a ``<script type="application/json">`` block (every ``<``, ``>`` and ``&`` written
as a ``\\u`` escape, so no completion can close the block or open a comment) and the page's plain
JavaScript builds the table and the problem pages with ``textContent`` only. A Content Security
Policy lets only that script (named by its hash) run, as a second wall. Nothing is fetched:
the file opens from disk, offline, and can be attached to a paper or a pull request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from importlib import resources
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from linc.errors import LincError
from linc.eval.report import GOLD, PREDICTED, cause_of, summarise
from linc.eval.store import RECORDS, SETTINGS, SUMMARY

__all__ = ["ReportError", "load_run", "render_report", "write_report", "error_cause"]

#: Characters that must not appear raw inside a <script> element's JSON, and their JSON escapes.
_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


class ReportError(LincError):
    """A directory that holds no readable evaluation run."""


def load_run(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """A run's settings, records and summary from its directory; the summary is recomputed from
    the records when ``summary.json`` is missing (a run still going, or killed)."""
    path = Path(run_dir)
    records_path = path / RECORDS
    if not records_path.is_file():
        raise ReportError(f"{path} holds no evaluation run: {RECORDS} is missing (make one with `linc eval ... --out {path}`)")
    records = []
    text = records_path.read_text(encoding="utf-8")
    # A line not ended yet is a record being written (the run goes on) or cut short by a kill: the
    # run's own store drops it when it resumes, and so does the report.
    lines = text.splitlines() if text.endswith("\n") else text.splitlines()[:-1]
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise ReportError(f"{records_path} line {number} is not JSON") from None
        if not isinstance(record, dict) or "id" not in record:
            raise ReportError(f"{records_path} line {number} is not a problem record")
        records.append(record)
    settings = _read_json(path / SETTINGS) or {}
    summary = _read_json(path / SUMMARY)
    if not settings and not (summary or {}).get("settings"):
        raise ReportError(f"{path / SETTINGS} is missing: it holds the settings the run was made with "
                          f"(copy it with {RECORDS}, or run `linc eval ... --out {path}` again)")
    if summary is None:
        summary = summarise(records, settings=settings).to_dict()
    return {"name": path.name or str(path), "dir": str(path), "settings": settings, "summary": summary, "records": records}


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise ReportError(f"{path} is not JSON") from None
    return data if isinstance(data, dict) else None


def error_cause(record: dict[str, Any]) -> str:
    """Why a problem was answered wrongly, in a few words ('' when it was right or unlabelled)."""
    if record.get("correct") is not False:
        return ""
    verdict = record.get("verdict", {})
    votes = verdict.get("votes", [])
    if not votes:
        return f"no votes: {cause_of(verdict.get('reason') or 'worker failed')}"
    if record.get("label") in GOLD:
        return "wrong answer"
    if record.get("label") == "Unknown":
        return "prover limit"
    kinds = Counter(cause_of(v.get("error") or "") for v in votes if v.get("label") == "Error")
    return f"no valid vote: {kinds.most_common(1)[0][0]}" if kinds else "no valid vote"


def _sentences(run: dict[str, Any]) -> dict[str, tuple[list[str], str]]:
    """Sentences for records written before records carried them: read from the run's dataset
    file when it is still where the run found it."""
    if all("premises" in r for r in run["records"]):
        return {}
    source = str(run["summary"].get("dataset") or "")
    if not source or not Path(source).is_file():
        return {}
    from linc.eval.datasets import load_dataset

    try:
        dataset = load_dataset(source)
    except (LincError, OSError):
        return {}
    return {p.id: (list(p.premises), p.conclusion) for p in dataset.problems}


def _problem(record: dict[str, Any], fallback: dict[str, tuple[list[str], str]]) -> dict[str, Any]:
    """What the page needs of one record: the record's fields plus sentences, cause and repairs."""
    premises, conclusion = fallback.get(str(record["id"]), ([], ""))
    votes = record.get("verdict", {}).get("votes", [])
    return {
        **record,
        "premises": record.get("premises", premises),
        "conclusion": record.get("conclusion", conclusion),
        "cause": error_cause(record),
        "repaired": sum(1 for v in votes if v.get("repairs") or v.get("model_repairs")),
    }


def _view(run: dict[str, Any]) -> dict[str, Any]:
    """The template's view of one run: settings, headline figures and tables."""
    summary = run["summary"]
    settings = {**run["settings"], **summary.get("settings", {})}
    fallback = _sentences(run)
    problems = [_problem(r, fallback) for r in run["records"]]
    causes = Counter(p["cause"] for p in problems if p["cause"])
    confusion = summary.get("confusion", {})
    predicted = [p for p in PREDICTED if p in GOLD or any(row.get(p) for row in confusion.values())]
    return {
        "name": run["name"],
        "dir": run["dir"],
        "summary": summary,
        # summaries written before the fields were renamed say n and errors
        "labelled": summary.get("labelled", summary.get("n", 0)),
        "unanswered": summary.get("unanswered", summary.get("errors", 0)),
        "settings": settings,
        "model": settings.get("parser_options", {}).get("model") or "",
        "predicted": predicted,
        "causes": causes.most_common(),
        "problems": problems,
    }


def _script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' left raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _SCRIPT_ESCAPES:  # str.replace: far faster than str.translate on megabytes
        text = text.replace(char, escape)
    return text


def render_report(run_dirs: Sequence[str | os.PathLike[str]]) -> str:
    """The HTML of one run, or of two runs compared (the second against the first)."""
    if not 1 <= len(run_dirs) <= 2:
        raise ReportError(f"a report shows one run or compares two; got {len(run_dirs)} directories")
    import jinja2

    from linc import __version__

    views = [_view(load_run(d)) for d in run_dirs]
    if len(views) == 2 and views[0]["problems"] and views[1]["problems"] and \
            not {str(p["id"]) for p in views[0]["problems"]} & {str(p["id"]) for p in views[1]["problems"]}:
        raise ReportError(f"{run_dirs[0]} and {run_dirs[1]} share no problem (no id in both): "
                          "a comparison shows the answers that changed between two runs of one dataset")
    env = jinja2.Environment(loader=jinja2.PackageLoader("linc.eval", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    data = {"runs": [{"name": v["name"], "problems": v["problems"]} for v in views]}
    script = (resources.files("linc.eval") / "templates" / "report.js").read_text(encoding="utf-8")
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return env.get_template("report.html").render(runs=views, version=__version__, data_json=_script_json(data),
                                                  script=script, script_hash=script_hash)


def write_report(run_dirs: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]) -> Path:
    """Write the report to ``out`` atomically; returns its path."""
    html = render_report(run_dirs)
    path = Path(out)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ReportError(f"cannot write the report to {path}: {err.strerror or err}") from None
    return path
