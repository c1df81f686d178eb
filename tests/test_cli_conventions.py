"""The `linc` command as users of pytest / ruff expect it: bad values end with one line on stderr
and exit 2, --version, -h, flags shown as flags, stdin as `-`, formula syntax recognised."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from linc import __version__
from linc.cli import app
from tests.test_plugins import registry  # noqa: F401 - fixture

SOLVE = ["solve", "-p", "Bob is big.", "-p", "All big things are red.", "-c", "Bob is red."]
PROVE = ["prove", "-p", "all x.(Man(x) -> Mortal(x))", "-p", "Man(socrates)", "-c", "Mortal(socrates)"]


def run(*args: str, **kwargs):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, **kwargs)


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("linc: error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
@pytest.mark.parametrize("command", [SOLVE, PROVE, ["eval", "folio"], ["mcp"]])
def test_a_timeout_must_be_finite_and_positive(command, value):
    line = one_error_line(run(*command, "--timeout", value))
    assert line == f"linc: error: --timeout must be a positive number of seconds, not '{float(value)}'"


@pytest.mark.parametrize(("args", "flag"), [
    (["eval", "folio", "--workers", "0"], "--workers"),
    (["eval", "folio", "--workers", "-2"], "--workers"),
    (["eval", "folio", "-k", "0"], "-k"),
    (["eval", "folio", "--limit", "0"], "--limit"),
    ([*SOLVE, "-k", "0"], "-k"),
    ([*SOLVE, "--repair-rounds", "-1"], "--repair-rounds"),
])
def test_counts_are_checked_before_any_work(args, flag):
    assert one_error_line(run(*args)).startswith(f"linc: error: {flag} must be a whole number of at least")


@pytest.mark.parametrize(("option", "message"), [
    ("timeout=abc", "--prover-option timeout=...: set it with --timeout"),
    ("max_given=abc", "--prover-option max_given must be a whole number, not 'abc'"),
    ("no_such=1", "--prover-option no_such=...: no such option; accepted: max_given (a whole number)"),
    ("max_given", "linc: error: --prover-option wants KEY=VALUE, not 'max_given'"),
])
def test_prover_options_are_typed(tmp_path, option, message):
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"premises": ["Bob is big."], "conclusion": "Bob is big.", "label": "True"}) + "\n")
    line = one_error_line(run("eval", str(data), "--prover", "resolution", "--prover-option", option))
    assert message in line


def test_a_binary_problem_file_is_refused_in_one_line(tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)))
    assert "is not a UTF-8 text file" in one_error_line(run("solve", str(blob)))


def test_a_problem_file_saved_with_a_byte_order_mark_reads(tmp_path):
    problem = tmp_path / "p.txt"
    problem.write_bytes("\ufeffBob is big.\r\nAll big things are red.\r\nConclusion: Bob is red.\r\n".encode())
    result = run("solve", str(problem), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["label"] == "True"


def test_version_and_short_help():
    assert run("--version").stdout.strip() == f"linc {__version__}"
    for args in (["-h"], ["solve", "-h"], ["kg", "list", "-h"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_help_shows_metavars_and_flags_as_flags():
    text = run("solve", "--help").stdout + run("eval", "--help").stdout
    assert "<bool>" not in text and "<list[str]>" not in text and "{dataset}" not in text
    assert "[FILE]" in text and "DATASET" in text and "TEXT" in text


def test_solve_reads_standard_input():
    result = run("solve", "-", "--json", input="Bob is big.\nAll big things are red.\nConclusion: Bob is red.\n")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["label"] == "True"


def test_prove_recognises_the_folio_syntax():
    result = run("prove", "-p", "∀x (Man(x) → Mortal(x))", "-p", "Man(socrates)", "-c", "Mortal(socrates)", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["label"] == "True"
    assert json.loads(run(*PROVE, "--json").stdout)["label"] == "True"
    bad = run("prove", "-p", "∀x (Man(x) → Mortal(x)", "-c", "Mortal(socrates)")
    assert bad.exit_code == 2 and "read as folio" in bad.stderr


def test_solve_without_an_answer_exits_non_zero_with_a_hint():
    result = run("solve", "-p", "Colourless green ideas sleep furiously, said Chomsky.", "-c", "Bob is red.")
    assert result.exit_code == 1
    assert "docs/controlled-english.md" in result.stderr and "--model" in result.stderr


def test_a_command_has_the_heap_frozen_at_exit(monkeypatch):
    """Python's final collection would walk the whole heap of a process about to end."""
    import atexit
    import gc

    registered = []
    monkeypatch.setattr(atexit, "register", registered.append)
    assert run("version").exit_code == 0
    assert registered == [gc.freeze]


def test_help_text_keeps_the_extras_in_brackets():
    """Help is rendered as rich markup, where '[ray]' would be a style tag and vanish."""
    text = " ".join(run("eval", "--help").stdout.split())
    assert "pip install 'linc[ray]'" in text


UNUSABLE = """
from linc.plugins import prover
from linc.proving import Label, Prover, ProverResult

@prover("needs-frob")
class NeedsFrob(Prover):
    name = "needs-frob"

    @classmethod
    def availability(cls):
        return False, "the frob binary was not found: install frob"

    def _decide(self, premises, conclusion, timeout):
        raise AssertionError("never asked: the backend said it cannot run here")
"""


@pytest.mark.parametrize("command", ["solve", "eval"])
def test_a_prover_that_cannot_run_here_is_refused_before_any_work(registry, command):
    (registry / "plugins" / "needs_frob.py").write_text(UNUSABLE)
    data = registry / "d.jsonl"
    data.write_text(json.dumps({"premises": ["Bob is big."], "conclusion": "Bob is big.", "label": "True"}) + "\n")
    args = [*SOLVE] if command == "solve" else ["eval", str(data), "--out", str(registry / "run")]
    line = one_error_line(run(*args, "--prover", "needs-frob"))
    assert line == "linc: error: ProverUnavailable: prover 'needs-frob' cannot run here: the frob binary was not found: install frob"
    assert not (registry / "run").exists()


def test_a_plugin_that_prints_when_imported_leaves_json_output_alone(registry):
    (registry / "plugins" / "chatty.py").write_text("print('hello from a plugin')\n")
    result = run(*SOLVE, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["label"] == "True"
    assert "hello from a plugin" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["solve"], "linc: error: a conclusion is needed: -c SENTENCE, or a problem FILE"),
    (["solve", "-", "-c", "Bob is red."], "linc: error: give either a problem FILE or -p/-c, not both"),
])
def test_a_problem_given_twice_or_not_at_all_is_one_error_line(args, message):
    assert one_error_line(run(*args, input="")) == message


def test_a_malformed_problem_file_is_named_in_the_error(tmp_path):
    problem = tmp_path / "p.txt"
    problem.write_text("Bob is big.\nAll big things are red.\n")
    message = "no conclusion: the last line must start with 'Conclusion:'"
    assert one_error_line(run("solve", str(problem))) == f"linc: error: ParserError: {problem}: {message}"
    assert one_error_line(run("solve", "-", input="Bob is big.\n")) == f"linc: error: ParserError: standard input: {message}"


def test_solve_with_a_model_votes_over_ten_samples_as_linc_and_eval_do(monkeypatch):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from linc.parsing import llm

    answer = "TEXT: Bob is big.\nFOL: Big(bob)\nTEXT: Bob is big.\nFOL: Big(bob)"
    monkeypatch.setattr(llm, "resolve_model", lambda *args, **kwargs: FakeListChatModel(responses=[answer]))
    result = run("solve", "--model", "fake:model", "-p", "Bob is big.", "-c", "Bob is big.", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"] == {"True": 10}
    result = run("solve", "--model", "fake:model", "-k", "3", "-p", "Bob is big.", "-c", "Bob is big.", "--json")
    assert json.loads(result.stdout)["counts"] == {"True": 3}
    assert len(json.loads(run(*SOLVE, "--json").stdout)["votes"]) == 1  # the grammar gives one reading


def test_the_error_line_is_written_in_one_place():
    """``linc: error:`` is written by :func:`linc.cli.show_error` alone (it was formatted in three
    places, each with its own call to ``user_message``): every command's error line is the same
    and changes in one place. Docstrings may mention it."""
    import ast
    from pathlib import Path

    import linc

    writers = []
    for path in Path(linc.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "linc: error:" in node.value and id(node) not in docstrings:
                writers.append(f"{path.relative_to(Path(linc.__file__).parent)}:{node.lineno}")
    assert len(writers) == 1 and writers[0].startswith("cli.py:"), writers


def test_the_mcp_servers_serving_anyway_line_is_the_error_line(capsys):
    from linc.cli import _report_unusable
    from linc.errors import ProverUnavailable

    _report_unusable(ProverUnavailable("no such binary [here]"))
    line = capsys.readouterr().err.strip()
    assert line == "linc: error: ProverUnavailable: no such binary [here] (serving anyway: every tool call answers with this error)"
