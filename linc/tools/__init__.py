"""Agent tools: check entailment, prove, translate, and query or grow the knowledge graph, as
LangChain tools (:func:`langchain_tools`) and as an MCP server (``linc mcp``,
:func:`linc.tools.server.serve`). Each tool is defined once, in :mod:`linc.tools.definitions`.

>>> from linc.tools import Toolkit, ToolConfig
>>> with Toolkit(ToolConfig()) as tk:
...     tk.call("prove", {"premises": ["all x. (Man(x) -> Mortal(x))", "Man(socrates)"],
...                       "conclusion": "Mortal(socrates)"})["label"]
'True'
"""

from linc.tools.config import ToolConfig
from linc.tools.definitions import SPECS, ToolSpec
from linc.tools.errors import ToolBusy, ToolError, ToolInputError, ToolTimeout, ToolUnavailable
from linc.tools.toolkit import Toolkit

__all__ = [
    "SPECS",
    "ToolConfig",
    "ToolBusy",
    "ToolError",
    "ToolInputError",
    "ToolSpec",
    "ToolTimeout",
    "ToolUnavailable",
    "Toolkit",
    "langchain_tools",
]


def __getattr__(name: str):  # noqa: ANN202
    """``langchain_tools`` on first use: ``linc mcp`` should not pay for importing LangChain."""
    if name == "langchain_tools":
        from linc.tools.langchain import langchain_tools

        return langchain_tools
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
