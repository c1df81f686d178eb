"""``linc mcp``: the agent tools as a Model Context Protocol server over stdio.

Built on the official SDK's low-level ``Server`` so that the input schemas clients see are the
tools' own pydantic schemas (the ones LangChain binds), not schemas re-derived from function
signatures. Every failure of a call (bad arguments, text outside the grammar, a timeout, a bug)
becomes a tool result with ``is_error`` set; the server keeps serving.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Callable

import anyio
from mcp import types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from linc import __version__
from linc.errors import LincError
from linc.tools.config import ToolConfig
from linc.tools.errors import describe
from linc.tools.toolkit import Toolkit

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Logical reasoning with theorem provers. check_entailment decides whether a conclusion follows "
    "from premises in natural language; prove does the same for first-order formulas; translate "
    "shows the first-order reading of sentences; kg_* tools (when a knowledge graph is configured) "
    "look up and store verified facts. Labels: True, False, Uncertain, Unknown (a limit was hit), Error."
)


def build_server(toolkit: Toolkit) -> Server:
    """An MCP server offering ``toolkit``'s tools (run it with :func:`serve`, or on any streams)."""
    tools = [
        types.Tool(
            name=name,
            description=toolkit.description(name),
            input_schema=toolkit.input_schema(name),
            annotations=types.ToolAnnotations(
                read_only_hint=not spec.writes,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=toolkit.config.parser_name == "llm",
            ),
        )
        for name, spec in toolkit.specs.items()
    ]
    schemas = {t.name: t.input_schema for t in tools}

    async def list_tools(ctx: ServerRequestContext, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(ctx: ServerRequestContext, params: types.CallToolRequestParams) -> types.CallToolResult:
        try:
            data = await anyio.to_thread.run_sync(partial(toolkit.call, params.name, params.arguments or {}))
        except LincError as err:
            logger.info("tool %s refused: %s", params.name, type(err).__name__)
            return types.CallToolResult(content=[types.TextContent(type="text", text=describe(err))], is_error=True)
        text = json.dumps(data, ensure_ascii=False)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=data)

    return Server(
        "linc",
        version=__version__,
        instructions=INSTRUCTIONS,
        get_tool_input_schema=schemas.get,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


async def _serve(toolkit: Toolkit) -> None:
    server = build_server(toolkit)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def serve(config: ToolConfig | None = None, report: Callable[[LincError], None] | None = None) -> None:
    """Serve the tools over stdin/stdout until the client closes the connection.

    Settings that cannot be loaded (an unknown prover, a model whose LangChain integration is not
    installed, an unreadable knowledge graph) do not stop the server: an MCP client would only see
    the connection close. The error goes to ``report`` (the CLI prints it on stderr) and every tool
    call answers with it, as a tool error the client shows."""
    toolkit = Toolkit(config or ToolConfig.from_env())
    try:
        try:
            toolkit.prepare()
        except LincError as err:
            toolkit.unusable = err
            if report is not None:
                report(err)
        anyio.run(_serve, toolkit)
    finally:
        toolkit.close()
