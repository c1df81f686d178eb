"""Which pip extra of linc brings the LangChain integration a model string needs.

``init_chat_model("openai:gpt-4o-mini")`` needs ``langchain-openai``, which linc does not install
by default; ``pip install 'linc[openai]'`` does. :func:`require_integration` checks, before any
model is built, that the integration of a ``PROVIDER:NAME`` string is importable, and otherwise
raises a :class:`~linc.errors.ParserError` naming the extra to install.

>>> extra_for("openai:gpt-4o-mini"), extra_for("claude-sonnet-4-5"), extra_for("ollama:llama3.2")
('openai', 'anthropic', 'ollama')
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

from linc.errors import ParserError

__all__ = ["EXTRAS", "extra_for", "langchain_availability", "require_integration"]

#: LangChain provider name -> (linc extra, integration module). The extras are in pyproject.toml.
EXTRAS: dict[str, tuple[str, str]] = {
    "openai": ("openai", "langchain_openai"),
    "azure_openai": ("openai", "langchain_openai"),
    "anthropic": ("anthropic", "langchain_anthropic"),
    "ollama": ("ollama", "langchain_ollama"),
    "google_genai": ("google", "langchain_google_genai"),
    "mistralai": ("mistral", "langchain_mistralai"),
    "groq": ("groq", "langchain_groq"),
    "deepseek": ("deepseek", "langchain_deepseek"),
    "xai": ("xai", "langchain_xai"),
    "bedrock": ("bedrock", "langchain_aws"),
    "bedrock_converse": ("bedrock", "langchain_aws"),
    "huggingface": ("huggingface", "langchain_huggingface"),
}
# Model names LangChain recognises without a provider prefix.
_PREFIXES = {"gpt-": "openai", "o1": "openai", "o3": "openai", "o4": "openai", "claude": "anthropic",
             "mistral": "mistralai", "mixtral": "mistralai", "deepseek": "deepseek", "grok": "xai"}


def _provider(model: str) -> str | None:
    provider, sep, _ = model.strip().partition(":")
    if sep and provider in EXTRAS:
        return provider
    return next((p for prefix, p in _PREFIXES.items() if model.strip().lower().startswith(prefix)), None)


def extra_for(model: str) -> str | None:
    """The linc extra whose integration ``model`` (``PROVIDER:NAME``) needs, or None if unknown."""
    provider = _provider(model)
    return EXTRAS[provider][0] if provider else None


def require_integration(model: str) -> None:
    """Raise :class:`ParserError` naming the extra to install when ``model``'s LangChain
    integration is missing; a provider linc does not know is left to LangChain to resolve."""
    provider = _provider(model)
    if provider is None:
        return
    extra, module = EXTRAS[provider]
    if importlib.util.find_spec(module) is None:
        package = module.replace("_", "-")
        raise ParserError(f"the model {model!r} needs LangChain's {provider} integration ({package}), "
                          f"which is not installed: pip install 'linc[{extra}]'")


def langchain_availability() -> tuple[bool, str]:
    """The ``llm`` and ``replay`` parsers' check for ``linc plugins`` (entry-point group
    ``linc.checks``): LangChain is found, not imported (its import takes most of a second)."""
    missing = [m.replace("_", "-") for m in ("langchain_core", "langchain") if importlib.util.find_spec(m) is None]
    if missing:
        return False, f"needs LangChain, not installed here: pip install {' '.join(missing)}"
    return True, f"langchain-core {importlib.metadata.version('langchain-core')} (imported on first use)"
