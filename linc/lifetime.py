"""Every process linc starts dies with its parent, however the parent dies.

A parent that exits normally or is told to stop kills its children itself; a parent that is
SIGKILLed or crashes cannot. For that case a child asks the kernel, first thing, to SIGKILL it
when its parent dies (Linux's ``prctl(PR_SET_PDEATHSIG)``). The request survives ``exec``, so it
covers prover binaries too, and a child of a child makes the same request: a whole tree of
processes goes down with its root. Other platforms have no such request (:func:`die_with_parent`
returns False there); their children rely on their parent's clean-up and on their own limits.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Callable

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def die_with_parent(parent: int) -> bool:
    """Have the kernel SIGKILL this process when ``parent`` (the pid that started it) dies.

    Call it first thing in the child (between ``fork`` and ``exec`` for a binary). If ``parent``
    is already gone the request would come too late, so the child exits at once. Returns False
    where the platform has no such request.
    """
    if _PRCTL is None:
        return False
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
    return True


def child_setup() -> Callable[[], object] | None:
    """A ``preexec_fn`` for :class:`subprocess.Popen` that ties the child to this process."""
    if _PRCTL is None:
        return None
    parent = os.getpid()
    return lambda: die_with_parent(parent)
