"""linc: logical reasoning over natural language.

A semantic parser (an LLM through LangChain, or a grammar for controlled English) translates
premises and a conclusion into first-order logic; prover backends decide True / False / Uncertain;
K samples are put to a majority vote; verified facts accumulate in a knowledge graph.
"""

from linc.errors import (
    ConflictError,
    DatasetError,
    FormulaDepthError,
    FormulaSyntaxError,
    KnowledgeGraphError,
    LincError,
    NotAFormula,
    OptionError,
    ParserError,
    PluginError,
    ProverError,
    ProverUnavailable,
    SignatureError,
    UnsupportedProblem,
)

__version__ = "0.1.0"

__all__ = [
    "ConflictError",
    "DatasetError",
    "FormulaDepthError",
    "FormulaSyntaxError",
    "KnowledgeGraphError",
    "LincError",
    "NotAFormula",
    "OptionError",
    "ParserError",
    "PluginError",
    "ProverError",
    "ProverUnavailable",
    "SignatureError",
    "UnsupportedProblem",
    "__version__",
]
