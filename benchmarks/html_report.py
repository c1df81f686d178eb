"""Size and speed of ``linc report`` on large runs, opened in headless Chromium.

For each run directory: the time to write the report, its size, and in Chromium the time until
the page is usable (from opening the tab until the table is built), the time to filter the table
and to open a problem's page. Baseline, in the same browser: opening the run's raw
``problems.jsonl`` (what one reads without the report).

Make the runs first, e.g. (600 problems; the second replicates the 182 recorded FOLIO problems
with their 10 completions each to 600):

  .venv/bin/linc eval ../shared/data/proofwriter/proofwriter-d5-owa-dev.json --out /tmp/pw
  python -c "import json; r=[json.loads(l) for l in open('../shared/data/linc-recorded/gpt-3.5-turbo-16k-0613_folio-neurosymbolic-8shot.jsonl')]; \\
    open('/tmp/f600.jsonl','w').writelines(json.dumps({**r[i%182],'id':f'c{i}'})+'\\n' for i in range(600))"
  .venv/bin/linc eval /tmp/f600.jsonl --parser replay --out /tmp/f600

Run:  .venv/bin/python benchmarks/html_report.py /tmp/pw /tmp/f600
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linc.eval.html import write_report  # noqa: E402
from tests.eval.browser import Browser, find_chromium  # noqa: E402

READY = "window.__lincReady !== undefined"


def open_seconds(browser: Browser, url: str, ready: str) -> float:
    start = time.perf_counter()
    page = browser.open(url, ready)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def measure(browser: Browser, run: Path, out: Path) -> dict[str, float]:
    start = time.perf_counter()
    write_report([run], out)
    written = time.perf_counter() - start
    records = (run / "problems.jsonl").read_text(encoding="utf-8").splitlines()
    votes = sum(len(json.loads(line)["verdict"].get("votes", [])) for line in records)
    baseline = open_seconds(browser, (run / "problems.jsonl").resolve().as_uri(), "document.readyState === 'complete'")
    start = time.perf_counter()
    page = browser.open(out.resolve().as_uri(), READY)
    usable = time.perf_counter() - start
    in_page = page.eval("window.__lincReady")
    filtering = page.eval("(() => { const t = performance.now(); const s = document.querySelector('[data-filter=\"result\"]');"
                          " s.value = 'wrong'; s.dispatchEvent(new Event('change')); return performance.now() - t; })()")
    first = json.loads(records[0])["id"]
    problem = page.eval("new Promise(done => { const t = performance.now(); window.addEventListener('hashchange', () =>"
                        " requestAnimationFrame(() => done(performance.now() - t)), {once: true});"
                        f" location.hash = '#run/0/p/' + encodeURIComponent({json.dumps(first)}); }})")
    page.close()
    return {"problems": len(records), "votes": votes, "jsonl_mb": (run / "problems.jsonl").stat().st_size / 1e6,
            "html_mb": out.stat().st_size / 1e6, "write_s": written, "baseline_open_s": baseline, "report_open_s": usable,
            "ready_ms_in_page": in_page, "filter_ms": filtering, "problem_page_ms": problem}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="run directories made by linc eval --out")
    args = parser.parse_args()
    binary = find_chromium()
    if binary is None:
        sys.exit("no Chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, Browser(binary, timeout=120) as browser:
        for run in args.runs:
            m = measure(browser, run, Path(tmp) / f"{run.name}.html")
            print(f"{run}: {m['problems']} problems, {m['votes']} votes; problems.jsonl {m['jsonl_mb']:.1f} MB -> report "
                  f"{m['html_mb']:.1f} MB written in {m['write_s']:.2f} s")
            print(f"  Chromium: report usable after {m['report_open_s']:.2f} s ({m['ready_ms_in_page']:.0f} ms after navigation "
                  f"start); raw problems.jsonl opens in {m['baseline_open_s']:.2f} s (ratio {m['report_open_s'] / m['baseline_open_s']:.2f}); "
                  f"filter {m['filter_ms']:.0f} ms, problem page {m['problem_page_ms']:.0f} ms")


if __name__ == "__main__":
    main()
