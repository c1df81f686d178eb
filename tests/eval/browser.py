"""A small driver for headless Chromium over the DevTools protocol on a pipe (no websocket
library, no port): open a page, evaluate JavaScript in it, close everything.

Chromium reads protocol messages from fd 3 and writes to fd 4, each one JSON text ended by NUL.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium binary on PATH (LINC_CHROMIUM overrides), or None."""
    if os.environ.get("LINC_CHROMIUM"):
        return shutil.which(os.environ["LINC_CHROMIUM"])
    return next((path for path in map(shutil.which, CANDIDATES) if path), None)


class BrowserError(RuntimeError):
    """The browser answered with an error, a script threw, or nothing came in time."""


class Browser:
    """One headless Chromium process in its own process group; use as a context manager."""

    def __init__(self, binary: str, timeout: float = 30.0):
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="linc-chromium-")
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        # Move the child's ends above 3 and 4 so the dup2 calls below cannot clobber them.
        child_in, child_out = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
        os.close(to_r)
        os.close(from_w)

        def wire() -> None:  # runs in the child, before exec
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--remote-debugging-pipe",
                f"--user-data-dir={self._profile.name}", "about:blank"]
        try:
            self.proc = subprocess.Popen(args, preexec_fn=wire, pass_fds=(3, 4), start_new_session=True,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            os.close(child_in)
            os.close(child_out)
        self._write, self._read = to_w, from_r
        self._buffer = b""
        self._next_id = 0

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ask Chromium to quit, then kill its whole process group whatever happened."""
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close")
                except (BrowserError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            for fd in (self._write, self._read):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._profile.cleanup()

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """One protocol command; returns its result (events that arrive meanwhile are dropped)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise BrowserError("no answer from Chromium in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def open(self, url: str, ready: str = "document.readyState === 'complete'") -> "Page":
        """A new tab showing ``url``, once the expression ``ready`` is true in it."""
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        page.wait_for(ready)
        return page


class Page:
    """A tab: evaluate JavaScript, wait for a condition, close."""

    def __init__(self, browser: Browser, session: str, target: str):
        self.browser = browser
        self.session = session
        self.target = target

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})

    def eval(self, expression: str) -> Any:
        """The JSON value of ``expression`` in the page; a thrown exception raises BrowserError."""
        result = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                                   self.session)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw: {result['exceptionDetails'].get('exception', result['exceptionDetails'])}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.browser.timeout)
        while True:
            try:
                if self.eval(f"!!({expression})"):
                    return
            except BrowserError:
                pass  # the document may not exist yet
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression}")
            time.sleep(0.05)
