"""The agent tools as LangChain ``StructuredTool`` objects.

Each tool's ``args_schema`` is the shared pydantic model, so ``bind_tools`` and LangChain's
OpenAI / Anthropic converters see the same schema an MCP client does. Results come back as JSON
text; typed failures come back as the tool's error message (``status="error"``), so an agent
reads them and can correct itself instead of the loop stopping.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from langchain_core.tools import StructuredTool, ToolException
from pydantic import ValidationError

from linc.errors import LincError
from linc.tools.config import ToolConfig
from linc.tools.errors import describe, validation_message
from linc.tools.toolkit import Toolkit


def langchain_tools(toolkit: Toolkit | None = None, **settings: Any) -> list[StructuredTool]:
    """The toolkit's tools for LangChain; without ``toolkit``, one is made from ``settings``
    (the fields of :class:`~linc.tools.ToolConfig`)."""
    toolkit = toolkit or Toolkit(ToolConfig(**settings))
    return [_tool(toolkit, name) for name in toolkit.specs]


def _tool(toolkit: Toolkit, name: str) -> StructuredTool:
    def run(**arguments: Any) -> str:
        try:
            return json.dumps(toolkit.call(name, arguments), ensure_ascii=False)
        except LincError as err:
            raise ToolException(describe(err)) from err

    async def arun(**arguments: Any) -> str:
        return await asyncio.to_thread(run, **arguments)

    return StructuredTool.from_function(
        func=run,
        coroutine=arun,
        name=name,
        description=toolkit.description(name),
        args_schema=toolkit.spec(name).args,
        handle_tool_error=True,
        handle_validation_error=_invalid_arguments,
    )


def _invalid_arguments(err: ValidationError) -> str:
    return f"ToolInputError: {validation_message(err)}"
