"""Headless Chromium for the tests, driven through the DevTools protocol over its
websocket, with aiohttp (which `serve web` needs anyway): no browser driver, no
browser download. One browser is shared by a test module; each test opens its tabs.

Keys reach a page as the keyboard's do (Input.dispatchKeyEvent: keydown, keypress,
keyup, to whatever has focus); the terminal's screen is read from xterm.js's own
buffer, found through the DevTools' view of the page's objects."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import aiohttp

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
STARTED_WITHIN = 30.0  # seconds for the browser to open its DevTools port
ANSWERED_WITHIN = 15.0  # seconds for any DevTools command
# Keys that are not characters: (key, code, Windows key code, text they type).
SPECIAL_KEYS = {
    "enter": ("Enter", "Enter", 13, "\r"),
    "tab": ("Tab", "Tab", 9, "\t"),
    "escape": ("Escape", "Escape", 27, ""),
    "backspace": ("Backspace", "Backspace", 8, ""),
    "f2": ("F2", "F2", 113, ""),
}

# The terminal in textual-serve's page is an instance of a class of its own script,
# made in its window.onload and kept nowhere global. Found the way a person would in
# the DevTools: the class is in onload's closure, its instances are queried by prototype.
FIND_TERMINAL_CLASS = """function () {
  return this.toString().includes('websocket_url') ? this.prototype : null;
}"""
SCREEN_LINES = """function () {
  const terminal = this[0] && this[0].terminal;
  if (!terminal) return null;
  const buffer = terminal.buffer.active, lines = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : '');
  }
  return lines.join('\\n');
}"""


def find_browser() -> str | None:
    """The Chromium (or Chrome) on PATH, if any."""
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    return None


class Browser:
    """One headless Chromium and a DevTools connection to it, served by an event loop
    in a thread of its own so that plain (synchronous) tests can use it."""

    def __init__(self, executable: str, folder: Path) -> None:
        self.folder = folder
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}
        self.proc = self._launch(executable)
        try:
            self.run(self._connect())
        except BaseException:
            self.close()
            raise

    def _launch(self, executable: str) -> subprocess.Popen:
        profile = self.folder / "profile"
        profile.mkdir(parents=True, exist_ok=True)
        (profile / "DevToolsActivePort").unlink(missing_ok=True)  # a port of an earlier run
        argv = [
            executable,
            "--headless",
            "--remote-debugging-port=0",  # the port it took is in DevToolsActivePort
            f"--user-data-dir={profile}",
            "--no-sandbox",  # as root (CI) Chromium refuses to start with its sandbox
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--window-size=1000,700",
            "about:blank",
        ]
        log = open(self.folder / "chromium.log", "wb")  # noqa: SIM115 (kept with the process)
        with log:
            # A group of its own: the browser's helpers (renderer, GPU, zygote) end with it.
            return subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def run(self, work: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        """Run WORK on the browser's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    async def _connect(self) -> None:
        active = self.folder / "profile" / "DevToolsActivePort"
        deadline = time.monotonic() + STARTED_WITHIN
        while not (active.exists() and len(active.read_text().split()) == 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "chromium.log").read_text(errors="replace")
                raise RuntimeError(f"Chromium did not start: {log[-2000:]}")
            await asyncio.sleep(0.05)
        port, path = active.read_text().split()
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            answer = message.json()
            waiting = self._waiting.pop(answer.get("id", 0), None)
            if waiting is not None and not waiting.done():
                waiting.set_result(answer)
        for waiting in self._waiting.values():
            waiting.set_exception(ConnectionError("the browser closed its DevTools socket"))

    async def send(self, method: str, session: str | None = None, **params: Any) -> dict:
        """One DevTools command (to the browser, or to the page SESSION); its result."""
        number = next(self._ids)
        answered = self._waiting[number] = self.loop.create_future()
        command: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        await self._ws.send_json(command)
        answer = await asyncio.wait_for(answered, ANSWERED_WITHIN)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error'].get('message')}")
        return answer["result"]

    def open(self, url: str) -> Page:
        """A new tab at URL."""
        return Page(self, url)

    def close(self) -> None:
        """End the browser and every process it started; stop the loop."""
        with contextlib.suppress(Exception):
            self.run(self._disconnect(), timeout=10)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        # Helpers that outlived the browser itself are still in its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    async def _disconnect(self) -> None:
        with contextlib.suppress(Exception):
            await self.send("Browser.close")
        if getattr(self, "_ws", None) is not None:
            await self._ws.close()
            await self._http.close()


# Whatever the page's Content-Security-Policy blocks is kept where a test can read it.
WATCH_REFUSALS = """window.refusedByPolicy = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.refusedByPolicy.push(event.violatedDirective + ' ' + event.blockedURI);
});"""


class Page:
    """A browser tab: keys typed into it, its terminal's screen read, its picture taken."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        self.target = browser.run(browser.send("Target.createTarget", url="about:blank"))[
            "targetId"
        ]
        self.closed = False
        attached = browser.run(
            browser.send("Target.attachToTarget", targetId=self.target, flatten=True)
        )
        self.session = attached["sessionId"]
        self.send("Page.enable")
        self.send("Page.addScriptToEvaluateOnNewDocument", source=WATCH_REFUSALS)
        self.send("Page.navigate", url=url)

    def refused_by_policy(self) -> list[str]:
        """What the page's Content-Security-Policy blocked so far."""
        return self.evaluate("window.refusedByPolicy") or []

    def resources(self) -> list[str]:
        """The address of everything the page has loaded, itself included."""
        return self.evaluate(
            "[location.href, ...performance.getEntriesByType('resource').map(e => e.name)]"
        )

    def send(self, method: str, **params: Any) -> dict:
        return self.browser.run(self.browser.send(method, self.session, **params))

    def evaluate(self, expression: str) -> Any:
        """EXPRESSION's value in the page."""
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return answer["result"].get("value")

    def screen(self) -> str:
        """The terminal's lines as the page shows them now ('' before it exists)."""
        prototype = self._terminal_class()
        if prototype is None:
            return ""
        found = self.send("Runtime.queryObjects", prototypeObjectId=prototype)
        answer = self.send(
            "Runtime.callFunctionOn",
            objectId=found["objects"]["objectId"],
            functionDeclaration=SCREEN_LINES,
            returnByValue=True,
        )
        return answer["result"].get("value") or ""

    def _terminal_class(self) -> str | None:
        # Backroom's page keeps textual.js's onload as `openTerminal`, to run it later.
        found = "typeof openTerminal === 'function' ? openTerminal : window.onload"
        onload = self.send("Runtime.evaluate", expression=found)["result"]
        if "objectId" not in onload:
            return None
        inside = self.send("Runtime.getProperties", objectId=onload["objectId"])
        scopes = next(p for p in inside["internalProperties"] if p["name"] == "[[Scopes]]")
        for scope in self.send("Runtime.getProperties", objectId=scopes["value"]["objectId"])[
            "result"
        ]:
            if "objectId" not in scope.get("value", {}):
                continue
            names = self.send("Runtime.getProperties", objectId=scope["value"]["objectId"])
            for name in names["result"]:
                value = name.get("value", {})
                if value.get("type") != "function" or "objectId" not in value:
                    continue
                answer = self.send(
                    "Runtime.callFunctionOn",
                    objectId=value["objectId"],
                    functionDeclaration=FIND_TERMINAL_CLASS,
                )
                if answer["result"].get("objectId"):
                    return answer["result"]["objectId"]
        return None

    def wait_for(self, *words: str, timeout: float = 20) -> str:
        """The screen, once every one of WORDS is on it; TimeoutError naming what was."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(word in shown for word in words):
                return shown
            time.sleep(0.1)
        raise TimeoutError(f"never saw {words!r}; the page shows:\n{shown}")

    def type(self, text: str) -> None:
        """TEXT typed key by key, as a keyboard (or a keyboard-wedge scanner) would."""
        for char in text:
            key = dict(key=char, text=char, unmodifiedText=char)
            self.send("Input.dispatchKeyEvent", type="keyDown", **key)
            self.send("Input.dispatchKeyEvent", type="keyUp", key=char)

    def press(self, name: str) -> None:
        """A key that is not a character: enter, tab, escape, backspace, f2."""
        key, code, number, text = SPECIAL_KEYS[name]
        down = dict(key=key, code=code, windowsVirtualKeyCode=number, nativeVirtualKeyCode=number)
        self.send("Input.dispatchKeyEvent", type="rawKeyDown", **down)
        if text:
            self.send("Input.dispatchKeyEvent", type="char", text=text, key=key)
        self.send("Input.dispatchKeyEvent", type="keyUp", **down)

    def screenshot(self, path: Path) -> Path:
        """The tab's picture, as PNG at PATH."""
        picture = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(picture))
        return path

    def close(self) -> None:
        """Close the tab as a person would (its websockets close with it)."""
        if not self.closed:
            self.closed = True
            self.browser.run(self.browser.send("Target.closeTarget", targetId=self.target))
