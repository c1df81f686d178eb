"""A model string whose LangChain integration is missing names the linc extra that installs it."""

from __future__ import annotations

import importlib.util
import tomllib

import pytest
from typer.testing import CliRunner

from linc.cli import app
from linc.errors import ParserError
from linc.parsing import providers
from tests.conftest import ROOT

EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


@pytest.fixture
def nothing_installed(monkeypatch):
    """As on a fresh install: no LangChain provider integration is importable."""
    real = importlib.util.find_spec
    monkeypatch.setattr(providers.importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("langchain_") else real(name, *a))


@pytest.mark.parametrize(("provider", "extra_module"), sorted(providers.EXTRAS.items()))
def test_every_extra_named_is_declared_with_its_integration(provider, extra_module):
    extra, module = extra_module
    assert any(req.startswith(module.replace("_", "-")) for req in EXTRAS[extra]), (provider, EXTRAS.get(extra))


@pytest.mark.parametrize(("model", "extra"), [("openai:gpt-4o-mini", "openai"), ("gpt-4o", "openai"),
                                              ("anthropic:claude-sonnet-4-5", "anthropic"), ("ollama:llama3.2", "ollama")])
def test_a_missing_integration_names_the_extra(nothing_installed, model, extra):
    with pytest.raises(ParserError, match=rf"pip install 'linc\[{extra}\]'"):
        providers.require_integration(model)


def test_an_unknown_provider_is_left_to_langchain(nothing_installed):
    providers.require_integration("someprovider:some-model")


def test_the_cli_says_which_extra_to_install(nothing_installed):
    result = CliRunner().invoke(app, ["solve", "--model", "openai:gpt-4o-mini", "-p", "Bob is big.", "-c", "Bob is big."])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "linc: error: ParserError: the model 'openai:gpt-4o-mini' needs LangChain's openai integration "
        "(langchain-openai), which is not installed: pip install 'linc[openai]'"]
