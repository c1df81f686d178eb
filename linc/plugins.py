"""The plugin registry: prover backends, semantic parsers, datasets and voting policies, by name.

Plugins come from three places, found once, on first use, in this order:

1. entry points of the ``linc`` distribution itself (the built-in backends are registered in
   ``pyproject.toml`` exactly like a third-party plugin's);
2. entry points of other installed distributions (groups ``linc.provers``, ``linc.parsers``,
   ``linc.datasets``, ``linc.votes``); the entry point names the object, or a module that
   registers with the decorators below;
3. drop-in modules: every ``*.py`` (not starting with ``_``) in ``./plugins`` (relative to the
   working directory) and in each folder of ``$LINC_PLUGIN_PATH`` (``os.pathsep``-separated),
   registering with ``@linc.plugins.prover("name")``, ``@parser(...)``, ``@dataset(...)`` or
   ``@vote(...)``.

Entry points are indexed by name at first use and imported only when asked for (``get_prover``
imports one backend, ``list_plugins`` imports all but those a check answers for: see below). Each
plugin is loaded in isolation: one that fails to import or clashes with a name already taken
is recorded with its error (see :func:`list_plugins`) and the others load regardless. Built-ins
win name clashes. ``LINC_DISABLE_PLUGINS=1`` loads built-ins only; ``LINC_PLUGINS=a,b`` loads
only the third-party entry points and drop-in modules (file stems) named there.

A plugin whose module is slow to import (the ``llm`` parser imports LangChain: most of a second)
can declare a cheap check in the group ``linc.checks``, named ``KIND.NAME`` (``parser.llm``) and
naming a callable ``() -> (usable, detail)`` in a light module (``importlib.util.find_spec``, not
an import): :func:`list_plugins` asks it instead of importing the plugin. Only a check of the
plugin's own distribution counts. An import that fails regardless (a broken install) is reported
when the plugin is used, as any plugin's is.

>>> sorted(n for n in names("prover") if n in ("z3", "prover9"))
['prover9', 'z3']
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, TypeVar

from linc.errors import PluginError

__all__ = [
    "PluginInfo",
    "dataset",
    "get_dataset",
    "get_parser",
    "get_prover",
    "get_vote",
    "list_plugins",
    "lookup",
    "names",
    "parser",
    "prover",
    "reload",
    "require_usable_prover",
    "vote",
]

KINDS = ("prover", "parser", "dataset", "vote")
GROUPS = {"linc.provers": "prover", "linc.parsers": "parser", "linc.datasets": "dataset", "linc.votes": "vote"}
CHECKS = "linc.checks"  # KIND.NAME = module:callable, a plugin's cheap availability check
BUILTIN_DISTRIBUTION = "linc"

T = TypeVar("T")


@dataclass
class PluginInfo:
    """One row of ``linc plugins``: what it is, where it came from, whether it works here."""

    kind: str
    name: str
    source: str
    usable: bool = True
    detail: str = ""
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Entry:
    obj: Any
    source: str
    builtin: bool
    entry_point: importlib.metadata.EntryPoint | None = None  # set until the object is imported
    check: importlib.metadata.EntryPoint | None = None  # its distribution's cheap availability check


class _Registry:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], _Entry] = {}
        self.broken: list[PluginInfo] = []
        self.loaded = False
        self.lock = threading.RLock()
        self.source: str | None = None  # set while a plugin module is being imported
        self.builtin = False

    def add(self, kind: str, name: str, obj: Any, source: str | None = None, builtin: bool | None = None,
            entry_point: importlib.metadata.EntryPoint | None = None, check: importlib.metadata.EntryPoint | None = None) -> None:
        source = source or self.source or f"module {getattr(obj, '__module__', '?')}"
        builtin = self.builtin if builtin is None else builtin
        with self.lock:
            old = self.entries.get((kind, name))
            if old is not None and (old.obj is obj and obj is not None or old.entry_point is not None and old.source == source):
                return
            if old is not None and (old.builtin or not builtin):
                self.broken.append(PluginInfo(kind, name, source, False, error=f"name already registered by {old.source}"))
                return
            if old is not None:
                self.broken.append(PluginInfo(kind, name, old.source, False, error=f"name taken by built-in {source}"))
            self.entries[(kind, name)] = _Entry(obj, source, builtin, entry_point, check)

    def load(self) -> None:
        """Index entry points (imported only when first asked for) and import drop-in modules."""
        with self.lock:
            if self.loaded:
                return
            self.loaded = True
            disabled = os.environ.get("LINC_DISABLE_PLUGINS", "").strip().lower() in ("1", "true", "yes")
            allowed = {n.strip() for n in os.environ.get("LINC_PLUGINS", "").split(",") if n.strip()} or None
            seen: set[tuple[str, str, str]] = set()
            third_party = []
            dists: dict[int, str] = {}  # a distribution's name as written, read once (each read parses its METADATA)
            found = _entry_points()
            checks = {(dist, ep.name): ep for kind, ep, dist in found if kind == "check"}
            for kind, ep, dist in found:
                if kind == "check" or (ep.group, ep.name, ep.value) in seen:  # an entry point declared twice
                    continue
                seen.add((ep.group, ep.name, ep.value))
                check = checks.get((dist, f"{kind}.{ep.name}"))
                if dist == BUILTIN_DISTRIBUTION:
                    self.add(kind, ep.name, None, f"built-in {ep.value} ({BUILTIN_DISTRIBUTION})", True, ep, check)
                    continue
                name = "?" if ep.dist is None else dists.get(id(ep.dist)) or dists.setdefault(id(ep.dist), ep.dist.name)
                third_party.append((kind, ep, f"entry point {ep.value} ({name})", check))
            if disabled:
                return
            for kind, ep, source, check in third_party:
                if allowed is None or ep.name in allowed:
                    self.add(kind, ep.name, None, source, False, ep, check)
            for path in _drop_in_files():
                if allowed is None or path.stem in allowed:
                    self._load_file(path)

    def resolve(self, kind: str, name: str) -> _Entry | None:
        """The entry with its object imported; a failed import moves it to the broken list."""
        with self.lock:
            self.load()
            entry = self.entries.get((kind, name))
            if entry is None:  # a module entry point may register this name when imported
                for (k, n), e in list(self.entries.items()):
                    if e.entry_point is not None and e.entry_point.module == e.entry_point.value:
                        self.resolve(k, n)
                entry = self.entries.get((kind, name))
            if entry is None or entry.entry_point is None:
                return entry
            ep, entry.entry_point = entry.entry_point, None
            self.source, self.builtin = entry.source, entry.builtin
            try:
                with _quiet_import():
                    obj = ep.load()
            except (Exception, SystemExit) as e:  # noqa: BLE001 - a broken plugin must not stop the others
                del self.entries[(kind, name)]
                self.broken.append(PluginInfo(kind, name, entry.source, False, error=_describe(e)))
                return None
            finally:
                self.source, self.builtin = None, False
            if isinstance(obj, ModuleType):  # it registered what it offers with the decorators
                if self.entries.get((kind, name)) is entry:
                    del self.entries[(kind, name)]
                return self.entries.get((kind, name))
            entry.obj = obj
            return entry

    def _load_file(self, path: Path) -> None:
        source = f"drop-in {path}"
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
        self.source = source
        try:
            spec = importlib.util.spec_from_file_location(f"linc_dropin_{digest}_{path.stem}", path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot import {path}")
            module = importlib.util.module_from_spec(spec)
            with _quiet_import():
                spec.loader.exec_module(module)
        except (Exception, SystemExit) as e:  # noqa: BLE001 - a broken plugin must not stop the others
            self.broken.append(PluginInfo("module", path.stem, source, False, error=_describe(e)))
            # What it registered before failing is half-made: not offered as usable.
            for key in [k for k, entry in self.entries.items() if entry.source == source]:
                del self.entries[key]
        finally:
            self.source = None


_REGISTRY = _Registry()


def _quiet_import() -> contextlib.AbstractContextManager:
    """While a plugin is imported, what it prints goes to stderr: plugins load on first use, in
    the middle of a command whose stdout may be one JSON object (``--json``) piped elsewhere."""
    return contextlib.redirect_stdout(sys.stderr)


def _entry_points() -> list[tuple[str, importlib.metadata.EntryPoint, str]]:
    """(kind, entry point, its distribution's normalised name) for each entry point in linc's
    groups (kind ``check`` for :data:`CHECKS`), group by group, in the order of the distributions
    on ``sys.path``, of each distribution name the first one only: what
    ``importlib.metadata.entry_points()`` finds there.

    Narrower than that scan, which parses every distribution's ``entry_points.txt`` and makes an
    object of each of their hundreds of console scripts: a file that names none of linc's groups
    is not parsed. A distribution's name is read, as that scan reads it, off the name of its
    metadata folder where the standard library can, else from its METADATA file (asking each
    entry point's distribution for its name would parse that file, linc's README included: ten
    times the cost of the scan)."""
    kinds = {**GROUPS, CHECKS: "check"}
    found: dict[str, list[tuple[importlib.metadata.EntryPoint, str]]] = {group: [] for group in kinds}
    names: set[str] = set()
    for dist in importlib.metadata.distributions():
        name = _normal(getattr(dist, "_normalized_name", None) or dist.name)
        if name in names:  # one distribution found twice on sys.path: the first one counts
            continue
        names.add(name)
        text = dist.read_text("entry_points.txt")
        if not text or "[linc." not in text:  # a section of ours is "[linc.…]" however it is spaced
            continue
        for ep in dist.entry_points:
            if ep.group in found:
                found[ep.group].append((ep, name))
    return [(kinds[group], ep, name) for group, eps in found.items() for ep, name in eps]


def _normal(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def plugin_folders() -> list[Path]:
    """The drop-in folders, as absolute paths: ``./plugins``, then ``$LINC_PLUGIN_PATH``'s entries.

    Absolute, so a subprocess running elsewhere (prover workers run in a private directory) can
    be given exactly the folders this process reads."""
    folders = [Path.cwd() / "plugins"]
    folders += [Path(p).absolute() for p in os.environ.get("LINC_PLUGIN_PATH", "").split(os.pathsep) if p]
    return list(dict.fromkeys(folders))


def _drop_in_files() -> list[Path]:
    files: list[Path] = []
    for folder in plugin_folders():
        if folder.is_dir():
            files += sorted(p.resolve() for p in folder.glob("*.py") if not p.name.startswith("_"))
    return list(dict.fromkeys(files))


def _register(kind: str, name: str) -> Callable[[T], T]:
    if not name or not isinstance(name, str):
        raise PluginError(f"a {kind} plugin needs a non-empty name")

    def decorate(obj: T) -> T:
        _REGISTRY.add(kind, name, obj)
        return obj

    return decorate


def prover(name: str) -> Callable[[T], T]:
    """Register a :class:`~linc.proving.Prover` subclass (or factory) under ``name``."""
    return _register("prover", name)


def parser(name: str) -> Callable[[T], T]:
    """Register a semantic parser class (or factory) under ``name``."""
    return _register("parser", name)


def dataset(name: str) -> Callable[[T], T]:
    """Register a dataset (loader object or factory) under ``name``."""
    return _register("dataset", name)


def vote(name: str) -> Callable[[T], T]:
    """Register a voting policy: a callable ``(votes) -> label or None`` (see :mod:`linc.voting`)."""
    return _register("vote", name)


def _kind(kind: str) -> str:
    singular = kind[:-1] if kind.endswith("s") else kind
    if singular not in KINDS:
        raise PluginError(f"unknown plugin kind {kind!r}; kinds: {', '.join(KINDS)}")
    return singular


def names(kind: str) -> list[str]:
    """The registered names of one kind (``prover``, ``parser``, ``dataset`` or ``vote``), sorted."""
    kind = _kind(kind)
    _REGISTRY.load()
    return sorted(n for k, n in _REGISTRY.entries if k == kind)


def lookup(kind: str, name: str) -> Any:
    """The registered object itself; :class:`PluginError` lists the known names when unknown."""
    kind = _kind(kind)
    entry = _REGISTRY.resolve(kind, name)
    if entry is None:
        failed = [b.error for b in _REGISTRY.broken if b.name == name and b.kind in (kind, "module")]
        why = f" (it failed to load: {failed[0]})" if failed else ""
        for other in names(kind):  # import them all, so that one that fails to load is not offered as known
            _REGISTRY.resolve(kind, other)
        raise PluginError(f"unknown {kind} {name!r}{why}; known: {', '.join(names(kind)) or 'none'}")
    return entry.obj


def _instantiate(kind: str, name: str, kwargs: dict[str, Any]) -> Any:
    factory = lookup(kind, name)
    try:
        return factory(**kwargs)
    except TypeError as e:
        raise PluginError(f"cannot create {kind} {name!r} with {sorted(kwargs)}: {e}") from e


def get_prover(name: str, **kwargs: Any):
    """A ready :class:`~linc.proving.Prover` instance of the backend ``name``."""
    from linc.proving import Prover

    obj = _instantiate("prover", name, kwargs)
    if not isinstance(obj, Prover):
        raise PluginError(f"prover plugin {name!r} made a {type(obj).__name__}, not a linc.proving.Prover")
    return obj


def require_usable_prover(name: str) -> None:
    """Refuse, before any work, a backend whose ``availability()`` says it cannot run here (its
    binary or library is missing): a run would otherwise turn every vote into the same Error."""
    from linc.errors import ProverUnavailable

    usable, detail, error = _usability(lookup("prover", name))
    if not usable:
        raise ProverUnavailable(f"prover {name!r} cannot run here: {error or detail}")


def get_parser(name: str, **kwargs: Any) -> Any:
    """A semantic parser instance of the plugin ``name``."""
    return _instantiate("parser", name, kwargs)


def get_vote(name: str) -> Callable[..., Any]:
    """The voting policy ``name`` (a callable; see :mod:`linc.voting`)."""
    policy = lookup("vote", name)
    if not callable(policy):
        raise PluginError(f"vote plugin {name!r} is a {type(policy).__name__}, not a callable policy")
    return policy


def get_dataset(name: str) -> Any:
    """The registered dataset object or factory (not called)."""
    return lookup("dataset", name)


def _usability(obj: Any) -> tuple[bool, str, str | None]:
    check = getattr(obj, "availability", None)
    if not callable(check):
        return True, "", None
    return _ask(check)


def _ask(check: Callable[[], tuple[bool, str]]) -> tuple[bool, str, str | None]:
    try:
        ok, detail = check()
        return bool(ok), str(detail), None
    except Exception as e:  # noqa: BLE001 - a plugin's own check failing makes it unusable, not us
        return False, "", _describe(e)


def _checked(entry: _Entry) -> tuple[bool, str, str | None] | None:
    """What the entry's cheap check says of a plugin not imported yet; None when there is no
    check, or it cannot be loaded (the plugin is then imported and asked itself)."""
    if entry.check is None or entry.entry_point is None:
        return None
    try:
        with _quiet_import():
            check = entry.check.load()
    except (Exception, SystemExit):  # noqa: BLE001 - the plugin's own import says more
        return None
    return _ask(check)


def list_plugins() -> list[PluginInfo]:
    """Every plugin, loaded or broken, with whether it is usable here and why not. A plugin
    with a check (:data:`CHECKS`) is asked through it, not imported."""
    _REGISTRY.load()
    answers = {key: _checked(entry) for key, entry in list(_REGISTRY.entries.items())}
    for key, answer in answers.items():
        if answer is None:
            _REGISTRY.resolve(*key)
    rows = []
    for key, entry in sorted(_REGISTRY.entries.items()):
        usable, detail, error = answers.get(key) or _usability(entry.obj)
        rows.append(PluginInfo(key[0], key[1], entry.source, usable, detail, error))
    return rows + list(_REGISTRY.broken)


def reload() -> None:
    """Forget everything and load again on next use (after changing the environment)."""
    global _REGISTRY
    _REGISTRY = _Registry()
