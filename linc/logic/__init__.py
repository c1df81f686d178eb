"""First-order logic: the Formula IR, readers, writers, signature checks and repairs."""

from linc.logic.formula import (
    MAX_DEPTH,
    And,
    Const,
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
    Var,
    Xor,
    alpha_normalize,
    free_vars,
    nnf,
    substitute,
    universal_closure,
)
from linc.logic.read import Reading, parse, parse_lenient, read
from linc.logic.signature import check_signature, clashes, repair_signature
from linc.logic.write import to_folio, to_nltk

__all__ = [
    "MAX_DEPTH", "And", "Const", "Eq", "Exists", "Forall", "Formula", "Func", "Iff", "Implies", "Not",
    "Or", "Pred", "Reading", "Term", "Var", "Xor", "alpha_normalize", "check_signature", "clashes",
    "free_vars", "nnf", "parse", "parse_lenient", "read", "repair_signature", "substitute",
    "to_folio", "to_nltk", "universal_closure",
]
