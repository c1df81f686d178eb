"""The IR's JSON encoding round-trips; the graph exports and draws."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from linc.kg import codec
from linc.logic.read import parse

from .conftest import fol

FORMULAS = [
    "all x. (Big(x) -> Red(x))",
    "exists x. (Cat(x) & -Likes(x, bob))",
    "(A(bob) ^ B(bob)) <-> C(father(bob))",
    "all x. all y. (R(x, y) -> (x = y | -(f(x) = g(y, x))))",
    "Rains",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_codec_round_trip(text):
    f = fol(text)
    assert codec.loads(codec.dumps(f)) == f
    assert codec.dumps(codec.loads(codec.dumps(f))) == codec.dumps(f)


def test_codec_round_trips_folio(shared_data):
    """Every gold FOLIO premise that reads comes back identical from its JSON."""
    from linc.errors import FormulaSyntaxError

    checked = 0
    for line in (shared_data / "folio" / "folio-v0.0-validation.jsonl").read_text().splitlines():
        for text in json.loads(line)["premises-FOL"]:
            try:
                f = parse(text, syntax="folio")
            except FormulaSyntaxError:
                continue
            assert codec.loads(codec.dumps(f)) == f
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("text", ['{"pred": "P", "args": [{"var": 3}]}', '{"and": [{"pred": "P"}]}', "[1, 2", '{"blah": 1}'])
def test_codec_refuses_bad_json(text):
    with pytest.raises(codec.MalformedFactError):
        codec.loads(text)


@pytest.mark.parametrize("text", ["Rains", "Big(bob)", "Likes(anne, bob)", "R3(c1, c2, c1)", "Groß(jürgen)"])
def test_ground_atoms_read_without_json_as_with_it(text):
    f = fol(text)
    stored = codec.dumps(f)
    assert codec._GROUND_ATOM.fullmatch(stored)  # the fast path takes it
    assert codec.loads(stored) == codec.decode(json.loads(stored)) == f
    shared = {}
    first, second = codec.loads(stored, shared), codec.loads(stored, shared)
    assert first == f and all(a is b for a, b in zip(first.args, second.args))  # one Const per name


@pytest.mark.parametrize("text", [
    '{"args":[{"const":"a"}],"pred":""}',
    '{"args":[{"const":"a\\ud800"}],"pred":"P"}',  # an escape: the general path, which refuses it too
    '{"args":[{"const":"a"},],"pred":"P"}',
])
def test_ground_atom_look_alikes_are_still_refused(text):
    with pytest.raises(codec.MalformedFactError):
        codec.loads(text)


@pytest.fixture
def filled(kg):
    for f in ("Likes(anne, bob)", "-Likes(bob, anne)", "Big(anne)", "-Red(bob)", "all x. (Big(x) -> Red(x))", "Chases(bob, cat)"):
        kg.assert_axiom(fol(f), text=f"sentence for {f}")
    return kg


def test_json_export(filled):
    data = json.loads(json.dumps(filled.export_json()))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["anne"]["labels"] == ["Big"] and nodes["bob"]["negative_labels"] == ["Red"]
    assert {(e["source"], e["relation"], e["target"], e["negated"]) for e in data["edges"]} == {
        ("anne", "Likes", "bob", False),
        ("bob", "Likes", "anne", True),
        ("bob", "Chases", "cat", False),
    }
    assert [r["fol"] for r in data["rules"]] == ["∀x (Big(x) → Red(x))"]
    assert len(data["facts"]) == 6 and data["facts"][0]["text"] == "sentence for Likes(anne, bob)"


def test_graphml_export_reads_back(filled, tmp_path):
    path = filled.export_graphml(tmp_path / "kg.graphml")
    g = nx.read_graphml(path)
    assert g.nodes["anne"]["labels"] == "Big" and g.nodes["bob"]["negative_labels"] == "Red"
    assert sorted(d["relation"] for _, _, d in g.edges(data=True)) == ["Chases", "Likes", "Likes"]
    assert "∀x (Big(x) → Red(x))" in g.graph["rules"]


def test_drawing(filled, tmp_path):
    whole = filled.draw(tmp_path / "all.png")
    part = filled.draw(tmp_path / "part.png", around=["cat"], radius=1)
    for png in (whole, part):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert part.stat().st_size < whole.stat().st_size
