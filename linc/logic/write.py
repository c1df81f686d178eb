"""Text writers for the syntaxes linc also reads: NLTK/LINC and FOLIO Unicode.

Both parenthesise every compound subformula, so the output reads back to the same formula under
any precedence convention. NLTK syntax has no exclusive or: ``A ⊕ B`` is written ``-(A <-> B)``.

>>> from linc.logic.read import parse
>>> to_nltk(parse("∀x (Dog(x) → ¬Cat(x))", syntax="folio"))
'all x.(Dog(x) -> -Cat(x))'
"""

from __future__ import annotations

from linc.logic.formula import (
    And,
    Eq,
    Exists,
    Forall,
    Formula,
    Func,
    Iff,
    Implies,
    Not,
    Or,
    Pred,
    Term,
    Xor,
)

_NLTK_OPS = {And: "&", Or: "|", Implies: "->", Iff: "<->"}


def to_folio(f: Formula) -> str:
    """FOLIO's Unicode syntax (``∀x (P(x) → Q(x))``); the same as ``str(f)``."""
    return str(f)


def to_nltk(f: Formula) -> str:
    """NLTK / LINC syntax (``all x.(P(x) -> Q(x))``), as LINC prompts and nltk's parser use it."""
    if isinstance(f, Pred):
        return f.name if not f.args else f"{f.name}({','.join(_term(a) for a in f.args)})"
    if isinstance(f, Eq):
        return f"{_term(f.left)} = {_term(f.right)}"
    if isinstance(f, Not):
        if isinstance(f.body, Eq):
            return f"{_term(f.body.left)} != {_term(f.body.right)}"
        return f"-{_nltk_operand(f.body)}"
    if isinstance(f, Xor):
        return f"-({_nltk_operand(f.left)} <-> {_nltk_operand(f.right)})"
    if isinstance(f, (And, Or, Implies, Iff)):
        return f"({_nltk_operand(f.left)} {_NLTK_OPS[type(f)]} {_nltk_operand(f.right)})"
    word = "all" if isinstance(f, Forall) else "exists"
    return f"{word} {f.var.name}.{_nltk_operand(f.body)}"


def _nltk_operand(f: Formula) -> str:
    text = to_nltk(f)
    if isinstance(f, (Forall, Exists, Eq)) or (isinstance(f, Not) and isinstance(f.body, Eq)):
        return f"({text})"
    return text


def _term(t: Term) -> str:
    if isinstance(t, Func):
        return f"{t.name}({','.join(_term(a) for a in t.args)})"
    return t.name
