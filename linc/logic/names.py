"""Symbol names: the one place where names are made safe for a target language.

Readers keep names as identifiers (unicode letters, digits, ``_``). Every writer that produces text
for a backend maps each symbol through a :class:`SymbolTable` built from a :class:`NameRules`, so a
name can never break out of a generated file (``end_of_list``, ``#eval``, quotes, newlines) and
two different IR symbols never collide in the target.

>>> t = SymbolTable(PROVER9)
>>> t.name("constant", "xavier", 0), t.name("predicate", "end_of_list", 1)
('c_xavier', 'p_end_of_list')
>>> t.original("c_xavier")
'xavier'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = ("predicate", "function", "constant", "variable")


def identifier(text: str) -> str:
    """Turn arbitrary text into an IR identifier: runs of non-word characters become ``_``.

    >>> identifier("captain america"), identifier("gpt-3"), identifier("c++"), identifier("Świątek")
    ('captain_america', 'gpt_3', 'c_plus_plus', 'Świątek')
    """
    text = unicodedata.normalize("NFC", text.strip())
    text = text.replace("+", "_plus_").replace("&", "_and_")
    text = re.sub(r"[^\w]+", "_", text)
    text = re.sub(r"_+", "_", text).strip("_")
    return text or "_"


def ascii_identifier(text: str) -> str:
    """Transliterate to ASCII (``Świątek`` → ``Swiatek``); other characters become ``_``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("ł", "l").replace("Ł", "L").replace("ß", "ss").replace("ø", "o").replace("Ø", "O")
    plain = re.sub(r"[^A-Za-z0-9_]+", "_", plain)
    return re.sub(r"_+", "_", plain).strip("_") or "_"


#: The names :func:`ascii_identifier` leaves as they are: ASCII letters and digits, single
#: underscores between them.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class NameRules:
    """A target language's identifier rules.

    ``valid`` is the full-match pattern of an acceptable identifier per kind; a name that does not
    match is transliterated and given the kind's ``prefix``. ``reserved`` names always get the
    prefix, and with ``always_prefix`` every name does: the target then has a namespace of its own
    for generated names that no symbol can reach (Lean, whose core library and keywords are too
    many to list)."""

    valid: dict[str, str]
    prefix: dict[str, str]
    reserved: frozenset[str] = frozenset()
    ascii_only: bool = True
    always_prefix: bool = False


_PROVER9_WORDS = frozenset(
    "all exists end_of_list formulas assumptions goals if set clear assign op sos usable list "
    "and or not true false include".split()
)

# Prover9 treats free symbols starting with u-z as variables, so constants must not start so.
PROVER9 = NameRules(
    valid={
        "predicate": r"[A-Za-z][A-Za-z0-9_]*",
        "function": r"[a-tA-Z][A-Za-z0-9_]*",
        "constant": r"[a-tA-Z][A-Za-z0-9_]*",
        "variable": r"[A-Za-z][A-Za-z0-9_]*",
    },
    prefix={"predicate": "p_", "function": "f_", "constant": "c_", "variable": "v"},
    reserved=_PROVER9_WORDS,
)

# TPTP: functors and predicates start lower case, variables upper case.
TPTP = NameRules(
    valid={
        "predicate": r"[a-z][A-Za-z0-9_]*",
        "function": r"[a-z][A-Za-z0-9_]*",
        "constant": r"[a-z][A-Za-z0-9_]*",
        "variable": r"[A-Z][A-Za-z0-9_]*",
    },
    prefix={"predicate": "p_", "function": "f_", "constant": "c_", "variable": "V"},
    reserved=frozenset({"fof", "cnf", "tff", "thf", "include"}),
)

# Lean: every symbol gets its kind's prefix, so no symbol can be a keyword (``opaque``), a core
# declaration (``Nonempty``) or one of the file's own names (``U``, ``h1``, ``linc_goal``), none of
# which starts with a prefix.
LEAN = NameRules(
    valid={k: r"[A-Za-z][A-Za-z0-9_]*" for k in KINDS},
    prefix={"predicate": "P_", "function": "f_", "constant": "c_", "variable": "v_"},
    always_prefix=True,
)

# Z3 accepts any string as a symbol name, but SMT-LIB output and readable models prefer this.
SMT = NameRules(
    valid={k: r"[A-Za-z][A-Za-z0-9_]*" for k in KINDS},
    prefix={"predicate": "P_", "function": "f_", "constant": "c_", "variable": "v_"},
    reserved=frozenset({"and", "or", "not", "true", "false", "forall", "exists", "let", "ite", "distinct"}),
)


class SymbolTable:
    """Injective map from IR symbols ``(kind, name, arity)`` to target names, with the reverse map.

    One name used with two arities or as two kinds gets two target names, so the target never
    sees an arity clash; :mod:`linc.logic.signature` reports such clashes separately.
    """

    def __init__(self, rules: NameRules):
        self.rules = rules
        self._valid = {kind: re.compile(pattern) for kind, pattern in rules.valid.items()}
        self._forward: dict[tuple[str, str, int], str] = {}
        self._reverse: dict[str, str] = {}

    def name(self, kind: str, name: str, arity: int = 0) -> str:
        key = (kind, name, arity)
        if key in self._forward:
            return self._forward[key]
        candidate = self._shape(kind, name)
        unique, n = candidate, 1
        while unique in self._reverse or unique.lower() in self.rules.reserved:
            n += 1
            unique = f"{candidate}_{n}"
        self._forward[key] = unique
        self._reverse[unique] = name
        return unique

    def _shape(self, kind: str, name: str) -> str:
        rules, valid = self.rules, self._valid[kind].fullmatch
        # a plain ASCII word is its own transliteration (the usual case: spares the Unicode work)
        base = ascii_identifier(name) if rules.ascii_only and not _ASCII_WORD.fullmatch(name) else name
        if rules.always_prefix or base != name or name.lower() in rules.reserved or not valid(base):
            base = rules.prefix[kind] + base
        if not valid(base):
            base = rules.prefix[kind] + ascii_identifier(base)
        return base

    def original(self, target: str) -> str:
        """The IR name a target name stands for (the target name itself if unknown)."""
        return self._reverse.get(target, target)

    def rename_in(self, text: str) -> str:
        """Replace target names by IR names in a proof or model text, whole words only."""
        if not self._reverse:
            return text
        changed = {t: o for t, o in self._reverse.items() if t != o}
        if not changed:
            return text
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(changed, key=len, reverse=True))) + r")\b")
        return pattern.sub(lambda m: changed[m.group(1)], text)


# NLTK's logic module decides a symbol's role from its spelling: single lower-case letters (with
# digits) are individual variables, single capitals are function variables. Constants, predicates
# and functions must therefore be longer than one letter; variables are renamed by the writer.
_NLTK_SYMBOL = r"(?![A-Za-z][0-9]*$)[A-Za-z][A-Za-z0-9_]*"
NLTK = NameRules(
    valid={"predicate": _NLTK_SYMBOL, "function": _NLTK_SYMBOL, "constant": _NLTK_SYMBOL, "variable": r"[a-df-z][0-9]*"},
    prefix={"predicate": "P_", "function": "f_", "constant": "c_", "variable": "z"},
    reserved=frozenset({"all", "exists", "exist", "some", "forall", "and", "or", "not", "iff", "implies"}),
)
