"""The agent tools, each defined once: name, description, argument schema and what it does.

:class:`~linc.tools.Toolkit` runs these for LangChain (:mod:`linc.tools.langchain`) and for MCP
(:mod:`linc.tools.server`); nothing here knows which one is calling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from pydantic import BaseModel

from linc.errors import FormulaSyntaxError, ParserError, ProverError
from linc.logic.formula import Formula
from linc.logic.names import identifier
from linc.logic.read import read
from linc.logic.signature import check_signature
from linc.parsing.base import Problem, Sample
from linc.tools import results
from linc.tools.errors import ToolError, ToolInputError
from linc.tools.schemas import EntailmentArgs, KgAddArgs, KgAskArgs, KgFactsArgs, ProveArgs, TranslateArgs

if TYPE_CHECKING:
    from linc.tools.toolkit import Toolkit

_LABELS = (
    "'True' (the conclusion follows), 'False' (its negation follows), 'Uncertain' (neither "
    "follows), 'Unknown' (a time limit was hit) or 'Error' (the input could not be used)"
)


@dataclass(frozen=True)
class ToolSpec:
    """One tool. ``description`` may hold ``{parser}``, filled with what the parser accepts;
    ``writes`` marks the tool that changes the knowledge graph; ``needs_kg`` those that use it."""

    name: str
    description: str
    args: type[BaseModel]
    run: Callable[["Toolkit", Any], dict[str, Any]]
    needs_kg: bool = False
    writes: bool = False


# ---------------------------------------------------------------- helpers


def translations(tk: "Toolkit", premises: Sequence[str], conclusion: str, k: int = 1) -> tuple[list[Sample], list[Sample]]:
    """(usable, failed) samples among ``k`` translations; :class:`ParserError` with the reason
    when none is usable."""
    samples = tk.parser().translate(Problem(premises=list(premises), conclusion=conclusion), k)
    usable = [s for s in samples if s.ok]
    if not usable:
        raise ParserError(samples[0].error if samples and samples[0].error else "the parser returned no translation")
    return usable, [s for s in samples if not s.ok]


def read_formulas(texts: Sequence[str], syntax: str, lenient: bool, what: str) -> tuple[list[Formula], list[str]]:
    """Read FOL texts; a syntax error says which ``what`` (premise 2, conclusion, ...) it is in."""
    formulas, repairs = [], []
    for i, text in enumerate(texts):
        name = what if len(texts) == 1 else f"{what} {i + 1}"
        try:
            reading = read(text, syntax, lenient)
        except FormulaSyntaxError as err:
            raise FormulaSyntaxError(f"{name}: {err.reason}", err.text, err.position) from err
        formulas.append(reading.formula)
        repairs.extend(f"{name}: {r}" for r in reading.repairs)
    return formulas, repairs


def statement(tk: "Toolkit", premises: Sequence[str], text: str, syntax: str) -> tuple[list[Formula], Formula, list[str]]:
    """(premise formulas, statement formula, repairs) from English (via the parser) or FOL."""
    if syntax == "english":
        sample = translations(tk, premises, text)[0][0]
        return list(sample.premises), sample.conclusion, list(sample.repairs)  # type: ignore[return-value]
    given, repairs = read_formulas(premises, syntax, True, "premise")
    (formula,), more = read_formulas([text], syntax, True, "statement")
    return given, formula, repairs + more


# ---------------------------------------------------------------- the tools


def check_entailment(tk: "Toolkit", a: EntailmentArgs) -> dict[str, Any]:
    """A verdict; when no sample could be decided, a tool error with the first sample's reason
    (the parser's message for text it cannot translate), so the calling model can rephrase."""
    kg = tk.kg() if a.use_kg else None
    verdict = tk.reasoner().check(a.premises, a.conclusion, kg=kg)
    if verdict.label == "Error":
        failed = next((v for v in verdict.votes if v.error), None)
        reason = failed.error if failed is not None else "no sample could be decided"
        if failed is None or failed.prover is None:
            raise ParserError(reason)
        raise ToolError(f"no answer: {reason}")
    return results.verdict_result(verdict)


def prove(tk: "Toolkit", a: ProveArgs) -> dict[str, Any]:
    premises, repairs = read_formulas(a.premises, a.syntax, a.lenient, "premise")
    (conclusion,), more = read_formulas([a.conclusion], a.syntax, a.lenient, "conclusion")
    check_signature([*premises, conclusion])
    result = tk.prover(a.prover).decide(premises, conclusion, timeout=tk.prover_timeout())
    if result.label.value == "Error":
        raise ProverError(result.reason or f"{result.prover} gave no answer")
    out = results.prover_result(result, [str(p) for p in premises], str(conclusion))
    out["repairs"] = repairs + more
    return out


def translate(tk: "Toolkit", a: TranslateArgs) -> dict[str, Any]:
    usable, failed = translations(tk, a.premises, a.conclusion, tk.config.k)
    return {
        "parser": tk.config.parser_name,
        "translations": [
            {"premises": [str(p) for p in s.premises], "conclusion": str(s.conclusion), "repairs": s.repairs}
            for s in usable
        ],
        "errors": sorted({results.clip(s.error, results.MAX_MESSAGE_CHARS) for s in failed if s.error}),
    }


def kg_facts(tk: "Toolkit", a: KgFactsArgs) -> dict[str, Any]:
    from linc.kg.facts import symbols  # linc.kg loads networkx: only when a graph is in use

    kg = tk.kg()
    facts, name = [], a.constant
    for name in dict.fromkeys([a.constant, identifier(a.constant), identifier(a.constant).lower()]):
        facts = kg.about(name)
        if facts:
            break
    if a.relation:
        wanted = a.relation.lower()
        facts = [f for f in facts if any(k == "predicate" and n.lower() == wanted for k, n in symbols(f.formula))]
    shown, more = results.capped(facts, results.MAX_FACTS)
    return {"constant": name, "facts": [results.fact_result(f) for f in shown], "more": more}


def kg_ask(tk: "Toolkit", a: KgAskArgs) -> dict[str, Any]:
    kg = tk.kg()
    _, formula, repairs = statement(tk, [], a.statement, a.syntax)
    result = kg.ask(formula, timeout=tk.prover_timeout())
    used, more = results.capped(kg.premises(formula), results.MAX_FACTS)
    out = results.prover_result(result, [str(f) for f in used], str(formula))
    out["more_premises"] = more
    out["repairs"] = repairs
    return out


def kg_add(tk: "Toolkit", a: KgAddArgs) -> dict[str, Any]:
    from linc.kg.facts import Premise

    kg = tk.kg()
    if a.axiom and a.premises:
        raise ToolInputError("an axiom is stored without proof: give no premises, or set axiom to false")
    given, fact, repairs = statement(tk, a.premises, a.fact, a.syntax)
    english = a.syntax == "english"
    texts = a.premises if english and len(given) == len(a.premises) else [None] * len(given)
    source = {
        "text": a.fact if english else None,
        "parser": tk.config.parser_name if english else None,
        "model": tk.config.model if english else None,
    }
    if a.axiom:
        stored = kg.assert_axiom(fact, timeout=tk.prover_timeout(), **source)
    else:
        premises = [Premise(f, t) for f, t in zip(given, texts)]
        stored = kg.add(fact, premises, use_kg=a.use_kg, timeout=tk.prover_timeout(), **source)
    return {"stored": results.fact_result(stored, proof=True), "repairs": repairs}


_GRAMMAR_NOTE = (
    " Sentences are translated by a grammar for controlled English: write short sentences such as "
    "'Bob is big.', 'The cat chases the dog.', 'All big things are red.', 'Red things are not "
    "round.', 'If something is big and kind then it is rough.'"
)
_LLM_NOTE = " Sentences are translated by a language model; plain English is fine."


def parser_note(parser: str) -> str:
    """What the configured parser accepts, for the tool descriptions a model reads."""
    return _GRAMMAR_NOTE if parser == "grammar" else _LLM_NOTE if parser == "llm" else ""


SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "check_entailment",
        "Decide whether a conclusion follows from premises written in natural language. The texts "
        "are translated to first-order logic and a theorem prover decides. Returns the label — "
        f"{_LABELS} — the formulas, and the proof or a countermodel. Text that cannot be translated "
        "is a ParserError naming the sentence: rephrase it.{parser}",
        EntailmentArgs,
        check_entailment,
    ),
    ToolSpec(
        "prove",
        "Decide whether a first-order conclusion follows from first-order premises, with a theorem "
        f"prover. Returns the label — {_LABELS} — the formulas as read, the proof or a "
        "countermodel, and whether the premises are consistent.",
        ProveArgs,
        prove,
    ),
    ToolSpec(
        "translate",
        "Translate natural-language premises and a conclusion into first-order logic without "
        "proving anything; use it to inspect how the sentences are understood.{parser}",
        TranslateArgs,
        translate,
    ),
    ToolSpec(
        "kg_facts",
        "List the verified facts the knowledge graph holds about one individual (optionally only "
        "those using one predicate), with how each fact entered (proved or axiom).",
        KgFactsArgs,
        kg_facts,
        needs_kg=True,
    ),
    ToolSpec(
        "kg_ask",
        f"Decide whether a statement follows from the facts stored in the knowledge graph. Returns "
        f"the label — {_LABELS} — the formulas, and the proof or a countermodel.{{parser}}",
        KgAskArgs,
        kg_ask,
        needs_kg=True,
    ),
    ToolSpec(
        "kg_add",
        "Store a fact in the knowledge graph once a prover has proved it from the given premises "
        "(and, with use_kg, the stored facts). Refused, with the reason, when it is not proved or "
        "when stored facts contradict it. Returns the stored fact with its proof.{parser}",
        KgAddArgs,
        kg_add,
        needs_kg=True,
        writes=True,
    ),
)
