"""The graph view: kept in step with inserts, and paths found without scanning the whole graph."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from linc.kg import graph as graphs
from linc.logic.formula import Const, Not, Pred

from .conftest import fol


def random_graph(seed: int) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    items = []
    for i in range(60):
        a, b = f"c{rng.randrange(12)}", f"c{rng.randrange(12)}"
        atom = Pred(rng.choice(["Likes", "Sees"]), (Const(a), Const(b)))
        items.append((i + 1, Not(atom) if rng.random() < 0.2 else atom))
    return graphs.build(items)


def reference(g, source, target, max_length, directed, relation):
    """All simple edge paths by networkx over the positive edges, as (fact ids) tuples."""
    keep = [(u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if not d["negated"] and relation in (None, d["relation"])]
    view = g.edge_subgraph(keep)
    if source not in view or target not in view:
        return set()
    walk = view if directed else view.to_undirected(as_view=True)
    return {tuple(k for _, _, k in p) for p in nx.all_simple_edge_paths(walk, source, target, cutoff=max_length)}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("max_length", [3, 5])
def test_paths_agree_with_networkx(seed, directed, max_length):
    g = random_graph(seed)
    for source, target in [("c0", "c1"), ("c2", "c7"), ("c5", "c3")]:
        if source not in g or target not in g:
            continue
        for relation in (None, "Likes"):
            found = graphs.paths(g, source, target, max_length=max_length, directed=directed, relation=relation, limit=10_000)
            assert {tuple(e.fact for e in p) for p in found} == reference(g, source, target, max_length, directed, relation)
            assert [len(p) for p in found] == sorted(len(p) for p in found)  # shortest first
            for p in found:  # edges report their stored direction
                assert all(g.has_edge(e.subject, e.object, e.fact) and not e.negated for e in p)


def test_the_graph_grows_with_inserts_from_any_process(tmp_path, prover):
    from linc.kg import KnowledgeGraph

    path = tmp_path / "kg.sqlite"
    with KnowledgeGraph(path, prover=prover) as kg, KnowledgeGraph(path, prover=prover) as other:
        kg.assert_axiom(fol("Likes(anne, bob)"))
        g = kg.graph()
        other.assert_axiom(fol("Likes(bob, carl)"))
        kg.assert_axiom(fol("Big(carl)"))
        assert kg.graph() is g  # the same object, grown, not rebuilt
        assert [str(e) for p in kg.paths("anne", "carl") for e in p] == ["Likes(anne, bob)", "Likes(bob, carl)"]
        assert set(g.nodes["carl"]["labels"]) == {"Big"}
        other.retract(fol("Likes(bob, carl)"))
        assert kg.paths("anne", "carl") == []  # a removal rebuilds the view
