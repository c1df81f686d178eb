"""A run's model usage, summed from its records, and what it cost at the prices given.

Each record's verdict holds the model calls its problem took (:mod:`linc.parsing.usage`), so the
sum is the same for a resumed run as for an uninterrupted one. Prices are in US dollars per
million tokens, for input (prompt) and output (completion) tokens: ``in=0.5,out=1.5`` or a JSON
file holding ``{"in": 0.5, "out": 1.5}``. Calls answered from the LLM call cache spent no tokens.

>>> usage = total_usage([{"verdict": {"usage": {"calls": 2, "input_tokens": 3000, "output_tokens": 1000}}}])
>>> usage["total_tokens"], estimate_cost(usage, Prices.parse("in=0.5,out=1.5"))["total"]
(4000, 0.003)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from linc.errors import OptionError
from linc.parsing.usage import FIELDS

__all__ = ["Prices", "estimate_cost", "total_usage"]

_KEYS = {"in": "input", "input": "input", "out": "output", "output": "output"}


@dataclass(frozen=True)
class Prices:
    """US dollars per million input and output tokens."""

    input: float
    output: float

    @classmethod
    def parse(cls, spec: str) -> "Prices":
        """``in=X,out=Y``, or the path of a JSON file ``{"in": X, "out": Y}``."""
        if "=" in spec:
            pairs = dict(part.partition("=")[::2] for part in spec.split(",") if part.strip())
        else:
            try:
                pairs = json.loads(Path(spec).read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as err:
                raise OptionError(f"--price {spec!r}: neither in=X,out=Y nor a readable JSON file ({err})") from None
            if not isinstance(pairs, dict):
                raise OptionError(f"--price {spec!r}: the file must hold an object such as {{\"in\": 0.5, \"out\": 1.5}}")
        prices: dict[str, float] = {}
        for key, value in pairs.items():
            name = _KEYS.get(str(key).strip().lower())
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if name is None or not math.isfinite(number) or number < 0:
                raise OptionError(f"--price wants in=X,out=Y in USD per million tokens (X, Y zero or more), not {key}={value!r}")
            prices[name] = number
        if set(prices) != {"input", "output"}:
            raise OptionError(f"--price needs both prices, in=X,out=Y (USD per million tokens); got {spec!r}")
        return cls(**prices)


def total_usage(records: Sequence[dict[str, Any]]) -> dict[str, int]:
    """The usage counters summed over ``records``, with ``total_tokens``."""
    sums = dict.fromkeys(FIELDS, 0)
    for record in records:
        for name, value in (record.get("verdict", {}).get("usage") or {}).items():
            if name in sums:
                sums[name] += int(value)
    sums["total_tokens"] = sums["input_tokens"] + sums["output_tokens"]
    return sums


def estimate_cost(usage: dict[str, int], prices: Prices) -> dict[str, Any]:
    """Dollars for the tokens in ``usage`` at ``prices``; ``estimated`` when some token counts
    were themselves estimates."""
    spent_in = usage.get("input_tokens", 0) * prices.input / 1e6
    spent_out = usage.get("output_tokens", 0) * prices.output / 1e6
    return {"input": round(spent_in, 6), "output": round(spent_out, 6), "total": round(spent_in + spent_out, 6),
            "usd_per_million": {"in": prices.input, "out": prices.output}, "estimated": bool(usage.get("estimated"))}
