"""Argument schemas of the agent tools: one pydantic model per tool, shared by LangChain and MCP.

The size caps live in the schemas, so a calling model sees them (``maxItems``, ``maxLength``) and
a request over them is refused before any parser or prover runs. The models are flat (no nested
models, so no ``$ref``) and forbid unknown fields: the JSON schemas convert cleanly to OpenAI and
Anthropic tool definitions.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: At most this many premises per call.
MAX_PREMISES = 64
#: At most this many characters per sentence or formula.
MAX_TEXT_CHARS = 2000
#: At most this many characters over all the texts of one call.
MAX_TOTAL_CHARS = 20000
#: Longest symbol name accepted in a knowledge-graph query.
MAX_NAME_CHARS = 200

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS)]
FolSyntax = Literal["nltk", "folio", "tptp"]
StatementSyntax = Literal["english", "nltk", "folio", "tptp"]

_PREMISES = "Natural-language premises, one sentence (or short passage) per item."
_SYNTAX = (
    "How the formulas are written: 'nltk' (all x. (Man(x) -> Mortal(x))), "
    "'folio' (∀x (Man(x) → Mortal(x))) or 'tptp' (![X]: (man(X) => mortal(X)))."
)
_STATEMENT_SYNTAX = (
    "'english' to have the server's parser translate the text, or the FOL syntax it is already "
    "written in: 'nltk', 'folio' or 'tptp'."
)


class _Args(BaseModel):
    """Common settings: unknown fields are an error (a misspelt argument must not be ignored)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _total_size(self) -> "_Args":
        total = 0
        for value in self.__dict__.values():
            if isinstance(value, str):
                total += len(value)
            elif isinstance(value, list):
                total += sum(len(v) for v in value if isinstance(v, str))
        if total > MAX_TOTAL_CHARS:
            raise ValueError(f"the texts of one call total {total} characters; the limit is {MAX_TOTAL_CHARS}")
        return self


class EntailmentArgs(_Args):
    """Arguments of ``check_entailment``."""

    premises: list[Text] = Field(default_factory=list, max_length=MAX_PREMISES, description=_PREMISES)
    conclusion: Text = Field(description="The natural-language statement to test against the premises.")
    use_kg: bool = Field(False, description="Also use the facts stored in the knowledge graph as premises.")


class ProveArgs(_Args):
    """Arguments of ``prove``."""

    premises: list[Text] = Field(default_factory=list, max_length=MAX_PREMISES, description="First-order premises, one formula per item.")
    conclusion: Text = Field(description="The first-order formula to prove, refute or show independent.")
    syntax: FolSyntax = Field("nltk", description=_SYNTAX)
    lenient: bool = Field(True, description="Repair common slips (¬/~/-, missing parentheses, ...) and report each repair.")
    prover: Name | None = Field(None, description="Prover backend (e.g. 'z3', 'prover9'); default: the server's prover.")


class TranslateArgs(_Args):
    """Arguments of ``translate``."""

    premises: list[Text] = Field(default_factory=list, max_length=MAX_PREMISES, description=_PREMISES)
    conclusion: Text = Field(description="The conclusion (or the only sentence) to translate.")


class KgFactsArgs(_Args):
    """Arguments of ``kg_facts``."""

    constant: Name = Field(description="The individual asked about, e.g. 'bob' or 'Bob'.")
    relation: Name | None = Field(None, description="Only facts using this predicate, e.g. 'Red' or 'Chases'.")


class KgAskArgs(_Args):
    """Arguments of ``kg_ask``."""

    statement: Text = Field(description="The statement to decide from the stored facts alone.")
    syntax: StatementSyntax = Field("english", description=_STATEMENT_SYNTAX)


class KgAddArgs(_Args):
    """Arguments of ``kg_add``."""

    fact: Text = Field(description="The fact to store once it is proved.")
    premises: list[Text] = Field(default_factory=list, max_length=MAX_PREMISES, description="Premises it is proved from (kept as its provenance).")
    syntax: StatementSyntax = Field("english", description=_STATEMENT_SYNTAX)
    use_kg: bool = Field(True, description="Let the proof also use the stored facts.")
    axiom: bool = Field(False, description="Store the fact without proof, marked as an axiom (still refused if stored facts refute it).")
