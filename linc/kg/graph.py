"""The in-memory graph view of stored facts (networkx), its queries, exports and drawing.

Ground literals become graph structure: each constant (or ground function term) is a node, a
unary predicate is a node label, a binary predicate (or ``=``) an edge from the first argument to
the second. Negated literals are kept the same way, as negative labels and ``negated`` edges, so
"Bob is not big" is as visible as "Bob is big". Everything else (rules, quantified or compound
formulas, atoms of other arities) is a rule, attached to the symbols it mentions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

import networkx as nx

from linc.errors import KnowledgeGraphError
from linc.kg.errors import UnknownConstantError
from linc.kg.facts import Fact, literal_atom, symbols
from linc.logic.formula import Const, Eq, Formula, Term, is_ground_atom

Direction = Literal["out", "in", "both"]


@dataclass(frozen=True)
class Edge:
    """One stored binary literal: ``relation(subject, object)``, negated or not, from fact ``fact``."""

    subject: str
    relation: str
    object: str
    fact: int
    negated: bool = False

    def __str__(self) -> str:
        atom = f"{self.relation}({self.subject}, {self.object})"
        return f"¬{atom}" if self.negated else atom


def build(facts: Iterable[tuple[int, Formula]]) -> nx.MultiDiGraph:
    """The graph of ``(fact id, formula)`` pairs; rules go to ``graph.graph["rules"]`` (fact id →
    FOL) and to the ``rules`` list of every constant node and ``graph.graph["predicates"]`` entry
    they mention."""
    g = nx.MultiDiGraph()
    g.graph["rules"] = {}
    g.graph["predicates"] = {}
    for fact_id, formula in facts:
        add(g, fact_id, formula)
    return g


def add(g: nx.MultiDiGraph, fact_id: int, formula: Formula) -> None:
    """Add one fact to the graph (the view grows with the store instead of being rebuilt)."""
    if is_ground_atom(formula) and _graph_arity(formula):
        _add_literal(g, fact_id, formula)
    else:
        _add_rule(g, fact_id, formula)


def _graph_arity(formula: Formula) -> bool:
    atom, _ = literal_atom(formula)
    return isinstance(atom, Eq) or len(atom.args) in (1, 2)


def _node(g: nx.MultiDiGraph, name: str) -> None:
    if name not in g:
        g.add_node(name, labels={}, negative_labels={}, rules=[])


def _add_literal(g: nx.MultiDiGraph, fact_id: int, formula: Formula) -> None:
    atom, positive = literal_atom(formula)
    if isinstance(atom, Eq):
        relation, args = "=", [_node_name(atom.left), _node_name(atom.right)]
    else:
        relation, args = atom.name, [_node_name(a) for a in atom.args]
    for name in args:
        _node(g, name)
    if len(args) == 1:
        g.nodes[args[0]]["labels" if positive else "negative_labels"][relation] = fact_id
    else:
        g.add_edge(args[0], args[1], key=fact_id, relation=relation, negated=not positive, fact=fact_id)
    g.graph["predicates"].setdefault(relation, [])


def _node_name(term: Term) -> str:
    """A constant's node is its name, as in the rules that mention it (``Mr. Smith``, not the
    printed ``'Mr. Smith'``); a function term's, its text."""
    return term.name if isinstance(term, Const) else str(term)


def _add_rule(g: nx.MultiDiGraph, fact_id: int, formula: Formula) -> None:
    g.graph["rules"][fact_id] = str(formula)
    for kind, name in sorted(symbols(formula)):
        if kind == "constant":
            _node(g, name)
            g.nodes[name]["rules"].append(fact_id)
        elif kind == "predicate":
            g.graph["predicates"].setdefault(name, []).append(fact_id)


# ---------------------------------------------------------------- queries


def neighbours(
    g: nx.MultiDiGraph,
    node: str,
    relation: str | None = None,
    direction: Direction = "out",
    negated: bool = False,
) -> list[Edge]:
    """Edges at ``node`` (optionally one ``relation``), outgoing, incoming or both.

    ``negated`` selects the stored negative literals (``¬Likes(bob, anne)``) instead of positive."""
    if direction not in ("out", "in", "both"):
        raise KnowledgeGraphError(f"direction must be 'out', 'in' or 'both', not {direction!r}")
    if node not in g:
        return []
    found: list[tuple] = []
    if direction in ("out", "both"):
        found += list(g.out_edges(node, data=True))
    if direction in ("in", "both"):
        found += list(g.in_edges(node, data=True))
    edges = {
        _edge(u, v, d)
        for u, v, d in found
        if d["negated"] == negated and (relation is None or d["relation"] == relation)
    }
    return sorted(edges, key=lambda e: (e.fact, e.subject, e.object))


def paths(
    g: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    max_length: int = 4,
    directed: bool = False,
    relation: str | None = None,
    limit: int = 100,
) -> list[list[Edge]]:
    """Simple paths of positive edges from ``source`` to ``target``, shortest first.

    Undirected by default: "how are bob and anne connected?" rarely cares which way each edge
    points; each :class:`Edge` still reports its stored direction. At most ``limit`` paths.
    Bidirectional: a path of length L is a walk of ceil(L/2) edges from ``source`` and one of
    floor(L/2) edges back from ``target`` meeting at a node, so the search touches only the
    neighbourhoods of radius L/2 around the two ends (d^(L/2) walks, not d^L)."""
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
        raise KnowledgeGraphError(f"max_length must be a whole number of at least 1, not {max_length!r}")
    for name in (source, target):
        if name not in g:
            raise UnknownConstantError(f"no constant {name!r} in the knowledge graph")
    max_length = min(max_length, len(g) - 1)  # no simple path is longer
    if source == target:
        return [[]]
    cache: dict[tuple[str, bool], list[Step]] = {}

    def steps(node: str, backwards: bool) -> list[Step]:
        """(next node, subject, object, fact id) of the usable edges at ``node``."""
        key = (node, backwards)
        if key not in cache:
            found = []
            if not directed or not backwards:
                found += [(v, node, v, d) for v, edges in g.succ[node].items() for d in edges.values()]
            if not directed or backwards:
                found += [(u, u, node, d) for u, edges in g.pred[node].items() for d in edges.values()]
            cache[key] = [(n, s, o, d["fact"]) for n, s, o, d in found if not d["negated"] and relation in (None, d["relation"])]
        return cache[key]

    forward: list[dict[str, list[Walk]]] = [{source: [((), (source,))]}]
    backward: list[dict[str, list[Walk]]] = [{target: [((), (target,))]}]
    out: list[list[Edge]] = []
    for length in range(1, max_length + 1):
        ahead, behind = (length + 1) // 2, length // 2
        while len(forward) <= ahead:
            forward.append(_extend(forward[-1], lambda n: steps(n, False)))
        while len(backward) <= behind:
            backward.append(_extend(backward[-1], lambda n: steps(n, True)))
        ends = backward[behind]
        for middle, walks in forward[ahead].items():
            for trail, nodes in walks:
                for back, back_nodes in ends.get(middle, ()):
                    if len(set(nodes).intersection(back_nodes)) != 1:
                        continue  # the two halves meet only at ``middle``
                    out.append([_edge(s, o, g.succ[s][o][k]) for _, s, o, k in (*trail, *reversed(back))])
                    if len(out) >= limit:
                        return out
    return out


Step = tuple[str, str, str, int]  # (next node, subject, object, fact id)
Walk = tuple[tuple[Step, ...], tuple[str, ...]]  # (steps, nodes visited)


def _extend(walks: dict[str, list[Walk]], steps) -> dict[str, list[Walk]]:
    """Every simple walk one step longer than those in ``walks``, by end node."""
    out: dict[str, list[Walk]] = {}
    for node, here in walks.items():
        for step in steps(node):
            for trail, nodes in here:
                if step[0] not in nodes:
                    out.setdefault(step[0], []).append(((*trail, step), (*nodes, step[0])))
    return out


def _edge(u: str, v: str, d: dict[str, Any]) -> Edge:
    return Edge(u, d["relation"], v, d["fact"], d["negated"])


# ---------------------------------------------------------------- export and drawing


def to_json(g: nx.MultiDiGraph, facts: Iterable[Fact]) -> dict[str, Any]:
    """Nodes, edges, rules and every fact with provenance, as plain JSON data."""
    return {
        "nodes": [
            {
                "id": n,
                "labels": sorted(d["labels"]),
                "negative_labels": sorted(d["negative_labels"]),
                "rules": list(d["rules"]),
            }
            for n, d in sorted(g.nodes(data=True))
        ],
        "edges": [
            {"source": u, "target": v, "relation": d["relation"], "negated": d["negated"], "fact": d["fact"]}
            for u, v, d in g.edges(data=True)
        ],
        "rules": [{"fact": i, "fol": fol} for i, fol in sorted(g.graph["rules"].items())],
        "facts": [f.to_dict() for f in facts],
    }


def write_graphml(g: nx.MultiDiGraph, path: str | Path) -> Path:
    """GraphML needs scalar attributes: labels and rule lists are written as ``;``-joined text."""
    flat = nx.MultiDiGraph()
    flat.graph["rules"] = json.dumps({str(k): v for k, v in g.graph["rules"].items()}, ensure_ascii=False)
    for n, d in g.nodes(data=True):
        flat.add_node(
            n,
            labels=";".join(sorted(d["labels"])),
            negative_labels=";".join(sorted(d["negative_labels"])),
            rules=";".join(map(str, d["rules"])),
        )
    for u, v, k, d in g.edges(keys=True, data=True):
        flat.add_edge(u, v, key=k, relation=d["relation"], negated=d["negated"], fact=d["fact"])
    nx.write_graphml(flat, str(path))
    return Path(path)


def subgraph(g: nx.MultiDiGraph, around: Iterable[str], radius: int = 1) -> nx.MultiDiGraph:
    """The nodes within ``radius`` edges (either direction) of ``around``, with their edges."""
    seeds = list(around)
    for name in seeds:
        if name not in g:
            raise UnknownConstantError(f"no constant {name!r} in the knowledge graph")
    undirected = g.to_undirected(as_view=True)
    keep: set[str] = set()
    for name in seeds:
        keep |= set(nx.single_source_shortest_path_length(undirected, name, cutoff=radius))
    return g.subgraph(keep).copy()


def draw(g: nx.MultiDiGraph, path: str | Path, *, title: str | None = None) -> Path:
    """A PNG: nodes with their labels (``¬`` for negative ones), edges named by relation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6.0, len(g) ** 0.5 * 3), max(4.5, len(g) ** 0.5 * 2.4)))
    try:
        pos = nx.spring_layout(g, seed=7) if len(g) else {}
        texts = {n: _node_text(n, d) for n, d in g.nodes(data=True)}
        nx.draw_networkx_nodes(g, pos, ax=ax, node_color="#dbe9f6", edgecolors="#2f5d8a", node_size=900)
        nx.draw_networkx_labels(g, pos, labels=texts, ax=ax, font_size=8)
        positive = [(u, v) for u, v, d in g.edges(data=True) if not d["negated"]]
        negative = [(u, v) for u, v, d in g.edges(data=True) if d["negated"]]
        nx.draw_networkx_edges(g, pos, edgelist=positive, ax=ax, arrows=True, node_size=900)
        nx.draw_networkx_edges(g, pos, edgelist=negative, ax=ax, arrows=True, style="dashed", edge_color="#b03030", node_size=900)
        names: dict[tuple[str, str], list[str]] = {}
        for u, v, d in g.edges(data=True):
            names.setdefault((u, v), []).append(("¬" if d["negated"] else "") + d["relation"])
        nx.draw_networkx_edge_labels(g, pos, edge_labels={k: ", ".join(v) for k, v in names.items()}, ax=ax, font_size=7)
        ax.set_title(title or f"{len(g)} constants, {g.number_of_edges()} relations, {len(g.graph.get('rules', {}))} rules")
        ax.axis("off")
        fig.tight_layout()
        fig.savefig(str(path), format="png", dpi=110)
    finally:
        plt.close(fig)
    return Path(path)


def _node_text(name: str, d: dict[str, Any]) -> str:
    labels = sorted(d["labels"]) + [f"¬{p}" for p in sorted(d["negative_labels"])]
    return f"{name}\n{', '.join(labels)}" if labels else name
