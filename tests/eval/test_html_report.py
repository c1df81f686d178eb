"""`linc report` / `linc view`: runs made by `linc eval`, reports opened in real headless Chromium."""

from __future__ import annotations

import json
import re
import webbrowser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linc.cli import app
from linc.eval.html import render_report
from tests.eval.browser import Browser, find_chromium
from tests.eval.conftest import write_jsonl

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
RECORDED = SHARED / "linc-recorded" / "gpt-3.5-turbo-16k-0613_folio-neurosymbolic-8shot.jsonl"
HOSTILE = ('<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1">',
           '</script><script>window.__pwned=1</script><!--')
READY = "window.__lincReady !== undefined"


def completion(conclusion: str, note: str = "", full_stop: str = "") -> str:
    """A LINC-style completion for the problems below; ``full_stop`` makes the reader repair it."""
    return (f"TEXT:\tEvery P is Q.{note}\nFOL:\tall x. (P(x) -> Q(x)){full_stop}\nTEXT:\tC is P.\nFOL:\tP(c)\n"
            f"TEXT:\tThe conclusion.\nFOL:\t{conclusion}\n")


def problems(h0: str, h1: str) -> list[dict]:
    """h0 (gold True) and h1 (gold False) answer what their completions say; h2 carries hostile
    text in a sentence and its completions; h3 has no usable completion."""
    base = {"premises": ["Every P is Q.", "C is P."], "conclusion": "C is Q."}
    return [
        {**base, "id": "h0", "label": "True", "depth": 0, "generations": [completion(h0)] * 3},
        {**base, "id": "h1", "label": "False", "conclusion": "C is not Q.", "depth": 1,
         "generations": [completion(h1, full_stop=".")] * 3},
        {**base, "id": "h2", "label": "True", "depth": 1, "premises": ["Every P is Q. " + HOSTILE[1], "C is P."],
         "generations": [completion("Q(c)", " " + HOSTILE[0]), HOSTILE[2] + " " + HOSTILE[1], completion("Q(c)")]},
        {**base, "id": "h3", "label": "Uncertain", "conclusion": "C is R.", "depth": 2, "generations": ["no formulas here"] * 3},
    ]


def linc(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def evaluate(data: Path, out: Path, *extra: str) -> dict:
    linc("eval", str(data), "--parser", "replay", "-k", "3", "--workers", "1", "--out", str(out), "--json", *extra)
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Run A; run B where h0 went wrong and h1 right; their reports, alone and compared."""
    tmp = tmp_path_factory.mktemp("runs")
    evaluate(write_jsonl(tmp / "a.jsonl", problems("Q(c)", "Q(c)")), tmp / "A")
    evaluate(write_jsonl(tmp / "b.jsonl", problems("-Q(c)", "-Q(c)")), tmp / "B")
    linc("report", str(tmp / "A"), "--html", str(tmp / "a.html"))
    linc("report", str(tmp / "A"), str(tmp / "B"), "--html", str(tmp / "ab.html"))
    return {"A": tmp / "A", "B": tmp / "B", "a.html": tmp / "a.html", "ab.html": tmp / "ab.html"}


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium; or set LINC_CHROMIUM): "
                    "the HTML report's browser checks need a real browser")
    with Browser(binary) as b:
        yield b


def records(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "problems.jsonl").read_text().splitlines()]


def visible_ids(page, table: str) -> list[str]:
    return page.eval(f"Array.from(document.querySelectorAll('#{table} tbody tr')).filter(r => !r.hidden)"
                     ".map(r => r.cells[0].textContent)")


def choose(page, selector: str, value: str) -> None:
    """Set a filter the way a user does: change the control, fire its event."""
    page.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = {json.dumps(value)};"
              f" e.dispatchEvent(new Event(e.tagName === 'INPUT' ? 'input' : 'change')); }})()")


def test_figures_shown_are_those_of_summary_json(runs, browser):
    summary = json.loads((runs["A"] / "summary.json").read_text())
    page = browser.open(runs["a.html"].as_uri(), READY)
    assert page.eval("document.getElementById('acc-0').textContent") == f"{100 * summary['accuracy']:.1f}%"
    assert page.eval("[document.getElementById('correct-0').textContent, document.getElementById('n-0').textContent]") == \
        [str(summary["correct"]), str(summary["labelled"])]
    cells = page.eval("Array.from(document.querySelectorAll('#confusion-0 td')).map(c => [c.dataset.gold, c.dataset.pred, +c.textContent])")
    assert cells and all(summary["confusion"][g][p] == n for g, p, n in cells)
    assert sum(n for _, _, n in cells) == summary["labelled"]
    tiers = page.eval("Array.from(document.querySelectorAll('#tiers-0 tr[data-tier]')).map(r => [r.dataset.tier, +r.cells[1].textContent])")
    assert dict(tiers) == {t: row["votes"] for t, row in summary["tiers"].items()}
    depths = page.eval("Array.from(document.querySelectorAll('#depth-0 tr')).slice(1).map(r => r.cells[0].textContent)")
    assert depths == list(summary["by_depth"]) == ["0", "1", "2"]
    causes = page.eval("document.getElementById('causes-0').textContent")
    assert "wrong answer" in causes and "no valid vote: no FOL found" in causes
    failed = page.eval("Array.from(document.querySelectorAll('#vote-errors-0 tr')).slice(1).map(r => [r.cells[0].textContent, +r.cells[1].textContent])")
    assert failed == [[cause, row["votes"]] for cause, row in summary["error_causes"].items()] and failed
    settings = page.eval("document.getElementById('settings-0').textContent")
    assert "replay" in settings and "z3" in settings and "proof-first" in settings and "0.1.0" in settings


def test_filters_change_the_visible_rows(runs, browser):
    page = browser.open(runs["a.html"].as_uri(), READY)
    assert visible_ids(page, "problems-0") == ["h0", "h1", "h2", "h3"]
    choose(page, '[data-filter="result"]', "wrong")
    assert visible_ids(page, "problems-0") == [r["id"] for r in records(runs["A"]) if r["correct"] is False] == ["h1", "h3"]
    assert page.eval("document.getElementById('count-0').textContent") == "2 of 4 shown"
    choose(page, '[data-filter="gold"]', "False")
    assert visible_ids(page, "problems-0") == ["h1"]
    choose(page, '[data-filter="gold"]', "")
    choose(page, '[data-filter="cause"]', "wrong answer")
    assert visible_ids(page, "problems-0") == ["h1"]
    choose(page, '[data-filter="cause"]', "")
    choose(page, '[data-filter="result"]', "")
    choose(page, '[data-filter="repairs"]', "yes")
    assert visible_ids(page, "problems-0") == ["h1"]  # its formulas ended in a full stop
    choose(page, '[data-filter="repairs"]', "")
    choose(page, '[data-filter="label"]', "Error")
    assert visible_ids(page, "problems-0") == ["h3"]
    choose(page, '[data-filter="label"]', "")
    choose(page, '[data-filter="text"]', "ONERROR every")
    assert visible_ids(page, "problems-0") == ["h2"]


def test_a_problem_page_shows_each_vote_aligned_to_the_sentences(runs, browser):
    record = next(r for r in records(runs["A"]) if r["id"] == "h1")
    page = browser.open(runs["a.html"].as_uri() + "#run/0/p/h1", READY)
    assert page.eval("document.querySelector('#problem .problem').dataset.id") == "h1"
    heads = page.eval("Array.from(document.querySelectorAll('#problem table.votes tr:first-child th')).map(c => c.textContent)")
    assert heads == ["sentence", "vote 1", "vote 2", "vote 3"]
    rows = page.eval("Array.from(document.querySelectorAll('#problem tr.premise, #problem tr.conclusion'))"
                     ".map(r => Array.from(r.cells).map(c => c.textContent))")
    votes = record["verdict"]["votes"]
    assert [row[0] for row in rows] == record["premises"] + ["Conclusion: " + record["conclusion"]]
    assert [row[1:] for row in rows[:-1]] == [[v["premises"][i] for v in votes] for i in range(2)]
    assert rows[-1][1:] == [v["conclusion"] for v in votes]
    repairs = page.eval("Array.from(document.querySelectorAll('#problem tr.fact-repairs td')).map(c => c.textContent)")
    assert repairs == ["\n".join(v["repairs"]) for v in votes] and all("full stop" in r for r in repairs)
    tiers = page.eval("Array.from(document.querySelectorAll('#problem tr.fact-tier td')).map(c => c.textContent)")
    assert tiers == [v["tier"] for v in votes]
    assert page.eval("Array.from(document.querySelectorAll('#problem tr.fact-label td')).map(c => c.className)") == ["wrong"] * 3
    assert page.eval("document.querySelector('#problem .answer').textContent") == record["label"] == "True"
    assert page.eval("document.querySelector('#problem pre.proof').textContent") == record["verdict"]["proof"]
    raw = page.eval("Array.from(document.querySelectorAll('#problem details')).map(d => [d.open, d.querySelector('pre').textContent])")
    assert raw == [[False, v["raw"]] for v in votes]


def test_two_runs_compared_list_the_changed_answers(runs, browser):
    page = browser.open(runs["ab.html"].as_uri(), READY)
    rows = page.eval("Array.from(document.querySelectorAll('#changes-table tbody tr'))"
                     ".map(r => [r.cells[0].textContent, r.cells[2].textContent, r.cells[3].textContent, r.dataset.kind])")
    assert rows == [["h0", "True ✓", "False ✗", "broken"], ["h1", "True ✗", "False ✓", "fixed"]]
    assert "2 of 4 shared problems changed answer: 1 fixed, 1 broken" in page.eval("document.getElementById('change-counts').textContent")
    choose(page, "#change-kind", "fixed")
    assert visible_ids(page, "changes-table") == ["h1"]
    page.eval("location.hash = '#changes/p/h1'")
    page.wait_for("document.querySelectorAll('#problem .problem').length === 2")
    assert page.eval("Array.from(document.querySelectorAll('#problem .answer')).map(a => a.textContent)") == ["True", "False"]


def test_hostile_text_is_shown_as_text_and_runs_nothing(runs, browser):
    html = runs["a.html"].read_text()
    assert len(re.findall(r"<script\b", html)) == 2 and "<!--" not in html  # the data block and the page's script
    page = browser.open(runs["a.html"].as_uri() + "#run/0/p/h2", READY)
    page.eval("document.querySelectorAll('#problem details').forEach(d => d.open = true)")
    text = page.eval("document.getElementById('problem').innerText")
    assert all(h in text for h in HOSTILE)
    assert page.eval("document.querySelectorAll('#problem img, #problem script').length") == 0
    page.eval("location.hash = '#run/0'")
    choose(page, '[data-filter="text"]', "onerror")
    assert visible_ids(page, "problems-0") == ["h2"]
    assert page.eval("typeof window.__pwned") == "undefined"


def test_view_writes_the_report_and_opens_it(runs, monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    out = tmp_path / "v.html"
    linc("view", str(runs["A"]), "--html", str(out))
    assert opened == [out.resolve().as_uri()] and "linc-data" in out.read_text()


def test_records_without_sentences_take_them_from_the_dataset_file(runs, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for name in ("run.json", "summary.json"):
        (old / name).write_text((runs["A"] / name).read_text())
    write_jsonl(old / "problems.jsonl", [{k: v for k, v in r.items() if k not in ("premises", "conclusion")} for r in records(runs["A"])])
    assert "C is not Q." in render_report([old])


@pytest.mark.parametrize("args, message", [
    (["report", "{tmp}/nothing"], "problems.jsonl is missing"),
    (["report", "{A}", "{A}", "{A}"], "compares two; got 3"),
    (["report", "{tmp}/records-only"], "{tmp}/records-only/run.json is missing: it holds the settings"),
    (["report", "{A}", "--html", "{tmp}/no/such/dir/r.html"], "cannot write the report to {tmp}/no/such/dir/r.html: No such file or directory"),
    (["report", "{A}", "--html", "{tmp}"], "cannot write the report to {tmp}: Is a directory"),
    (["report", "{A}", "{tmp}/other"], "share no problem (no id in both)"),
])
def test_bad_input_is_a_clear_error(runs, tmp_path, args, message):
    (tmp_path / "records-only").mkdir()
    (tmp_path / "records-only" / "problems.jsonl").write_text((runs["A"] / "problems.jsonl").read_text())
    (tmp_path / "other").mkdir()  # a run of another dataset: none of A's ids
    (tmp_path / "other" / "run.json").write_text((runs["A"] / "run.json").read_text())
    write_jsonl(tmp_path / "other" / "problems.jsonl", [{**r, "id": "other-" + str(r["id"])} for r in records(runs["A"])])
    result = CliRunner().invoke(app, [a.format(tmp=tmp_path, A=runs["A"]) for a in args])
    assert result.exit_code == 2 and message.format(tmp=tmp_path) in result.stderr
    assert ".tmp" not in result.stderr and not list(tmp_path.parent.glob(f"{tmp_path.name}*.tmp"))


@pytest.mark.skipif(not RECORDED.is_file(), reason=f"needs the shared recorded completions ({RECORDED}), absent here")
def test_report_of_recorded_completions(tmp_path, browser):
    summary = evaluate(RECORDED, tmp_path / "run", "--limit", "6")
    linc("report", str(tmp_path / "run"), "--html", str(tmp_path / "r.html"))
    page = browser.open((tmp_path / "r.html").as_uri(), READY)
    assert page.eval("document.getElementById('acc-0').textContent") == f"{100 * summary['accuracy']:.1f}%"
    assert len(visible_ids(page, "problems-0")) == 6


def test_a_run_cut_short_or_still_running_is_shown_without_its_unfinished_line(runs, tmp_path):
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "run.json").write_text((runs["A"] / "run.json").read_text())  # a killed run has no summary.json yet
    lines = (runs["A"] / "problems.jsonl").read_text()
    (cut / "problems.jsonl").write_text(lines + '{"id": "h9", "label": "Tr')  # a write cut short by SIGKILL
    assert '"id":"h9"' not in render_report([cut]) and len(records(runs["A"])) > 0
    (cut / "problems.jsonl").write_text('{"id": "h9", "label": "Tr\n' + lines)  # a broken line inside stays an error
    result = CliRunner().invoke(app, ["report", str(cut)])
    assert result.exit_code == 2 and "problems.jsonl line 1 is not JSON" in result.stderr
