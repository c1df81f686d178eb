"""``linc mcp`` over stdio with a :class:`GatedProver`: calls about ``Slow`` overrun their limit.

Run as ``python -m tests.tools.gated_server CALL_TIMEOUT`` (from the repository root on the path)."""

from __future__ import annotations

import sys

import anyio

from linc.tools import ToolConfig, Toolkit
from linc.tools.server import _serve
from tests.tools.conftest import GatedProver

if __name__ == "__main__":
    call_timeout = float(sys.argv[1])
    with Toolkit(ToolConfig(timeout=call_timeout, call_timeout=call_timeout), prover=GatedProver(hold=20.0)) as toolkit:
        anyio.run(_serve, toolkit)
