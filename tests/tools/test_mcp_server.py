"""``linc mcp`` as a subprocess, driven by the official MCP client over stdio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from linc.tools import ToolConfig, Toolkit
from tests.tools.conftest import PROOFWRITER_CONCLUSION, PROOFWRITER_LABEL, PROOFWRITER_PREMISES

CALL_TIMEOUT = 30.0  # seconds per client request: a hung server fails the test, never hangs it
SESSION_TIMEOUT = 120.0


def run_session(tmp_path: Path, body: Callable[[ClientSession], Awaitable[None]], *args: str, env: dict[str, str] | None = None,
                server: tuple[str, ...] = ("linc.cli", "mcp")) -> None:
    """Start ``python -m linc.cli mcp ARGS`` (or another ``server`` module and its arguments),
    initialise a client session and run ``body`` on it."""
    command = StdioServerParameters(command=sys.executable, args=["-m", *server, *args], env=env, cwd=str(tmp_path))

    async def main() -> None:
        with anyio.fail_after(SESSION_TIMEOUT), (tmp_path / "server.log").open("w") as log:
            async with stdio_client(command, errlog=log) as (read, write):
                async with ClientSession(read, write, read_timeout_seconds=CALL_TIMEOUT) as session:
                    await session.initialize()
                    await body(session)

    anyio.run(main)


async def call(session: ClientSession, name: str, arguments: dict[str, Any]) -> Any:
    return await session.call_tool(name, arguments, read_timeout_seconds=CALL_TIMEOUT)


def test_list_solve_refuse_and_keep_serving(tmp_path: Path) -> None:
    kg = tmp_path / "kg.sqlite"
    with Toolkit(ToolConfig(kg_path=kg)) as local:
        expected = {name: local.input_schema(name) for name in local.specs}

    async def body(session: ClientSession) -> None:
        listed = (await session.list_tools()).tools
        assert {t.name: t.input_schema for t in listed} == expected  # the schemas LangChain binds
        assert next(t for t in listed if t.name == "kg_add").annotations.read_only_hint is False

        good = await call(session, "check_entailment", {"premises": PROOFWRITER_PREMISES, "conclusion": PROOFWRITER_CONCLUSION})
        assert not good.is_error
        assert good.structured_content["label"] == PROOFWRITER_LABEL
        assert json.loads(good.content[0].text) == good.structured_content
        assert good.structured_content["formulas"]["conclusion"] == "¬Red(charlie)"

        for name, arguments, error in [
            ("check_entailment", {"premises": "Bob is big."}, "ToolInputError"),
            ("check_entailment", {"premises": ["Bob is big."] * 1000, "conclusion": "Bob is big."}, "ToolInputError"),
            ("prove", {"premises": ["P(a"], "conclusion": "P(a)", "lenient": False}, "FormulaSyntaxError"),
            ("translate", {"conclusion": "Colorless green ideas sleep furiously."}, "ParserError"),
            ("check_entailment", {"premises": ["Bob is big."], "conclusion": "Colorless green ideas sleep furiously."},
             "ParserError: sentence outside the grammar"),
            ("kg_add", {"fact": "Bob is blue.", "premises": ["Bob is big."]}, "UnverifiedFactError"),
            ("delete_everything", {}, "ToolInputError"),
        ]:
            bad = await call(session, name, arguments)
            assert bad.is_error, (name, arguments)
            assert bad.content[0].text.startswith(error), bad.content[0].text

        again = await call(session, "check_entailment", {"premises": ["Bob is big.", "All big things are red."], "conclusion": "Bob is red."})
        assert not again.is_error and again.structured_content["label"] == "True"
        await session.send_ping()

    run_session(tmp_path, body, "--kg", str(kg))
    assert kg.exists()


def test_knowledge_graph_over_mcp_configured_by_environment(tmp_path: Path) -> None:
    kg = tmp_path / "facts.sqlite"

    async def body(session: ClientSession) -> None:
        names = [t.name for t in (await session.list_tools()).tools]
        assert names == ["check_entailment", "prove", "translate", "kg_facts", "kg_ask", "kg_add"]
        added = await call(session, "kg_add", {"fact": "Bob is red.", "premises": ["Bob is big.", "All big things are red."]})
        assert not added.is_error and added.structured_content["stored"]["fol"] == "Red(bob)"
        facts = await call(session, "kg_facts", {"constant": "Bob"})
        assert [f["fol"] for f in facts.structured_content["facts"]] == ["Red(bob)"]
        asked = await call(session, "kg_ask", {"statement": "Bob is not red."})
        assert asked.structured_content["label"] == "False"

    run_session(tmp_path, body, env={"LINC_KG": str(kg), "LINC_TIMEOUT": "5"})
    assert kg.exists()


def test_without_a_knowledge_graph_only_the_stateless_tools_are_offered(tmp_path: Path) -> None:
    async def body(session: ClientSession) -> None:
        assert [t.name for t in (await session.list_tools()).tools] == ["check_entailment", "prove", "translate"]
        out = await call(session, "prove", {"premises": ["all x. (Man(x) -> Mortal(x))", "Man(socrates)"], "conclusion": "Mortal(socrates)"})
        assert out.structured_content["label"] == "True"

    run_session(tmp_path, body)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["server.log"]  # nothing else written


def test_the_server_answers_after_a_call_times_out(tmp_path: Path) -> None:
    """A call that overruns its limit (its prover ignores the limit for 20 s) is a tool error,
    and the next calls are answered meanwhile."""

    async def body(session: ClientSession) -> None:
        slow = await call(session, "prove", {"premises": ["P(a)"], "conclusion": "Slow(a)"})
        assert slow.is_error and slow.content[0].text.startswith("ToolTimeout: prove did not finish within 3 seconds")
        for _ in range(2):
            quick = await call(session, "prove", {"premises": ["P(a)"], "conclusion": "P(a)"})
            assert not quick.is_error, quick.content[0].text
            assert quick.structured_content["label"] == "True"

    root = str(Path(__file__).resolve().parents[2])
    run_session(tmp_path, body, env={"PYTHONPATH": root}, server=("tests.tools.gated_server", "3"))


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--timeout", "100", "--call-timeout", "1"], "ToolInputError"),
        (["--timeout", "nan"], "--timeout must be a positive number of seconds, not 'nan'"),
    ],
)
def test_bad_settings_exit_with_one_line_before_serving(tmp_path: Path, args: list[str], error: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "linc.cli", "mcp", *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("linc: error: ") and error in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("args", "env", "error"),
    [
        ([], {"LINC_MODEL": "openai:gpt-4o-mini"}, "ParserError: the model 'openai:gpt-4o-mini' needs LangChain's openai "
                                                   "integration (langchain-openai), which is not installed: pip install 'linc[openai]'"),
        (["--prover", "no-such-prover"], {}, "PluginError: unknown prover 'no-such-prover'"),
        (["--kg", "/no/such/folder/kg.sqlite"], {}, "DatabaseError"),
    ],
)
def test_unloadable_configuration_is_served_as_a_tool_error(tmp_path: Path, args: list[str], env: dict[str, str], error: str) -> None:
    pytest.importorskip("mcp")
    if error.startswith("ParserError") and __import__("importlib").util.find_spec("langchain_openai"):
        pytest.skip("langchain-openai is installed here")

    async def body(session: ClientSession) -> None:
        assert (await session.list_tools()).tools
        out = await call(session, "check_entailment", {"premises": ["Bob is big."], "conclusion": "Bob is big."})
        assert out.is_error and out.content[0].text.startswith("ToolUnavailable: linc's tools are misconfigured: ")
        assert error in out.content[0].text

    run_session(tmp_path, body, *args, env=env or None)
    assert error in (tmp_path / "server.log").read_text()
