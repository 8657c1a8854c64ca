"""`backroom serve web`: the TUI in a browser, through textual-serve.

textual-serve starts one process per browser tab from a shell command. Who that
process works as is decided per connection, in this order:
- `--user-header HEADER`: the name an authenticating proxy in front puts in HEADER
  (X-Forwarded-User, Remote-User, ...); a request without it is refused. Only safe
  when the server listens on localhost, behind that proxy.
- `--user NAME`: everyone is NAME (a kiosk, a wall screen).
- neither: each tab opens at the login screen (name and PIN, or a badge).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from backroom.tui.serve.ssh import BACKROOM

DEFAULT_PORT = 8000


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

    def command(self, user: str | None) -> str:
        """The shell command textual-serve runs for one browser tab."""
        args = [*BACKROOM, "--db", self.db_url]
        if self.config_path:
            args += ["--config", self.config_path]
        args += ["--user", user] if user else ["--login"]
        return shlex.join(args)


def user_from(settings: WebSettings, headers) -> str | None:
    """Who this request is: the proxy's header, the fixed user, or None (log in).
    Raises HTTPForbidden when a header is expected and missing or malformed."""
    if settings.user_header:
        name = (headers.get(settings.user_header) or "").strip()
        if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
            raise web.HTTPForbidden(text=f"Backroom: no user in header {settings.user_header}\n")
        return name
    return settings.user


class BackroomWebServer(Server):
    """textual-serve's server, with the command chosen per connection."""

    def __init__(self, settings: WebSettings) -> None:
        super().__init__(
            settings.command(settings.user),
            host=settings.host,
            port=settings.port,
            title="Backroom",
            public_url=settings.public_url,
        )
        self.settings = settings

    async def handle_index(self, request: web.Request):
        user_from(self.settings, request.headers)  # refuse early, before the page loads
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        command = self.settings.command(user_from(self.settings, request.headers))
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = AppService(
                command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket


def serve(settings: WebSettings) -> int:
    """Serve the TUI on the web until interrupted."""
    BackroomWebServer(settings).serve()
    return 0
