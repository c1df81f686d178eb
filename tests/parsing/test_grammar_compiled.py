"""The compiled grammar gives the readings nltk's feature chart parser gives, sentence by sentence,
on every corpus of controlled English at hand; nltk is asked only where it must be."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import pytest
from nltk.grammar import FeatureGrammar
from nltk.parse.featurechart import FeatureChartParser

from linc.errors import ParserError
from linc.parsing import grammar, grammar_chart
from linc.parsing.grammar_compiled import CompiledGrammar, GaveUp
from tests.conftest import ROOT
from tests.parsing.test_controlled_english_guide import LIMITS, ROWS
from tests.parsing.test_grammar import OUTSIDE, PROOFWRITER_FORMS, PRONTOQA_FORMS

# Beyond the corpora: forms the guide does not show, agreement and pronoun errors, irregular
# plurals, names in first position, long coordinations.
MORE = [
    "Sheep are sheep.", "Bob is a sheep.", "All sheep are big.", "Every sheep is not a wolf.",
    "Charles is big.", "Wumpuses chase Bob.", "The cat does not chase Charles.", "Everyone chases the cat.",
    "If someone is big then they chase the cat.", "If something chases Bob and it is red then it is big.",
    "If the cat is big and the dog is red and Bob is kind then Bob is not big.",
    "Bob is big, red, kind, round, young, rough, quiet and nice.",
    "All big, red, kind, round, young things are rough.", "All people are not big.",
    "If something is big and it is red and it is kind and it is round then it is young.",
    "Big wumpuses are red.", "Red people are big.", "Every wumpus chases the cat.", "Wumpuses do not chase Bob.",
    "If someone is big then it is red.", "Bob do not chase the cat.", "The cat chase Bob.", "Big is red.",
    "Bob is not not big.", "If Bob is big Bob is red.", "Each people are big.", "All things things are big.",
]


def _skeleton(sentence: str) -> tuple[str, ...] | None:
    try:
        return grammar._skeleton(sentence)[0]
    except ParserError:  # refused before any parse (an unknown token, too long): nothing to compare
        return None


def _outcome(readings) -> list[str] | str:
    try:
        return [str(f) for f in readings()]
    except ParserError as err:
        return f"ParserError: {err}"


def _compare(skeletons: set[tuple[str, ...]]) -> list[tuple]:
    """The skeletons whose compiled readings differ from nltk's."""
    differ = []
    for skeleton in sorted(skeletons):
        ours = _outcome(lambda: grammar_chart.parse_skeleton(skeleton, 60))
        theirs = _outcome(lambda: [grammar_chart.from_nltk(m) for m in grammar_chart.chart_parse(skeleton, 60)])
        if ours != theirs:
            differ.append((skeleton, ours, theirs))
    return differ


def test_the_corpora_read_as_nltk_reads_them():
    sentences = [s for s, _ in ROWS] + LIMITS + [s for s, _ in PROOFWRITER_FORMS + PRONTOQA_FORMS] + OUTSIDE + MORE
    skeletons = {s for s in map(_skeleton, sentences) if s is not None}
    assert len(skeletons) > 60
    assert _compare(skeletons) == []


def test_near_sentences_read_as_nltk_reads_them():
    """Sentences of the guide with a token dropped, doubled or swapped with its neighbour: mostly
    outside the grammar, some inside it in unexpected ways."""
    rng = random.Random(13)
    skeletons = set()
    for sentence, _ in ROWS:
        tokens = list(_skeleton(sentence))
        for _ in range(3):
            i = rng.randrange(len(tokens))
            variant = rng.choice([tokens[:i] + tokens[i + 1:], tokens[:i + 1] + tokens[i:],
                                  tokens[:i] + tokens[i + 1:i + 2] + tokens[i:i + 1] + tokens[i + 2:]])
            # slots keep their position in their name, as the tokenizer gives them
            skeletons.add(tuple(f"<{t[1].lower() if j else t[1].upper()}{j}>" if t.startswith("<") and t[1] != "c"
                                else f"<c{j}>" if t.startswith("<") else t for j, t in enumerate(variant)))
    assert _compare(skeletons) == []


def test_every_proofwriter_sentence_reads_as_nltk_reads_it(shared_data):
    """The 600 ProofWriter depth-5 problems: 3,594 distinct sentences, 188 distinct shapes."""
    problems = json.loads((shared_data / "proofwriter" / "proofwriter-d5-owa-dev.json").read_text())
    sentences = {s for item in problems for s in item["context"].split(". ")}
    sentences |= {item["question"].rsplit("?", 1)[1].strip() for item in problems}
    skeletons = {_skeleton(s) for s in sentences}
    assert None not in skeletons and len(skeletons) > 150
    assert _compare(skeletons) == []


def test_unambiguous_sentences_never_reach_nltks_parser(monkeypatch):
    def refuse(skeleton, max_seconds):
        raise AssertionError(f"nltk's chart parser was asked for {skeleton}")

    monkeypatch.setattr(grammar_chart, "chart_parse", refuse)
    for sentence, reading in ROWS:
        [template] = grammar_chart.parse_skeleton(_skeleton(sentence), 10)
        assert str(grammar._rename(template, grammar._skeleton(sentence)[1])) == reading


def test_the_closed_words_read_from_the_file_are_nltks_terminals():
    productions = grammar_chart.base_grammar().productions()
    assert grammar._closed_words() == {t for p in productions for t in p.rhs() if isinstance(t, str)}


# ---------------------------------------------------------------- the compiler on toy grammars

AGREEMENT = FeatureGrammar.fromstring(r"""
% start S
S[SEM=<?v(?s)>] -> NP[NUM=?n, SEM=?s] VP[NUM=?n, SEM=?v]
NP[NUM=sg, SEM=<bob>] -> 'bob'
NP[NUM=pl, SEM=<dogs>] -> 'dogs'
NP[SEM=<sheep>] -> 'sheep'
VP[NUM=sg, SEM=<\x.runs(x)>] -> 'runs'
VP[NUM=pl, SEM=<\x.run(x)>] -> 'run'
VP[NUM=?n, SEM=<\x.(?a(x) & ?b(x))>] -> VP[NUM=?n, SEM=?a] 'and' VP[NUM=?n, SEM=?b]
""")

# "rain or snow and wind" has two readings; a longer chain one per bracketing.
AMBIGUOUS = FeatureGrammar.fromstring(r"""
% start S
S[SEM=?e] -> E[SEM=?e]
E[SEM=<(?a & ?b)>] -> E[SEM=?a] 'and' E[SEM=?b]
E[SEM=<(?a | ?b)>] -> E[SEM=?a] 'or' E[SEM=?b]
E[SEM=<rain>] -> 'rain'
E[SEM=<snow>] -> 'snow'
E[SEM=<wind>] -> 'wind'
""")


def _nltk_meanings(g: FeatureGrammar, tokens: list[str]) -> set[str]:
    """Every distinct meaning, written by linc (nltk's own str() drops the brackets of a chain of ∧)."""
    return {str(grammar_chart.from_nltk(t.label()["SEM"].simplify())) for t in FeatureChartParser(g).parse(tokens)}


def _compiled_meanings(g: FeatureGrammar, tokens: list[str]) -> set[str]:
    compiled = CompiledGrammar(g.productions(), g.start())
    return {str(grammar_chart.from_nltk(m)) for m in compiled.meanings(tokens, {}, time.perf_counter() + 10)}


@pytest.mark.parametrize("tokens", [
    "bob runs", "bob run", "dogs run", "dogs runs", "sheep run", "sheep runs", "sheep runs and runs",
    "sheep run and runs", "dogs run and run and run", "bob", "runs",
])
def test_features_left_out_agree_with_anything_as_in_nltk(tokens):
    assert _compiled_meanings(AGREEMENT, tokens.split()) == _nltk_meanings(AGREEMENT, tokens.split())


@pytest.mark.parametrize("tokens", ["rain or snow and wind", "rain and snow or wind and rain", "rain or snow", "rain and rain and rain and rain"])
def test_every_meaning_of_an_ambiguous_sentence_is_found(tokens):
    found = _compiled_meanings(AMBIGUOUS, tokens.split())
    assert found == _nltk_meanings(AMBIGUOUS, tokens.split()) and len(found) >= 1


@pytest.mark.parametrize("tokens", ["rain or snow and wind", " and ".join(["rain"] * 6)])
def test_an_ambiguous_skeleton_gets_nltks_first_two_readings(monkeypatch, tokens):
    """Two readings are an error naming both: they are nltk's, in its order, also when there are
    too many readings for the compiled parser to collect (six conjuncts: 42 bracketings)."""
    monkeypatch.setattr(grammar_chart, "base_grammar", lambda: AMBIGUOUS)
    monkeypatch.setattr(grammar_chart, "_compiled", lambda: CompiledGrammar(AMBIGUOUS.productions(), AMBIGUOUS.start()))
    skeleton = tuple(tokens.split())
    readings = [str(f) for f in grammar_chart.parse_skeleton(skeleton, 10)]
    assert len(readings) == 2
    assert readings == [str(grammar_chart.from_nltk(m)) for m in grammar_chart.chart_parse(skeleton, 10)]


def test_a_cycle_of_unary_productions_is_left_to_nltk():
    g = FeatureGrammar.fromstring("% start S\nS[SEM=?a] -> T[SEM=?a]\nT[SEM=?a] -> S[SEM=?a]\nS[SEM=<rain>] -> 'rain'")
    with pytest.raises(GaveUp, match="cycle"):
        CompiledGrammar(g.productions(), g.start()).meanings(["rain"], {}, time.perf_counter() + 10)


@pytest.mark.parametrize("rules", [
    "S[AGR=[NUM=sg]] -> 'a'",  # a nested feature structure
    "S[SEM=?x] -> X[SEM=<a>]\nX[SEM=<a>] -> 'a'",  # a right-hand SEM that is not a variable
    "S[SEM=?y] -> X[SEM=?x]\nX[SEM=<a>] -> 'a'",  # a SEM bound to no child
])
def test_what_cannot_be_compiled_is_refused(rules):
    g = FeatureGrammar.fromstring("% start S\n" + rules)
    with pytest.raises(ParserError, match="cannot compile"):
        CompiledGrammar(g.productions(), g.start())


# ---------------------------------------------------------------- nltk only when needed


def test_a_run_whose_shapes_are_cached_does_not_import_nltk(tmp_path):
    """nltk's import is the larger part of a cold parse; with every shape on disk it is not made."""
    script = ("import sys; from linc.parsing.grammar import GrammarParser; "
              "print(GrammarParser().parse(sys.argv[1])); print('nltk' in sys.modules)")

    def run(sentence: str) -> list[str]:
        env = {"LINC_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
        out = subprocess.run([sys.executable, "-c", script, sentence], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        return out.stdout.split()

    assert run("Bob is big.") == ["Big(bob)", "True"]  # a new shape: parsed, with nltk
    assert run("Anne is red.") == ["Red(anne)", "False"]  # the same shape: read back
