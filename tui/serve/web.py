"""`backroom serve web`: the TUI in a browser, through textual-serve.

textual-serve starts one process per browser tab from a shell command. Who that
process works as is decided per connection, in this order:
- `--user-header HEADER`: the name an authenticating proxy in front puts in HEADER
  (X-Forwarded-User, Remote-User, ...), taken only from the proxy addresses named
  with `--trusted-proxy`; any other request with or without it is refused.
- `--user NAME`: everyone is NAME (a kiosk, a wall screen).
- neither: each tab opens at the login screen (name and PIN, or a badge).

Before any process starts, the websocket must come from a page of this server (its
Origin is the public URL's), and there must be room: at most `max_sessions` tabs in
all and `max_per_address` per client address. A tab's process is ended when its
websocket closes, and only then is its place given back.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import ipaddress
import os
import re
import shlex
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from backroom.tui.serve.lifeline import child_setup, lifeline
from backroom.tui.serve.limits import SessionCount, address_of
from backroom.tui.serve.ssh import BACKROOM

DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 20
DEFAULT_MAX_PER_ADDRESS = 4
END_GRACE_SECONDS = 5.0  # a tab's TUI has this long to quit when asked, then is killed
# Backroom's own page (templates/app_index.html): nothing from another host, and the
# keyboard given to the terminal as soon as it opens.
TEMPLATES = Path(__file__).parent / "templates"
PAGE = TEMPLATES / "app_index.html"
# The page may not be framed by another site's (a framed kiosk is driven by its clicks).
PAGE_HEADERS = {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True)
class WebSettings:
    """Where the web server listens and how it knows who is at the browser."""

    db_url: str
    host: str = "localhost"
    port: int = DEFAULT_PORT
    user: str | None = None
    user_header: str | None = None
    public_url: str | None = None
    config_path: str | None = None
    trusted_proxies: tuple[str, ...] = ()  # addresses (or networks) --user-header is taken from
    max_sessions: int = DEFAULT_MAX_SESSIONS
    max_per_address: int = DEFAULT_MAX_PER_ADDRESS
    log: Callable[[str], None] = field(
        default=lambda text: print(text, file=sys.stderr, flush=True), compare=False
    )

    def __post_init__(self) -> None:
        parts = urlsplit(self.public_url or self.url())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{self.public_url!r} is not an http:// or https:// address")

    def url(self) -> str:
        """The address browsers open: --public-url, else made from host and port."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}" + ("" if self.port == 80 else f":{self.port}")

    def origin(self) -> str:
        """The Origin a page of this server sends (scheme://host[:port])."""
        return origin_of(self.url())

    def command(self, user: str | None) -> str:
        """The shell command textual-serve runs for one browser tab."""
        args = [*BACKROOM, "--db", self.db_url]
        if self.config_path:
            args += ["--config", self.config_path]
        args += ["--user", user] if user else ["--login"]
        return shlex.join(args)


def origin_of(url: str) -> str:
    """URL's origin as browsers send it: lower-case scheme and host, default port left out."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def page_script_hash(page: Path = PAGE) -> str:
    """The CSP source of the page's one inline script (it names no variable, so its
    hash is the same for every request)."""
    found = re.search(r"<script>(.*?)</script>", page.read_text(encoding="utf-8"), re.S)
    if found is None:
        raise ValueError(f"{page.name} has no inline script")
    digest = hashlib.sha256(found.group(1).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_policy(settings: WebSettings) -> str:
    """What the page may load and talk to: this server only (its websocket included),
    and it may be framed by nobody."""
    origin = settings.origin()
    socket = ("wss" if origin.startswith("https:") else "ws") + origin[origin.index(":") :]
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {page_script_hash()}",
            "style-src 'self' 'unsafe-inline'",  # xterm.js styles its cells as it draws
            "img-src 'self' data:",
            f"connect-src 'self' {socket}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def check_origin(settings: WebSettings, request: web.Request) -> None:
    """Refuse (403) a request whose Origin is missing or not this server's public URL:
    another site's page may not drive a session in a browser that can reach us."""
    sent = request.headers.get("Origin", "")
    if not sent or origin_of(sent) != settings.origin():
        raise web.HTTPForbidden(
            text=f"Backroom: refused a page from {sent or 'nowhere'}; open {settings.url()}\n"
        )


def trusted(settings: WebSettings, peer: str | None) -> bool:
    """True when PEER is one of the proxy addresses --user-header is taken from."""
    try:
        ip = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.trusted_proxies)


def client_address(settings: WebSettings, request: web.Request) -> str:
    """Whom a session is counted against: the peer, or behind a trusted proxy the
    address that proxy appended to X-Forwarded-For."""
    peer = request.remote or ""
    if settings.trusted_proxies and trusted(settings, peer):
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        with contextlib.suppress(ValueError):
            return address_of(str(ipaddress.ip_address(forwarded)))
    return address_of(peer)


def user_from(settings: WebSettings, request: web.Request) -> str | None:
    """Who this request is: the proxy's header, the fixed user, or None (log in).
    Raises HTTPForbidden when a header is expected and missing or malformed, or comes
    from an address that is not a trusted proxy."""
    if settings.user_header:
        if not trusted(settings, request.remote):
            raise web.HTTPForbidden(
                text=f"Backroom: {settings.user_header} is taken only from a trusted proxy\n"
            )
        name = (request.headers.get(settings.user_header) or "").strip()
        if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
            raise web.HTTPForbidden(text=f"Backroom: no user in header {settings.user_header}\n")
        return name
    return settings.user


class TabProcess(AppService):
    """textual-serve's app process, in a process group of its own so that ending it
    ends the shell and the TUI it runs; killed if it does not quit when asked."""

    async def _open_app_process(self, width: int = 80, height: int = 24):
        # The shell and the TUI it runs end with the server, however it ends: the shell
        # by the parent-death signal, the TUI by the server's lifeline (tui/serve/lifeline.py).
        line = lifeline()
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**self._build_environment(width=width, height=height), **line.env()},
            start_new_session=True,
            pass_fds=line.pass_fds,
            preexec_fn=functools.partial(child_setup, os.getpid()),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def end(self) -> int | None:
        """Ask the TUI to quit; if it has not within the grace, end its process group
        (SIGTERM, then SIGKILL). Its exit status."""
        process = self._process
        with contextlib.suppress(TimeoutError, ConnectionError, OSError):
            await asyncio.wait_for(self.stop(), END_GRACE_SECONDS)
        if process is None:
            return None
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(process.wait(), 2)
        return await process.wait()


class BackroomWebServer(Server):
    """textual-serve's server: the command chosen per connection, the websocket's Origin
    checked, sessions counted, and each tab's process ended with its websocket."""

    def __init__(self, settings: WebSettings) -> None:
        super().__init__(
            settings.command(settings.user),
            host=settings.host,
            port=settings.port,
            title="Backroom",
            public_url=settings.url().rstrip("/"),
            templates_path=TEMPLATES,
        )
        self.settings = settings
        self.page_headers = {**PAGE_HEADERS, "Content-Security-Policy": content_policy(settings)}
        self.sessions = SessionCount(settings.max_sessions, settings.max_per_address)
        self.tabs: set[TabProcess] = set()

    async def on_shutdown(self, app: web.Application) -> None:
        """The server stops: every tab's TUI is ended before it does."""
        await asyncio.gather(*(tab.end() for tab in list(self.tabs)), return_exceptions=True)

    async def handle_index(self, request: web.Request):
        user_from(self.settings, request)  # refuse early, before the page loads
        refusal = self.sessions.refusal(client_address(self.settings, request))
        if refusal is not None:
            raise web.HTTPServiceUnavailable(text=f"Backroom: {refusal}; try again later\n")
        response = await super().handle_index(request)
        response.headers.update(self.page_headers)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        check_origin(self.settings, request)
        command = self.settings.command(user_from(self.settings, request))
        address = client_address(self.settings, request)
        refusal = self.sessions.take(address)
        if refusal is not None:
            self.settings.log(f"web: refused {address}: {refusal}")
            raise web.HTTPServiceUnavailable(text=f"Backroom: {refusal}; try again later\n")
        return await self._run_tab(request, command, address)

    async def _run_tab(
        self, request: web.Request, command: str, address: str
    ) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        tab: TabProcess | None = None
        try:
            await websocket.prepare(request)
            tab = TabProcess(
                command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.tabs.add(tab)
            await tab.start(width, height)
            self.settings.log(f"web: session started for {address} (pid {tab.pid})")
            await self._process_messages(websocket, tab)
        finally:
            if tab is None:
                self.sessions.give_back(address)
            else:
                # Its own task: a cancelled handler still ends the process, and the
                # place is given back only when the process is gone.
                await asyncio.shield(asyncio.ensure_future(self._end_tab(tab, address)))
        return websocket

    async def _end_tab(self, tab: TabProcess, address: str) -> None:
        try:
            status = await tab.end()
            self.settings.log(f"web: session ended (pid {tab.pid}, status {status})")
        finally:
            self.tabs.discard(tab)
            self.sessions.give_back(address)


def serve(settings: WebSettings) -> int:
    """Serve the TUI on the web until interrupted."""
    BackroomWebServer(settings).serve()
    return 0
