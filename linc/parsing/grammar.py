"""The ``grammar`` parser: controlled English to FOL with an NLTK feature grammar, no model needed.

The grammar file (``controlled_english.fcfg``) holds the sentence structure and the closed-class
words with lambda-calculus ``SEM`` features. Its lexicon is open: each content word gets lexical
productions, at parse time, for the categories its shape allows (an ``-s`` word may be a plural
noun or a third-person verb, another word an adjective, a noun or a base-form verb; a capitalised
word or "the" + noun is a constant), and the rules pick the reading that fits, so theories with
new words parse. A sentence the rules do not cover is a :class:`ParserError` naming it.

A sentence is parsed as its skeleton (the content words replaced by slots, see below), each
skeleton once: by the grammar compiled to a context-free one (:mod:`linc.parsing.grammar_chart`,
the only part that imports nltk), its readings then kept in memory and on disk
(:mod:`linc.parsing.readings`), and each sentence of that shape is its readings with the words put in.

>>> p = GrammarParser()
>>> str(p.parse("If someone chases the bald eagle and they are blue then they visit the bear."))
'∀x ((Chases(x, bald_eagle) ∧ Blue(x)) → Visits(x, bear))'
>>> str(p.parse("Wumpuses are not shy."))
'∀x (Wumpus(x) → ¬Shy(x))'

Symbols: names and "the" + noun are constants (``bob``, ``bald_eagle``), adjectives and class
nouns unary predicates (``Big``, ``Wumpus``: plurals singularised), transitive verbs binary
predicates named by their third-person form (``chase`` and ``chases`` both give ``Chases``).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import ClassVar, Mapping

from linc.errors import ParserError
from linc.logic.formula import And, Binary, Exists, Forall, Formula, Not, Pred, conjoin, subformulas, universal_closure
from linc.logic.read import parse
from linc.logic.signature import rename_symbols, symbols
from linc.parsing.base import Parser, Problem, Sample
from linc.parsing.readings import ReadingStore

__all__ = ["GrammarParser", "tokenize"]

GRAMMAR_FILE = "controlled_english.fcfg"
# The modules whose code decides a skeleton's readings, besides the grammar file: the on-disk
# readings are keyed by their source.
_READING_MODULES = ("grammar.py", "grammar_chart.py", "grammar_compiled.py")
# Parsing grows with the sentence length (steeply for nltk's feature unification, which ambiguous
# sentences still go to): a sentence longer than ProofWriter's longest (16 tokens) twice over is
# refused, and any parse is bounded in time.
MAX_TOKENS = 32
MAX_SECONDS = 10.0
SEMANTICS = ("classical", "proofwriter")
NOT_PREFIX = "Not_"

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|\S")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CONTENT_WORD = re.compile(r"[a-z][a-z-]*[a-z]")  # letters only: never read as an nltk variable
_TERMINAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")


# ---------------------------------------------------------------- tokens


def tokenize(sentence: str) -> list[str]:
    """Normalised tokens of one sentence: lower-cased, final punctuation dropped, commas split off,
    "the" + noun words joined into one noun-phrase token ("the bald eagle"), and names (capitalised
    words after the first) kept capitalised so they can only be read as names.

    >>> tokenize("The bald eagle chases Bob, the cat.")
    ['the bald eagle', 'chases', 'Bob', ',', 'the cat']
    """
    words = _TOKEN.findall(sentence.strip().rstrip(".!?"))
    tokens = [w if i and w[0].isupper() and w.lower() not in _closed_words() else w.lower() for i, w in enumerate(words)]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] != "the":
            out.append(tokens[i])
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and _is_content(tokens[j]) and not tokens[j][0].isupper():
            j += 1
        # "the bald eagle chases the cat": the word before the next noun phrase is its verb.
        if j < len(tokens) and j - i > 2 and (tokens[j] == "the" or tokens[j][0].isupper()):
            j -= 1
        out.append(" ".join(tokens[i:j]))
        i = j
    return out


def _is_content(word: str) -> bool:
    low = word.lower()
    return low != "the" and low not in _closed_words() and bool(_CONTENT_WORD.fullmatch(low))


# ---------------------------------------------------------------- lexicon
#
# The chart parse depends only on which categories each word may take, not on the word: a sentence
# is parsed as its skeleton, with each content word replaced by a slot (``<w3>``: any word at
# position 3; ``<s3>``: an -s word; ``<c3>``: a constant; ``<W3>``/``<S3>``: the first word, which
# may also be a name). A slot's SEM uses placeholder symbols (``pred3``, ``verb3``, ...) that are
# resolved to the word's symbols afterwards, so "Bob is big" and "Anne is red" share one parse.


def _symbol(word: str) -> str:
    return word.replace("-", "_")


def _predicate(word: str) -> str:
    return _symbol(word[0].upper() + word[1:])


# Plurals that the -s rules below do not undo. The nouns whose plural is the singular ("sheep")
# may be read as either.
_IRREGULAR_PLURALS = {
    "men": "man", "women": "woman", "children": "child", "mice": "mouse", "geese": "goose",
    "feet": "foot", "teeth": "tooth", "oxen": "ox", "lice": "louse", "dice": "die",
    "wolves": "wolf", "knives": "knife", "wives": "wife", "lives": "life", "leaves": "leaf",
    "elves": "elf", "halves": "half", "calves": "calf", "loaves": "loaf", "thieves": "thief",
    "shelves": "shelf", "heroes": "hero", "potatoes": "potato", "tomatoes": "tomato",
    "cacti": "cactus", "fungi": "fungus", "nuclei": "nucleus", "criteria": "criterion",
    "phenomena": "phenomenon",
}
_SAME_PLURALS = frozenset({"sheep", "deer", "fish", "moose", "bison", "salmon", "trout", "aircraft", "species", "series"})


def _singular(noun: str) -> str:
    """``wumpuses`` → ``wumpus``, ``butterflies`` → ``butterfly``, ``horses`` → ``horse``,
    ``men`` → ``man``, ``mice`` → ``mouse``, ``sheep`` → ``sheep``."""
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun in _SAME_PLURALS:
        return noun
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(("sses", "uses", "xes", "zzes", "ches", "shes")):
        return noun[:-2]
    return noun[:-1]


def _third_person(verb: str) -> str:
    """``chase`` → ``chases``, ``watch`` → ``watches``, ``carry`` → ``carries``, ``have`` → ``has``."""
    if verb == "have":
        return "has"
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _s_form(word: str) -> bool:
    """Could be a plural noun or a third-person verb (and so not an adjective or a base form)."""
    return word in _IRREGULAR_PLURALS or word.endswith("s") and not word.endswith(("ss", "us", "is")) and word not in _SAME_PLURALS


def _is_constant(token: str) -> bool:
    return token.startswith("the ") or token[0].isupper()


def _slot(token: str, i: int) -> str:
    """The skeleton terminal standing for content token ``token`` at position ``i``."""
    if _is_constant(token):
        return f"<c{i}>"
    kind = "s" if _s_form(token) else "n" if token in _SAME_PLURALS else "w"
    return f"<{kind.upper() if i == 0 else kind}{i}>"


@lru_cache(maxsize=16384)
def _symbols(token: str, i: int) -> dict[str, str]:
    """What the placeholder symbols of slot ``i`` stand for, once the word is known (remembered:
    the caller only reads the dict)."""
    words = token.lower().split()
    const = "_".join(_symbol(w) for w in (words[1:] if words[0] == "the" else words))
    if _is_constant(token):
        return {f"const{i}": const}
    return {
        f"const{i}": const,
        f"pred{i}": _predicate(token),
        f"plural{i}": _predicate(_singular(token)),
        f"verb{i}": _predicate(token),
        f"verbbase{i}": _predicate(_third_person(token)),
    }


@cache
def _closed_words() -> frozenset[str]:
    """The grammar's terminal words: the quoted words on the right of its rules, read from the
    file, not through nltk (whose import is not needed when every sentence shape is cached)."""
    words: set[str] = set()
    for line in resources.files("linc.parsing").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8").splitlines():
        rule = line.split("#", 1)[0]
        if "->" in rule:
            words.update(a or b for a, b in _TERMINAL.findall(rule.split("->", 1)[1]))
    return frozenset(words)


def _parse_skeleton(skeleton: tuple[str, ...]) -> tuple[Formula, ...]:
    """The distinct meanings (at most two) of a skeleton as formulas over placeholder symbols."""
    from linc.parsing.grammar_chart import parse_skeleton  # nltk, imported only when needed

    return parse_skeleton(skeleton, MAX_SECONDS)


@cache
def _store() -> ReadingStore:
    """The on-disk readings of this grammar: keyed by the grammar and by the source of the code
    that decides what a skeleton is, which categories a slot allows and how it is parsed."""
    parts = [resources.files("linc.parsing").joinpath(GRAMMAR_FILE).read_bytes()]
    parts += [Path(__file__).with_name(name).read_bytes() for name in _READING_MODULES]
    key = hashlib.sha256(b"\0".join(parts)).hexdigest()[:32]
    return ReadingStore(key)


@lru_cache(maxsize=4096)
def _templates(skeleton: tuple[str, ...], disk: bool) -> tuple[Formula, ...]:
    """The meanings of a skeleton as formulas over placeholder symbols: from the on-disk readings
    when this shape was parsed before (by this run's other workers or by an earlier run), else by
    a chart parse, whose readings are then stored. Raises :class:`ParserError` (no sentence named)
    for a meaning without a first-order reading."""
    stored = _store().get(skeleton) if disk else None
    if stored is not None:
        return tuple(parse(text, syntax="folio") for text in stored)
    templates = _parse_skeleton(skeleton)
    if disk:
        _store().put(skeleton, [str(t) for t in templates])
    return templates


def _rename(f: Formula, names: Mapping[str, str]) -> Formula:
    """``f`` with its placeholder symbols replaced by the words' symbols."""
    return rename_symbols(f, {sym: names[sym[1]] for sym in symbols([f]) if sym[1] in names})


# ---------------------------------------------------------------- parsing


def _skeleton(sentence: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """The skeleton of a sentence, and what its placeholder symbols stand for."""
    tokens = tokenize(sentence)
    if not tokens:
        raise ParserError(f"empty sentence: {sentence!r}")
    if len(tokens) > MAX_TOKENS:
        raise ParserError(f"sentence of {len(tokens)} tokens (limit {MAX_TOKENS}) is outside the grammar: {sentence!r}")
    closed = _closed_words()
    skeleton: list[str] = []
    names: dict[str, str] = {}
    for i, token in enumerate(tokens):
        if token in closed:
            skeleton.append(token)
        elif token.startswith("the ") or _is_content(token):
            skeleton.append(_slot(token, i))
            names.update(_symbols(token, i))
        else:
            raise ParserError(f"sentence outside the grammar (unexpected {token!r}): {sentence!r}")
    return tuple(skeleton), names


def _parse_sentence(sentence: str, disk: bool = True) -> Formula:
    skeleton, names = _skeleton(sentence)
    try:
        meanings = [_rename(t, names) for t in _templates(skeleton, disk)]
    except TimeoutError as err:
        raise ParserError(f"sentence too complex to parse in {MAX_SECONDS:g} s: {sentence!r}") from err
    except ParserError as err:
        raise ParserError(f"{err}: {sentence!r}") from err
    if not meanings:
        raise ParserError(f"sentence outside the grammar: {sentence!r}")
    if len(meanings) > 1:
        raise ParserError(f"ambiguous sentence ({meanings[0]} or {meanings[1]}): {sentence!r}")
    return meanings[0]


def _explicit(f: Formula) -> Formula:
    """Negated atoms as atoms of their own: ``¬Big(x)`` → ``Not_Big(x)``."""
    if isinstance(f, Not) and isinstance(f.body, Pred):
        return Pred(NOT_PREFIX + f.body.name, f.body.args)
    if isinstance(f, Not):
        return Not(_explicit(f.body))
    if isinstance(f, Binary):
        return type(f)(_explicit(f.left), _explicit(f.right))
    if isinstance(f, (Forall, Exists)):
        return type(f)(f.var, _explicit(f.body))
    return f


def _coherence(conclusion: Formula) -> list[Formula]:
    """``¬(P(t) ∧ Not_P(t))`` for each atom ``P(t)`` of a (classical) conclusion."""
    atoms = dict.fromkeys(g for g in subformulas(conclusion) if isinstance(g, Pred))
    return [universal_closure(Not(And(a, Pred(NOT_PREFIX + a.name, a.args)))) for a in atoms]


class GrammarParser(Parser):
    """Deterministic parser for ProofWriter/ProntoQA-style controlled English: one Sample per
    problem, whatever ``k``. Parsed sentences are cached, as theories repeat their sentences, and
    so are the readings of each sentence shape, in memory and on disk (``disk_cache``; see
    :mod:`linc.parsing.readings`), so that a shape is chart-parsed once, not once per worker and run.

    ``semantics`` says what "not" means:

    - ``"classical"`` (default): ``¬``, so provers may reason by contraposition and by cases;
    - ``"proofwriter"``: ProofWriter's open-world semantics, with which its answers were computed.
      A negated statement is a fact of its own (``Not_Big(bob)``) and rules only fire forwards:
      the conclusion is True when derived, False when its opposite is derived, else Uncertain.
      One coherence axiom per atom of the conclusion, ``¬(Big(bob) ∧ Not_Big(bob))``, is appended
      to the Sample's premises (after the translated ones) so that a prover can tell False apart.
      Classically, 15 of the 600 ProofWriter depth-5 dev problems get another answer than the
      dataset's (case analysis, contraposition, premises that contradict each other only
      classically); with this semantics all 600 agree.

    >>> GrammarParser(semantics="proofwriter").parse("The cat does not chase Bob.")
    Pred(name='Not_Chases', args=(Const(name='cat'), Const(name='bob')))
    """

    name: ClassVar[str] = "grammar"

    def __init__(self, semantics: str = "classical", cache_size: int = 16384, disk_cache: bool = True):
        if semantics not in SEMANTICS:
            raise ParserError(f"unknown semantics {semantics!r}; choose from {', '.join(SEMANTICS)}")
        self.semantics = semantics
        self.disk_cache = disk_cache
        self._sentence = lru_cache(maxsize=cache_size)(partial(_parse_sentence, disk=disk_cache))
        # Theories share whole premises, not only sentences: a text read before gives the very
        # formula objects it gave then, whose hash and printed form are already computed.
        self._text = lru_cache(maxsize=cache_size)(self._read)

    def parse(self, text: str) -> Formula:
        """One formula for ``text``: a sentence, or several (split at ". ") read as a conjunction.

        Raises :class:`ParserError` naming the sentence that is outside the grammar."""
        return self._text(text)[1]

    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        """One Sample; a sentence outside the grammar gives a Sample with ``error`` naming it."""
        try:
            premises = [self._text(p)[1] for p in problem.premises]
            conclusion = self._text(problem.conclusion)[0]
        except ParserError as err:
            return [Sample(premises=[], conclusion=None, error=str(err))]
        texts = [*problem.premises, problem.conclusion]
        axioms: list[Formula] = []
        if self.semantics == "proofwriter":
            conclusion, axioms = _explicit(conclusion), _coherence(conclusion)
        lines = [f"TEXT: {t}\nFOL: {f}" for t, f in zip(texts, [*premises, conclusion])]
        raw = "\n".join(lines + [f"AXIOM: {a}" for a in axioms])
        return [Sample(premises=premises + axioms, conclusion=conclusion, raw=raw)]

    def _read(self, text: str) -> tuple[Formula, Formula]:
        """``text`` read classically, and as :meth:`parse` gives it under this parser's semantics."""
        sentences = [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]
        if not sentences:
            raise ParserError(f"empty text: {text!r}")
        f = conjoin([self._sentence(s) for s in sentences])
        return f, _explicit(f) if self.semantics == "proofwriter" else f
