"""The plugin registry: built-ins via entry points, drop-ins, broken plugins, environment switches."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from linc import plugins
from linc.errors import PluginError
from linc.proving import Prover

ROOT = Path(__file__).resolve().parents[1]

GOOD = '''
from linc.plugins import prover
from linc.proving import Label, Prover, ProverResult

@prover("always-uncertain")
class AlwaysUncertain(Prover):
    name = "always-uncertain"
    def _decide(self, premises, conclusion, timeout):
        return ProverResult(Label.UNCERTAIN, self.name, 0.0)
'''


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A fresh registry that sees only ``tmp_path`` as its drop-in folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINC_PLUGIN_PATH", str(tmp_path / "extra"))
    for var in ("LINC_PLUGINS", "LINC_DISABLE_PLUGINS"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "plugins").mkdir()
    (tmp_path / "extra").mkdir()
    plugins.reload()
    yield tmp_path
    plugins.reload()


def test_builtins_come_from_entry_points(registry):
    assert {"z3", "prover9", "eprover", "resolution", "sympy", "lean", "portfolio"} <= set(plugins.names("prover"))
    row = next(r for r in plugins.list_plugins() if r.name == "z3")
    assert row.kind == "prover" and row.source.startswith("built-in") and row.usable
    assert isinstance(plugins.get_prover("z3", timeout=3), Prover)


def test_the_scan_reads_no_metadata_file_of_the_builtin_distribution(registry, monkeypatch):
    """A distribution's name comes from parsing its METADATA file (linc's holds the README), which
    cost ten times the entry-point scan: the built-ins are told by linc's own entry points instead.
    Their sources still name the distribution."""
    import importlib.metadata

    reads: list[str] = []
    read_text = importlib.metadata.PathDistribution.read_text

    def counted(self, filename):
        if filename in ("METADATA", "PKG-INFO"):
            reads.append(str(self._path))
        return read_text(self, filename)

    monkeypatch.setattr(importlib.metadata.PathDistribution, "read_text", counted)
    assert "z3" in plugins.names("prover")
    assert not [r for r in reads if Path(r).name.startswith(("linc-", "linc.egg"))]
    row = next(r for r in plugins.list_plugins() if r.kind == "parser" and r.name == "gold")
    assert row.source == "built-in linc.parsing.gold:GoldParser (linc)"


def write_distribution(folder: Path, name: str, version: str, entry_points: str) -> None:
    """An installed distribution's metadata folder (no code)."""
    info = folder / f"{re.sub(r'[-_.]+', '_', name)}-{version}.dist-info"  # as pip names it
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points)


def test_the_scan_finds_what_the_standard_library_finds(tmp_path, monkeypatch):
    """The narrowed entry-point scan against ``importlib.metadata.entry_points()``: the same entry
    points in the same order, of each distribution name only the first found on ``sys.path`` (an
    older copy further on is shadowed, even when the first names none of linc's groups), however
    a section is spaced."""
    import importlib.metadata

    write_distribution(tmp_path / "a", "linc_demo", "2.0", "[linc.provers]\nnew = linc_demo.new:Prover\n")
    write_distribution(tmp_path / "b", "Linc.Demo", "1.0", "[linc.provers]\nold = linc_demo.old:Prover\n")
    write_distribution(tmp_path / "c", "shadow", "2.0", "[console_scripts]\nshadow = shadow:main\n")
    write_distribution(tmp_path / "d", "shadow", "1.0", "[linc.votes]\nshadowed = shadow:vote\n")
    write_distribution(tmp_path / "e", "spaced", "1.0", "[console_scripts]\nspaced = spaced:main\n\n  [linc.parsers]  \nspaced = spaced:Parser\n")
    for folder in "edcba":
        monkeypatch.syspath_prepend(str(tmp_path / folder))
    ours = [(kind, ep.group, ep.name, ep.value) for kind, ep, _ in plugins._entry_points()]
    everything = importlib.metadata.entry_points()
    groups = {**plugins.GROUPS, plugins.CHECKS: "check"}
    expected = [(kind, ep.group, ep.name, ep.value) for group, kind in groups.items() for ep in everything.select(group=group)]
    assert ours == expected
    assert ("prover", "linc.provers", "new", "linc_demo.new:Prover") in ours and ("parser", "linc.parsers", "spaced", "spaced:Parser") in ours
    assert not {"old", "shadowed"} & {name for _, _, name, _ in ours}
    assert ("prover", "linc.provers", "z3", "linc_provers.z3prover:Z3Prover") in ours


def test_listing_asks_the_llm_parsers_check_instead_of_importing_langchain():
    """``linc plugins`` imported LangChain (most of its second) only to learn that the llm parser
    is usable; its check finds LangChain without importing it. In a fresh process: this one may
    have LangChain loaded already."""
    code = ("import json, sys; from linc.plugins import list_plugins; rows = list_plugins(); "
            "print(json.dumps([sorted(m for m in sys.modules if m.startswith('langchain')), "
            "[r.to_dict() for r in rows if r.kind == 'parser']]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINC_")}
    imported, rows = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                               cwd=ROOT, check=True).stdout)
    assert imported == []
    by_name = {r["name"]: r for r in rows}
    assert by_name["llm"]["usable"] and by_name["replay"]["usable"] and "langchain-core" in by_name["llm"]["detail"]


HEAVY_POINTS = """[linc.parsers]
heavy = linc_heavy_demo:Parser
[linc.checks]
parser.heavy = linc_heavy_check:found
"""


def test_a_check_answers_for_its_plugin_and_a_broken_import_is_reported_on_use(registry, monkeypatch):
    """A plugin's check is asked instead of importing it; when the import fails after all (a broken
    install), using the plugin says why. A check from another distribution does not count."""
    site = registry / "site"
    write_distribution(site, "linc_heavy_demo", "1.0", HEAVY_POINTS)
    write_distribution(site, "linc_meddler", "1.0", "[linc.checks]\nparser.grammar = linc_heavy_check:missing\n")
    (site / "linc_heavy_check.py").write_text("def found():\n    return True, 'found, not imported'\n"
                                              "def missing():\n    return False, 'says another distribution'\n")
    (site / "linc_heavy_demo.py").write_text("raise ImportError('broken install: libheavy.so not found')\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "linc_heavy_check", raising=False)
    plugins.reload()
    rows = {r.name: r for r in plugins.list_plugins() if r.kind == "parser"}
    assert rows["heavy"].usable and rows["heavy"].detail == "found, not imported"
    assert "linc_heavy_demo" not in sys.modules
    assert rows["grammar"].usable and rows["grammar"].detail != "says another distribution"
    with pytest.raises(PluginError, match="broken install: libheavy.so not found"):
        plugins.get_parser("heavy")
    sys.modules.pop("linc_heavy_check", None)


def test_unknown_name_lists_known_names(registry):
    with pytest.raises(PluginError, match="known: .*z3"):
        plugins.get_prover("no-such-prover")
    with pytest.raises(PluginError, match="unknown plugin kind"):
        plugins.names("widgets")


def test_drop_in_and_broken_plugins(registry):
    (registry / "plugins" / "good.py").write_text(GOOD)
    (registry / "extra" / "broken.py").write_text("raise RuntimeError('boom at import')\n")
    (registry / "extra" / "exits.py").write_text("import sys\nsys.exit(3)\n")
    rows = {r.name: r for r in plugins.list_plugins()}
    assert rows["always-uncertain"].usable and "drop-in" in rows["always-uncertain"].source
    assert "boom at import" in rows["broken"].error and not rows["broken"].usable
    assert "SystemExit" in rows["exits"].error
    assert plugins.get_prover("always-uncertain").decide([], plugins_formula()).label.value == "Uncertain"


def test_builtin_names_cannot_be_taken(registry):
    (registry / "plugins" / "impostor.py").write_text(GOOD.replace('@prover("always-uncertain")', '@prover("z3")'))
    rows = [r for r in plugins.list_plugins() if r.name == "z3"]
    assert any(r.source.startswith("built-in") and r.usable for r in rows)
    assert any("already registered" in (r.error or "") for r in rows)
    assert plugins.lookup("prover", "z3").__module__ == "linc_provers.z3prover"


def test_disable_and_restrict(registry, monkeypatch):
    (registry / "plugins" / "good.py").write_text(GOOD)
    monkeypatch.setenv("LINC_DISABLE_PLUGINS", "1")
    plugins.reload()
    assert "always-uncertain" not in plugins.names("prover") and "z3" in plugins.names("prover")
    monkeypatch.delenv("LINC_DISABLE_PLUGINS")
    monkeypatch.setenv("LINC_PLUGINS", "other")
    plugins.reload()
    assert "always-uncertain" not in plugins.names("prover") and "z3" in plugins.names("prover")
    monkeypatch.setenv("LINC_PLUGINS", "good")
    plugins.reload()
    assert "always-uncertain" in plugins.names("prover")


def test_example_plugin_in_the_repository(monkeypatch):
    monkeypatch.chdir(ROOT)
    plugins.reload()
    try:
        from linc.logic.formula import Implies, Pred

        p, q = Pred("p"), Pred("q")
        result = plugins.get_prover("truth-table").decide([Implies(p, q), p], q)
        assert result.label.value == "True"
    finally:
        plugins.reload()


def plugins_formula():
    from linc.logic.formula import Pred

    return Pred("p")


def build_wheel(folder: Path, name: str, version: str, files: dict[str, str], entry_points: dict[str, dict[str, str]]) -> Path:
    """A plugin distribution as a wheel, written by hand: no build backend, no network."""
    info = f"{name}-{version}.dist-info"
    points = "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) for group, eps in entry_points.items())
    files = {
        **files,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: linc-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": points,
    }
    record = "".join(f"{path},,\n" for path in files) + f"{info}/RECORD,,\n"
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for inner, text in files.items():
            z.writestr(inner, text)
        z.writestr(f"{info}/RECORD", record)
    return path


def venv_with_linc(folder: Path) -> Path:
    """A new virtual environment that sees this one's packages (linc, z3, ...); its python."""
    env_dir = folder / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # addsitedir also runs that folder's .pth files: the editable install's finder maps linc_provers.
    (site / "linc_parent.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n{ROOT}\n")
    return python


def install(python: Path, wheel: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True)


def test_installed_plugin_package_is_listed_and_usable(tmp_path):
    python = venv_with_linc(tmp_path)
    tiny = GOOD.replace('@prover("always-uncertain")', "").replace("always-uncertain", "tiny")
    install(python, build_wheel(tmp_path, "linc_tiny_plugin", "0.1", {"linc_tiny_plugin.py": tiny},
                                {"linc.provers": {"tiny": "linc_tiny_plugin:AlwaysUncertain", "gone": "linc_no_such_module:Gone"}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINC_")}
    proved = subprocess.run([python, "-m", "linc.cli", "prove", "-c", "p", "--prover", "tiny", "--json"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert json.loads(proved.stdout)["label"] == "Uncertain"
    unknown = subprocess.run([python, "-m", "linc.cli", "prove", "-c", "p", "--prover", "nope"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "tiny" in unknown.stderr and "gone" not in unknown.stderr  # it cannot be loaded
    listing = subprocess.run([python, "-m", "linc.cli", "plugins", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    rows = {r["name"]: r for r in json.loads(listing.stdout)}
    assert rows["tiny"]["usable"] and rows["tiny"]["source"].startswith("entry point")
    assert not rows["gone"]["usable"] and "ModuleNotFoundError" in rows["gone"]["error"]
