"""The tools through :meth:`Toolkit.call`: labels, formulas, proofs, typed errors and limits."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from linc.errors import FormulaSyntaxError, ParserError, PluginError, ProverError, SignatureError
from linc.kg import FactConflictError, UnverifiedFactError
from linc.logic.formula import Formula
from linc.parsing.base import Parser, Problem, Sample
from linc.proving import Label, Prover, ProverResult
from linc.tools import ToolBusy, ToolConfig, ToolError, ToolInputError, Toolkit, ToolTimeout, ToolUnavailable
from linc.tools.results import MAX_PROOF_CHARS, clip
from linc.tools.toolkit import MAX_ABANDONED
from tests.tools.conftest import PROOFWRITER_CONCLUSION, PROOFWRITER_LABEL, PROOFWRITER_PREMISES, GatedProver


class ScriptedProver(Prover):
    """A backend whose behaviour a test chooses: fail, or prove with a huge proof."""

    name = "scripted"

    def __init__(self, fail: bool = False, proof: str = "done"):
        super().__init__()
        self.fail, self.proof = fail, proof

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        if self.fail:
            raise RuntimeError("a bug in a backend")
        return ProverResult(Label.TRUE, self.name, 0.0, proof=self.proof)


# ---------------------------------------------------------------- entailment, proving, translating


def test_proofwriter_problem(toolkit: Toolkit) -> None:
    out = toolkit.call("check_entailment", {"premises": PROOFWRITER_PREMISES, "conclusion": PROOFWRITER_CONCLUSION})
    assert out["label"] == PROOFWRITER_LABEL
    assert out["formulas"]["conclusion"] == "¬Red(charlie)"
    assert len(out["formulas"]["premises"]) == len(PROOFWRITER_PREMISES)
    assert "Green(charlie)" in out["proof"]


def test_a_proof_comes_with_the_premises_it_used(toolkit: Toolkit) -> None:
    out = toolkit.call("check_entailment", {"premises": ["Bob is big.", "Anne is kind.", "All big things are red."], "conclusion": "Bob is red."})
    assert [(s["position"], s["sentence"]) for s in out["support"]] == [(1, "Bob is big."), (3, "All big things are red.")]
    out = toolkit.call("prove", {"premises": ["Big(bob)", "Kind(anne)", "all x.(Big(x) -> Red(x))"], "conclusion": "-Red(bob)"})
    assert out["label"] == "False" and out["support"] == [1, 3]


def test_uncertain_comes_with_a_countermodel(toolkit: Toolkit) -> None:
    out = toolkit.call("check_entailment", {"premises": ["Bob is big."], "conclusion": "Bob is red."})
    assert out["label"] == "Uncertain"
    assert out["proof"] is None and out["countermodel"] and out["support"] is None


def test_text_outside_the_grammar_is_a_tool_error_with_the_parsers_message(toolkit: Toolkit) -> None:
    with pytest.raises(ParserError, match="outside the grammar: 'Colorless ideas sleep furiously.'"):
        toolkit.call("check_entailment", {"premises": ["Bob is big."], "conclusion": "Colorless ideas sleep furiously."})


@pytest.mark.parametrize(
    ("syntax", "premises", "conclusion"),
    [
        ("nltk", ["all x. (Man(x) -> Mortal(x))", "Man(socrates)"], "Mortal(socrates)"),
        ("folio", ["∀x (Man(x) → Mortal(x))", "Man(socrates)"], "Mortal(socrates)"),
        ("tptp", ["![X]: (man(X) => mortal(X))", "man(socrates)"], "mortal(socrates)"),
    ],
)
def test_prove_in_each_syntax(toolkit: Toolkit, syntax: str, premises: list[str], conclusion: str) -> None:
    out = toolkit.call("prove", {"premises": premises, "conclusion": conclusion, "syntax": syntax})
    assert out["label"] == "True"
    assert out["consistent"] is True
    assert out["proof"]


def test_prove_reports_lenient_repairs(toolkit: Toolkit) -> None:
    out = toolkit.call("prove", {"premises": ["all x. (Man(x) -> Mortal(x)", "Man(socrates)."], "conclusion": "Mortal(socrates)"})
    assert out["label"] == "True"
    assert out["repairs"] and all(r.startswith("premise") for r in out["repairs"])


def test_prove_errors_are_typed_and_located(toolkit: Toolkit) -> None:
    with pytest.raises(FormulaSyntaxError, match="premise 2") as err:
        toolkit.call("prove", {"premises": ["P(a)", "all x. (("], "conclusion": "P(a)", "lenient": False})
    assert err.value.position is not None
    with pytest.raises(SignatureError):
        toolkit.call("prove", {"premises": ["P(a)", "P(a, b)"], "conclusion": "P(a)"})
    with pytest.raises(PluginError):
        toolkit.call("prove", {"premises": ["P(a)"], "conclusion": "P(a)", "prover": "no-such-prover"})


def test_translate(toolkit: Toolkit) -> None:
    out = toolkit.call("translate", {"premises": ["Bob is big.", "All big things are red."], "conclusion": "Bob is red."})
    assert out["translations"] == [{"premises": ["Big(bob)", "∀x (Big(x) → Red(x))"], "conclusion": "Red(bob)", "repairs": []}]
    with pytest.raises(ParserError, match="outside the grammar"):
        toolkit.call("translate", {"conclusion": "Colorless green ideas sleep furiously."})


# ---------------------------------------------------------------- the knowledge graph


def test_verify_then_store_and_ask(toolkit: Toolkit) -> None:
    stored = toolkit.call("kg_add", {"fact": "Bob is red.", "premises": ["Bob is big.", "All big things are red."]})["stored"]
    assert stored["fol"] == "Red(bob)" and stored["kind"] == "derived" and stored["proof"]
    assert stored["premises"] == ["Big(bob)", "∀x (Big(x) → Red(x))"]
    with pytest.raises(UnverifiedFactError, match="does not follow"):
        toolkit.call("kg_add", {"fact": "Bob is round.", "premises": ["Bob is big."]})
    with pytest.raises(FactConflictError):
        toolkit.call("kg_add", {"fact": "Bob is not red.", "axiom": True})
    axiom = toolkit.call("kg_add", {"fact": "Round(bob)", "syntax": "folio", "axiom": True})["stored"]
    assert axiom["kind"] == "axiom"

    facts = toolkit.call("kg_facts", {"constant": "Bob"})
    assert facts["constant"] == "bob"
    assert {f["fol"] for f in facts["facts"]} == {"Red(bob)", "Round(bob)"}
    only = toolkit.call("kg_facts", {"constant": "bob", "relation": "round"})
    assert [f["fol"] for f in only["facts"]] == ["Round(bob)"]
    assert toolkit.call("kg_facts", {"constant": "nobody"})["facts"] == []

    assert toolkit.call("kg_ask", {"statement": "Bob is red."})["label"] == "True"
    assert toolkit.call("kg_ask", {"statement": "-Red(bob)", "syntax": "nltk"})["label"] == "False"
    assert toolkit.call("kg_ask", {"statement": "Bob is blue."})["label"] == "Uncertain"

    derived = toolkit.call("kg_add", {"fact": "Red(bob) | Blue(bob)", "syntax": "nltk", "use_kg": True})
    assert derived["stored"]["depends_on"]  # proved from stored facts, and depends on them
    entailed = toolkit.call("check_entailment", {"premises": ["All round things are kind."], "conclusion": "Bob is kind.", "use_kg": True})
    assert entailed["label"] == "True"


def test_tools_follow_the_knowledge_graph_settings(kg_path: Path) -> None:
    with Toolkit(ToolConfig()) as none:
        assert list(none.specs) == ["check_entailment", "prove", "translate"]
        with pytest.raises(ToolUnavailable):
            none.call("check_entailment", {"premises": [], "conclusion": "Bob is big.", "use_kg": True})
    with Toolkit(ToolConfig(kg_path=kg_path, kg_readonly=True)) as readonly:
        assert "kg_ask" in readonly.specs and "kg_add" not in readonly.specs
        with pytest.raises(ToolInputError, match="no tool named 'kg_add'"):
            readonly.call("kg_add", {"fact": "Bob is big.", "axiom": True})


def test_only_the_configured_database_is_touched(tmp_path: Path) -> None:
    db = tmp_path / "graph" / "kg.sqlite"
    db.parent.mkdir()
    with Toolkit(ToolConfig(kg_path=db)) as tk:
        tk.call("kg_add", {"fact": "Bob is big.", "axiom": True})
        tk.call("kg_ask", {"statement": "Bob is big."})
    assert [p.name for p in tmp_path.iterdir()] == ["graph"]
    assert all(p.name.startswith("kg.sqlite") for p in db.parent.iterdir())


def test_the_default_database_works_on_a_fresh_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # kg_path "default" is the file `linc kg` uses; its folder does not exist yet on a fresh machine
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with Toolkit(ToolConfig(kg_path="default")) as tk:
        tk.call("kg_add", {"fact": "Bob is big.", "axiom": True})
        assert tk.call("kg_ask", {"statement": "Bob is big."})["label"] == "True"
    assert (tmp_path / "data" / "linc" / "kg.sqlite").is_file()


# ---------------------------------------------------------------- limits and failures


@pytest.mark.parametrize(
    "arguments",
    [
        {"premises": ["Bob is big."] * 65, "conclusion": "Bob is big."},
        {"premises": ["x" * 2001], "conclusion": "Bob is big."},
        {"premises": ["y" * 1900] * 11, "conclusion": "Bob is big."},  # over the total cap
        {"premises": [], "conclusion": ""},
        {"premises": "Bob is big.", "conclusion": "Bob is big."},
        {"premises": [], "conclusion": "Bob is big.", "k": 5},
        {},
    ],
)
def test_arguments_over_the_limits_or_malformed_are_refused(toolkit: Toolkit, arguments: dict) -> None:
    with pytest.raises(ToolInputError):
        toolkit.call("check_entailment", arguments)


def test_unknown_tool(toolkit: Toolkit) -> None:
    with pytest.raises(ToolInputError, match="no tool named"):
        toolkit.call("rm_rf", {})


def test_long_proofs_are_clipped_with_a_marker() -> None:
    assert clip("abc", 5) == "abc"
    assert clip("a" * 10, 4) == "aaaa\n… [truncated: 6 more characters]"
    with Toolkit(ToolConfig(prover="scripted"), prover=ScriptedProver(proof="step\n" * 10_000)) as tk:
        out = tk.call("prove", {"premises": ["P(a)"], "conclusion": "P(a)"})
    assert len(out["proof"]) < MAX_PROOF_CHARS + 100
    assert out["proof"].endswith("more characters]")


SLOW = {"premises": ["P(a)"], "conclusion": "Slow(a)"}
QUICK = {"premises": ["P(a)"], "conclusion": "P(a)"}


@pytest.fixture
def gated() -> Iterator[GatedProver]:
    prover = GatedProver()
    yield prover
    prover.gate.set()  # let the abandoned calls end


def test_a_call_after_a_timed_out_one_is_answered(gated: GatedProver) -> None:
    with Toolkit(ToolConfig(timeout=2.0, call_timeout=2.0), prover=gated) as tk:
        with pytest.raises(ToolTimeout, match="2 seconds"):
            tk.call("prove", SLOW)
        assert not gated.gate.is_set()  # the slow call is still running, abandoned
        assert tk.call("prove", QUICK)["label"] == "True"
        assert tk.call("check_entailment", {"premises": ["Bob is big."], "conclusion": "Bob is big."})["label"] == "True"


def test_the_knowledge_graph_works_after_a_timed_out_call(kg_path: Path, gated: GatedProver) -> None:
    with Toolkit(ToolConfig(kg_path=kg_path, timeout=2.0, call_timeout=2.0), prover=gated) as tk:
        with pytest.raises(ToolTimeout):
            tk.call("prove", SLOW)
        tk.call("kg_add", {"fact": "Bob is big.", "axiom": True})
        assert tk.call("kg_ask", {"statement": "Bob is big."})["label"] == "True"
        # an abandoned call that holds the graph: the next graph call waits for it, up to its limit;
        with pytest.raises(ToolTimeout):
            tk.call("kg_ask", {"statement": "Slow(bob) | Big(bob)", "syntax": "nltk"})
        with pytest.raises(ToolTimeout):
            tk.call("kg_facts", {"constant": "bob"})
        assert tk.call("prove", QUICK)["label"] == "True"  # calls without the graph do not wait
        gated.gate.set()  # and once the abandoned call ends, the graph serves again
        assert [f["fol"] for f in tk.call("kg_facts", {"constant": "bob"})["facts"]] == ["Big(bob)"]
        assert tk.call("kg_ask", {"statement": "Bob is big."})["label"] == "True"


def test_too_many_abandoned_calls_are_refused_until_they_end(gated: GatedProver) -> None:
    with Toolkit(ToolConfig(timeout=0.5, call_timeout=0.5), prover=gated) as tk:
        for _ in range(MAX_ABANDONED):
            with pytest.raises(ToolTimeout):
                tk.call("prove", SLOW)
        with pytest.raises(ToolBusy, match=f"{MAX_ABANDONED} earlier calls that timed out are still running"):
            tk.call("prove", QUICK)
        assert sum(t.name.startswith("linc-tools") for t in threading.enumerate()) <= MAX_ABANDONED + 1
        gated.gate.set()
        deadline = time.monotonic() + 60
        while True:  # the abandoned calls end now; until then, refusals
            try:
                assert tk.call("prove", QUICK)["label"] == "True"
                break
            except ToolBusy:
                assert time.monotonic() < deadline, "the abandoned calls never ended"
                time.sleep(0.05)


def test_a_crashing_backend_is_a_prover_error_and_the_toolkit_recovers() -> None:
    broken = ScriptedProver(fail=True)
    with Toolkit(ToolConfig(prover="scripted"), prover=broken) as tk:
        with pytest.raises(ProverError, match="scripted crashed: RuntimeError: a bug in a backend"):
            tk.call("prove", {"premises": ["P(a)"], "conclusion": "P(a)"})
        broken.fail = False
        assert tk.call("prove", {"premises": ["P(a)"], "conclusion": "P(a)"})["label"] == "True"


class CrashingParser(Parser):
    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        raise RuntimeError("a bug in a parser")


def test_a_bug_becomes_a_tool_error_and_the_toolkit_recovers() -> None:
    with Toolkit(ToolConfig(), parser=CrashingParser()) as tk:
        with pytest.raises(ToolError, match="translate failed unexpectedly"):
            tk.call("translate", {"premises": ["Bob is big."], "conclusion": "Bob is big."})
        assert tk.call("prove", {"premises": ["P(a)"], "conclusion": "P(a)"})["label"] == "True"


def test_configuration_from_the_environment(tmp_path: Path) -> None:
    env = {"LINC_MODEL": "openai:gpt-4o-mini", "LINC_KG": str(tmp_path / "kg.sqlite"), "LINC_TIMEOUT": "5", "LINC_KG_READONLY": "yes", "LINC_PROVER": ""}
    config = ToolConfig.from_env(env, k=3)
    assert config.parser_name == "llm"
    assert config.parser_kwargs == {"model": "openai:gpt-4o-mini", "cache": False, "call_timeout": 60.0}
    assert config.kg_path == tmp_path / "kg.sqlite" and config.kg_readonly
    assert (config.timeout, config.k, config.prover) == (5.0, 3, "z3")
    assert ToolConfig.from_env({}).parser_name == "grammar"
    with pytest.raises(ToolInputError, match="LINC_TIMEOUT"):
        ToolConfig.from_env({"LINC_TIMEOUT": "soon"})
    with pytest.raises(ToolInputError):
        ToolConfig(timeout=100, call_timeout=10)


def test_llm_parser_behind_the_tools() -> None:
    """A LangChain user's own chat model as the parser (here a fake one answering LINC-style)."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from linc.parsing.llm import LLMParser

    answer = "TEXT: All dogs are mammals.\nFOL: all x. (Dog(x) -> Mammal(x))\nTEXT: Rex is a dog.\nFOL: Dog(rex)\nTEXT: Rex is a mammal.\nFOL: Mammal(rex)"
    parser = LLMParser(FakeListChatModel(responses=[answer]), cache=False)
    with Toolkit(ToolConfig(parser="llm"), parser=parser) as tk:
        assert "language model" in tk.description("check_entailment")
        out = tk.call("check_entailment", {"premises": ["All dogs are mammals.", "Rex is a dog."], "conclusion": "Rex is a mammal."})
    assert out["label"] == "True"
    assert out["formulas"] == {"premises": ["∀x (Dog(x) → Mammal(x))", "Dog(rex)"], "conclusion": "Mammal(rex)"}
