"""Bad facts and bad files give typed errors that say what is wrong."""

from __future__ import annotations

import sqlite3

import pytest

from linc.errors import FormulaDepthError, FormulaSyntaxError, KnowledgeGraphError
from linc.kg import DatabaseError, KnowledgeGraph, MalformedFactError, NotGroundError, UnknownFactError
from linc.logic.formula import And, Const, Forall, Func, Not, Pred, Var

from .conftest import z3_prover, fol


def test_a_fact_with_free_variables_is_refused(kg):
    with pytest.raises(NotGroundError, match="free variables \\(x\\)"):
        kg.assert_axiom(fol("Big(x)"))
    with pytest.raises(NotGroundError):
        kg.add(fol("Red(x)"), [fol("Big(bob)"), fol("all x. (Big(x) -> Red(x))")])
    assert len(kg) == 0


def test_premises_may_have_free_variables_as_provers_close_them(kg):
    rule = kg.assert_axiom(fol("all x. (Big(x) -> Red(x))"))
    fact = kg.add(fol("Red(bob)"), [fol("Big(bob)"), fol("Big(x) -> Red(x)")])
    assert str(fact.premises[1].formula) == "Big(x) → Red(x)" and fact.depends_on == (rule.id,)


def test_strings_are_read_as_formulas(kg):
    rule = kg.assert_axiom("all x. (Big(x) -> Red(x))")
    fact = kg.add("Red(bob)", ["Big(bob)", "∀x (Big(x) → Red(x))"])
    assert fact.formula == fol("Red(bob)") and fact.depends_on == (rule.id,)
    assert [p.text for p in fact.premises] == ["Big(bob)", "∀x (Big(x) → Red(x))"]
    assert kg.get("Red(bob)") == fact and kg.ask("Red(bob)").label.value == "True"
    assert repr(fact) == f"Fact(#{fact.id} Red(bob), derived, depends on #{rule.id})"
    with pytest.raises(FormulaSyntaxError):
        kg.add(fol("Red(bob)"), ["Big(bob"])
    with pytest.raises(MalformedFactError):
        kg.add(fol("Red(bob)"), [42])


@pytest.mark.parametrize(
    "make",
    [
        lambda: Pred("Big", [Const("bob")]),  # a list where the IR holds a tuple
        lambda: Pred("Big\ud800", (Const("bob"),)),  # a lone surrogate: no file can hold it
        lambda: Pred("Big", (Const(""),)),
        lambda: Pred("Big", (Func("f", ()),)),  # a function without arguments
        lambda: And(Pred("Big", (Const("bob"),)), "Red(bob)"),
        lambda: Forall("x", Pred("Big", (Var("x"),))),
    ],
)
def test_malformed_facts_are_refused(kg, make):
    try:
        bad = make()
    except FormulaSyntaxError:  # the IR's constructors refuse most of these already
        return
    with pytest.raises(MalformedFactError):
        kg.assert_axiom(bad)


def test_a_too_deep_fact_cannot_even_be_made():
    f = Pred("Big", (Const("bob"),))
    with pytest.raises(FormulaDepthError):
        for _ in range(300):
            f = Not(f)


def test_unknown_facts(kg):
    with pytest.raises(UnknownFactError):
        kg.get(42)
    with pytest.raises(UnknownFactError):
        kg.retract(fol("Big(bob)"))


def test_a_missing_database_is_reported_not_created(tmp_path):
    with pytest.raises(DatabaseError, match="no knowledge graph at"):
        KnowledgeGraph(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()
    with pytest.raises(DatabaseError, match="does not exist"):
        KnowledgeGraph(tmp_path / "no" / "such" / "kg.sqlite")
    with pytest.raises(DatabaseError, match="not a file"):
        KnowledgeGraph(tmp_path)


def test_a_corrupt_database_is_reported(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database, just some bytes\n" * 200)
    with pytest.raises(DatabaseError, match="not a readable knowledge graph"):
        KnowledgeGraph(junk)
    assert isinstance(DatabaseError("x"), KnowledgeGraphError)


def test_a_damaged_database_is_reported(tmp_path):
    path = tmp_path / "kg.sqlite"
    with KnowledgeGraph(path, prover=z3_prover()) as kg:
        for i in range(300):
            kg.assert_axiom(Pred("Likes", (Const(f"c{i}"), Const(f"c{i + 1}"))))
    data = bytearray(path.read_bytes())
    data[4096:12288] = b"\xff" * 8192  # overwrite pages in the middle of the tables
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError):
        with KnowledgeGraph(path, prover=z3_prover()) as kg:
            kg.facts()
            assert kg.integrity() == "ok"


def _damage_page(path, page: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file
    conn.close()
    data = bytearray(path.read_bytes())
    data[page * 4096 : (page + 1) * 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))


def test_a_damaged_page_gives_a_typed_error_that_says_what_to_do(tmp_path):
    from typer.testing import CliRunner

    from linc.cli import app

    path = tmp_path / "kg.sqlite"
    with KnowledgeGraph(path, prover=z3_prover()) as kg:
        for i in range(300):
            kg.assert_axiom(Pred("Likes", (Const(f"c{i}"), Const(f"c{i + 1}"))))
    _damage_page(path, 2)
    with pytest.raises(DatabaseError, match=r"kg\.sqlite is not a readable knowledge graph.*backup.*\.recover"):
        with KnowledgeGraph(path, prover=z3_prover()) as kg:
            kg.assert_axiom(fol("Likes(zz, yy)"))
    r = CliRunner().invoke(app, ["kg", "add", "--axiom", "--db", str(path), "Likes(zz, yy)"])
    assert r.exit_code == 2 and not isinstance(r.exception, sqlite3.Error), r.exception
    assert "DatabaseError" in r.output and ".recover" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("tamper", ["UPDATE meta SET value = 'seven' WHERE key = 'revision'", "DELETE FROM meta WHERE key = 'revision'"])
def test_a_tampered_revision_row_gives_a_typed_error(tmp_path, tamper):
    path = tmp_path / "kg.sqlite"
    with KnowledgeGraph(path, prover=z3_prover()) as kg:
        kg.assert_axiom(fol("Big(bob)"))
    conn = sqlite3.connect(path)
    conn.execute(tamper)
    conn.commit()
    conn.close()
    with KnowledgeGraph(path, prover=z3_prover()) as kg:
        with pytest.raises(DatabaseError, match="revision row"):
            kg.assert_axiom(fol("Big(anne)"))
        with pytest.raises(DatabaseError, match="revision row"):
            kg.neighbours("bob")


def test_another_sqlite_database_is_not_taken_over(tmp_path):
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not a linc knowledge graph"):
        KnowledgeGraph(other)


def test_a_newer_schema_asks_for_an_upgrade(tmp_path):
    path = tmp_path / "kg.sqlite"
    KnowledgeGraph(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="schema version 99.*upgrade linc"):
        KnowledgeGraph(path)


def test_a_fresh_file_opens_again(tmp_path):
    path = tmp_path / "kg.sqlite"
    KnowledgeGraph(path).close()
    with KnowledgeGraph(path, create=False) as kg:
        assert len(kg) == 0 and kg.integrity() == "ok"


def test_the_default_file_lives_in_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with KnowledgeGraph() as kg:
        assert kg.path == tmp_path / "data" / "linc" / "kg.sqlite"
        assert kg.path.is_file()
