"""The LangChain tools inside a real agent loop (``langchain.agents.create_agent``) driven by a fake
chat model that emits tool calls: the tool results must reach the model."""

from __future__ import annotations

import json
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from linc.tools import Toolkit, langchain_tools
from tests.tools.conftest import PROOFWRITER_CONCLUSION, PROOFWRITER_LABEL, PROOFWRITER_PREMISES


class ToolCallingFake(GenericFakeChatModel):
    """Replays scripted messages, accepts ``bind_tools``, and records what it was shown."""

    seen: list[list[BaseMessage]] = []
    bound: list[str] = []

    def bind_tools(self, tools: Any, **kwargs: Any) -> "ToolCallingFake":
        self.bound = [t.name for t in tools]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def _call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def test_agent_loop_gets_the_tool_results(toolkit: Toolkit) -> None:
    script = [
        AIMessage(content="", tool_calls=[
            _call("check_entailment", {"premises": PROOFWRITER_PREMISES, "conclusion": PROOFWRITER_CONCLUSION}, "call-1"),
            _call("translate", {"premises": [], "conclusion": "Bob is big."}, "call-2"),
        ]),
        AIMessage(content="", tool_calls=[
            _call("prove", {"premises": ["P(a)"], "conclusion": "all x. ((", "lenient": False}, "call-3"),
            _call("check_entailment", {"premises": ["Bob is big."] * 100, "conclusion": "Bob is big."}, "call-4"),
        ]),
        AIMessage(content="Charlie is red, so the statement is false."),
    ]
    model = ToolCallingFake(messages=iter(script))
    agent = create_agent(model, tools=langchain_tools(toolkit))

    state = agent.invoke({"messages": [HumanMessage("Is Charlie not red?")]}, config={"recursion_limit": 10})

    assert model.bound == list(toolkit.specs)
    assert state["messages"][-1].content.startswith("Charlie is red")
    assert len(model.seen) == 3
    # The model's second turn saw the first two results, its third turn the two errors.
    second = {m.tool_call_id: m for m in model.seen[1] if isinstance(m, ToolMessage)}
    verdict = json.loads(second["call-1"].content)
    assert verdict["label"] == PROOFWRITER_LABEL
    assert verdict["formulas"]["conclusion"] == "¬Red(charlie)"
    assert json.loads(second["call-2"].content)["translations"][0]["conclusion"] == "Big(bob)"
    third = {m.tool_call_id: m for m in model.seen[2] if isinstance(m, ToolMessage)}
    assert third["call-3"].status == "error"
    assert third["call-3"].content.startswith("FormulaSyntaxError: conclusion:")
    assert third["call-4"].status == "error"
    assert third["call-4"].content.startswith("ToolInputError: premises")


def test_async_invocation(toolkit: Toolkit) -> None:
    import asyncio

    tool = next(t for t in langchain_tools(toolkit) if t.name == "check_entailment")
    out = asyncio.run(tool.ainvoke({"premises": ["Bob is big.", "All big things are red."], "conclusion": "Bob is red."}))
    assert json.loads(out)["label"] == "True"
