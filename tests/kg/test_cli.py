"""``linc kg`` end to end on a temporary file, with the registry's Z3 backend."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from linc.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "kg.sqlite")


def linc(*args: str):
    return runner.invoke(app, ["kg", *args])


def test_add_ask_list_provenance_retract(db):
    for fact, text in (("Big(anne)", "Anne is big."), ("all x. (Big(x) -> Red(x))", "Big things are red."), ("-Likes(bob, anne)", None)):
        r = linc("add", "--axiom", "--db", db, *(["--text", text] if text else []), "--", fact)
        assert r.exit_code == 0, r.output
    r = linc("add", "Likes(anne, bob)", "-p", "Likes(anne, bob)", "--db", db)
    assert r.exit_code == 0 and "stored #4" in r.output
    r = linc("add", "Red(anne)", "--use-kg", "--db", db, "--json")
    assert r.exit_code == 0, r.output
    red = json.loads(r.output)
    assert red["kind"] == "derived" and sorted(red["depends_on"]) == [1, 2] and "unsat core" in red["proof"]

    r = linc("ask", "Red(anne)", "--db", db, "--json")
    assert json.loads(r.output)["label"] == "True"
    r = linc("ask", "Likes(bob, anne)", "--db", db)
    assert r.exit_code == 0 and r.output.startswith("False")

    facts = json.loads(linc("list", "--db", db, "--json").output)
    assert [f["fol"] for f in facts] == ["Big(anne)", "∀x (Big(x) → Red(x))", "¬Likes(bob, anne)", "Likes(anne, bob)", "Red(anne)"]
    about = json.loads(linc("list", "-c", "bob", "--kind", "axiom", "--db", db, "--json").output)
    assert [f["fol"] for f in about] == ["¬Likes(bob, anne)"]
    edges = json.loads(linc("list", "-c", "anne", "-r", "Likes", "--db", db, "--json").output)
    assert {(e["subject"], e["object"], e["negated"]) for e in edges} == {("anne", "bob", False), ("bob", "anne", True)}
    r = linc("list", "--db", db)
    assert r.exit_code == 0 and "5 facts" in r.output

    prov = json.loads(linc("provenance", "Red(anne)", "--db", db, "--json").output)
    assert [f["fol"] for f in prov["supports"]] == ["Big(anne)", "∀x (Big(x) → Red(x))"]
    r = linc("provenance", "#1", "--db", db)
    assert r.exit_code == 0 and "Anne is big." in r.output and "Red(anne)" in r.output

    r = linc("path", "anne", "bob", "--db", db)
    assert "Likes(anne, bob)" in r.output

    gone = json.loads(linc("retract", "2", "--db", db, "--json").output)
    assert [f["fol"] for f in gone] == ["∀x (Big(x) → Red(x))", "Red(anne)"]


def test_refusals_exit_1_with_the_reason(db):
    linc("add", "--axiom", "--db", db, "--", "-Likes(bob, anne)")
    r = linc("add", "Likes(bob, anne)", "--axiom", "--db", db)
    assert r.exit_code == 1 and "refused" in r.output and "¬Likes(bob, anne)" in r.output
    r = linc("add", "Red(bob)", "-p", "Big(bob)", "--db", db)
    assert r.exit_code == 1 and "not stored" in r.output and "not verified" in r.output


def test_bad_input_is_a_usage_error_as_in_every_other_command(db, tmp_path):
    """One line ``linc: error: ...`` and exit code 2, the command line's convention (exit code 1
    is kept for a fact the graph declines)."""
    cases = [
        (["add", "Big(x)", "--axiom"], "NotGroundError"),
        (["add", "Big(bob", "--axiom"], "FormulaSyntaxError"),
        (["add", "Red(bob)"], "--use-kg"),
        (["export", str(tmp_path / "no" / "kg.json")], "cannot write"),
    ]
    for args, reason in cases:
        r = linc(*args, "--db", db)
        assert r.exit_code == 2 and r.output.startswith("linc: error:") and reason in r.output, (args, r.output)
    r = linc("list", "--db", db + ".missing")
    assert r.exit_code == 2 and "no knowledge graph at" in r.output and "linc kg add" in r.output


def test_export_and_draw(db, tmp_path):
    linc("add", "Likes(anne, bob)", "--axiom", "--db", db)
    for name in ("kg.json", "kg.graphml", "kg.png"):
        r = linc("draw" if name.endswith("png") else "export", str(tmp_path / name), "--db", db)
        assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "kg.json").read_text())["edges"][0]["relation"] == "Likes"
    assert (tmp_path / "kg.png").read_bytes().startswith(b"\x89PNG")
    r = linc("export", str(tmp_path / "kg.csv"), "--db", db)
    assert r.exit_code == 2
    r = linc("draw", str(tmp_path / "part.png"), "--around", "nobody", "--db", db)
    assert r.exit_code == 2 and "no constant 'nobody'" in r.output


def test_add_from_sentences(db):
    r = linc("add", "--nl", "Bob is red.", "-p", "Bob is big.", "-p", "All big things are red.", "--db", db, "--json")
    assert r.exit_code == 0, r.output
    fact = json.loads(r.output)
    assert fact["fol"] == "Red(bob)" and fact["text"] == "Bob is red." and fact["premises"][0]["text"] == "Bob is big."
    r = linc("add", "--nl", "Anne is red.", "-p", "Anne is big.", "--db", db)
    assert r.exit_code == 1 and "not verified" in r.output


def test_unchecked_facts_on_the_command_line(db):
    for rule in ("all x. all y. all z. ((R(x, y) & R(y, z)) -> R(x, z))", "all x. -R(x, x)"):
        assert linc("add", "--axiom", "--db", db, "--", rule).exit_code == 0
    serial = ["--timeout", "1", "--db", db, "--", "all x. exists y. R(x, y)"]
    r = linc("add", "--axiom", *serial)
    assert r.exit_code == 1 and "CheckTimeoutError" in r.output
    r = linc("add", "--axiom", "--allow-unchecked", *serial)
    assert r.exit_code == 0 and "unchecked" in r.output
    assert "unchecked" in linc("list", "--db", db).output
    assert [f["checked"] for f in json.loads(linc("list", "--db", db, "--json").output)] == [True, True, False]
    r = linc("check", "3", "--timeout", "1", "--db", db)
    assert r.exit_code == 1 and "CheckTimeoutError" in r.output
    assert linc("retract", "2", "--db", db).exit_code == 0
    r = linc("check", "3", "--timeout", "20", "--db", db)
    assert r.exit_code == 0 and "checked #3" in r.output


def test_the_default_file_needs_no_folder_made_by_hand(tmp_path, monkeypatch):
    # A fresh machine has no user data directory yet: the first `linc kg add` makes it.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    r = linc("add", "--axiom", "Big(anne)")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "data" / "linc" / "kg.sqlite").is_file()
    r = linc("ask", "Big(anne)", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["label"] == "True"


def test_counts_of_facts_read_as_english(db):
    linc("add", "--axiom", "--db", db, "Big(anne)")
    assert linc("list", "--db", db).output.splitlines()[0].strip() == "1 fact"
    assert linc("retract", "1", "--db", db).output.splitlines()[0].strip() == "retracted 1 fact"


def test_a_sentence_that_cannot_be_read_is_named_when_a_fact_is_refused(db):
    r = linc("add", "--nl", "-p", "Bob is very big.", "Bob is big.", "--db", db)
    assert r.exit_code == 1 and "sentence outside the grammar: 'Bob is very big.'" in " ".join(r.output.split())


def test_brackets_in_text_are_shown_as_written(db):
    """Text from the user is not rich markup: '[/b]' once ended the command with a MarkupError."""
    assert linc("add", "--axiom", "P(a)", "--text", "A [/b] thing [red]x", "--db", db).exit_code == 0
    assert "A [/b] thing [red]x" in linc("list", "--db", db).output
    assert "A [/b] thing [red]x" in linc("provenance", "1", "--db", db).output
    r = linc("add", "--nl", "-p", "Bob is [/big].", "Bob is big.", "--db", db)
    assert r.exit_code == 1 and "'Bob is [/big].'" in " ".join(r.output.split())


def test_a_model_implies_the_llm_parser_for_sentences(db):
    r = linc("add", "--nl", "--model", "nosuchprovider:x", "-p", "Bob is big.", "Bob is big.", "--db", db)
    assert r.exit_code == 2 and "ParserError" in r.output and "cannot create parser 'grammar'" not in r.output
