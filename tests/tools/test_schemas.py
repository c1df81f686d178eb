"""The tool schemas convert cleanly to OpenAI and Anthropic tool definitions, and MCP clients get
the very schema LangChain binds."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from anthropic.types import ToolParam
from jsonschema import Draft202012Validator
from langchain_anthropic.chat_models import convert_to_anthropic_tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import TypeAdapter

from linc.tools import SPECS, ToolConfig, Toolkit, langchain_tools

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # what both providers accept as a tool name
EXAMPLES = {
    "check_entailment": {"premises": ["Bob is big."], "conclusion": "Bob is big.", "use_kg": True},
    "prove": {"premises": ["P(a)"], "conclusion": "P(a)", "syntax": "nltk", "lenient": False, "prover": "z3"},
    "translate": {"premises": [], "conclusion": "Bob is big."},
    "kg_facts": {"constant": "bob", "relation": "Big"},
    "kg_ask": {"statement": "Big(bob)", "syntax": "folio"},
    "kg_add": {"fact": "Bob is big.", "premises": ["Bob is big."], "syntax": "english", "use_kg": False, "axiom": False},
}


@pytest.fixture(scope="module")
def toolkit(tmp_path_factory: pytest.TempPathFactory):
    with Toolkit(ToolConfig(kg_path=tmp_path_factory.mktemp("kg") / "kg.sqlite")) as tk:
        yield tk


def _walk(node: Any):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _without_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema


def test_every_tool_is_offered_with_a_knowledge_graph(toolkit: Toolkit) -> None:
    assert list(toolkit.specs) == [s.name for s in SPECS] == list(EXAMPLES)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_openai_definition(toolkit: Toolkit, name: str) -> None:
    tool = next(t for t in langchain_tools(toolkit) if t.name == name)
    definition = convert_to_openai_tool(tool)
    function = definition["function"]
    assert definition["type"] == "function"
    assert NAME.match(function["name"])
    assert 0 < len(function["description"]) <= 1024
    params = function["parameters"]
    assert params["type"] == "object"
    assert set(params["required"]) <= set(params["properties"])
    assert not any(isinstance(n, dict) and ("$ref" in n or "$defs" in n) for n in _walk(params))
    json.dumps(definition)  # plain JSON, nothing a provider's API would choke on
    # The schema the model is shown is the one MCP clients are shown.
    mcp_schema = _without_titles(toolkit.input_schema(name))
    assert params["properties"] == mcp_schema["properties"]
    assert sorted(params.get("required", [])) == sorted(mcp_schema.get("required", []))


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_anthropic_definition(toolkit: Toolkit, name: str) -> None:
    tool = next(t for t in langchain_tools(toolkit) if t.name == name)
    definition = convert_to_anthropic_tool(tool)
    TypeAdapter(ToolParam).validate_python(dict(definition))
    assert definition["name"] == name and NAME.match(definition["name"])
    assert definition["input_schema"]["type"] == "object"
    assert definition["input_schema"]["properties"] == convert_to_openai_tool(tool)["function"]["parameters"]["properties"]


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_json_schema_and_pydantic_agree(toolkit: Toolkit, name: str) -> None:
    schema = toolkit.input_schema(name)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    good = EXAMPLES[name]
    assert not list(validator.iter_errors(good))
    toolkit.spec(name).args.model_validate(good)
    bad = {**good, "unexpected": 1}
    assert list(validator.iter_errors(bad))  # unknown arguments are refused by the schema too
    assert schema["additionalProperties"] is False


def test_no_tool_takes_a_path(toolkit: Toolkit) -> None:
    """The only file the tools touch is the configured knowledge graph: no argument names one."""
    for name in toolkit.specs:
        props = toolkit.input_schema(name)["properties"]
        assert not {"path", "file", "db", "database", "kg_path"} & set(props)


def test_size_caps_are_in_the_schema(toolkit: Toolkit) -> None:
    props = toolkit.input_schema("check_entailment")["properties"]
    assert props["premises"]["maxItems"] == 64
    assert props["premises"]["items"]["maxLength"] == 2000
    assert props["conclusion"]["maxLength"] == 2000


def test_descriptions_say_what_the_grammar_accepts() -> None:
    with Toolkit(ToolConfig()) as grammar, Toolkit(ToolConfig(model="openai:gpt-4o-mini")) as llm:
        assert "controlled English" in grammar.description("check_entailment")
        assert "language model" in llm.description("check_entailment")
        assert "{parser}" not in grammar.description("translate")
