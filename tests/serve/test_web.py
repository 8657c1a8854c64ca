"""`backroom serve web`: bound to localhost; a tab's TUI starts only for a page of this
server, with room left, and ends with its websocket; who works there is decided per
request, and a proxy's user header is believed only from that proxy."""

from __future__ import annotations

import os
import re
import subprocess
import time

import aiohttp
import pytest

from backroom.tui.serve.web import WebSettings, origin_of, page_script_hash
from tests.serve.conftest import Server, backroom_argv, free_port


def web_server(url: str, *options: str) -> Server:
    port = free_port()
    argv = backroom_argv(url, "serve", "web", "--host", "127.0.0.1", "--port", str(port))
    return Server([*argv, *options], port)


async def get(port: int, headers: dict[str, str] | None = None, source: str = "127.0.0.1"):
    """The page, asked from SOURCE: (status, text, headers)."""
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    url = f"http://127.0.0.1:{port}/"
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        http.get(url, headers=headers or {}) as answer,
    ):
        return answer.status, await answer.text(), answer.headers


class Tab:
    """A browser tab's websocket, opened from SOURCE with the page's ORIGIN."""

    def __init__(self, port: int, origin: str | None, source: str = "127.0.0.1") -> None:
        self.port, self.origin, self.source = port, origin, source
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def open(self) -> int:
        """101 when the tab's session started, else the refusal's status."""
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(local_addr=(self.source, 0))
        )
        headers = {"Origin": self.origin} if self.origin else {}
        try:
            self.ws = await self.http.ws_connect(
                f"http://127.0.0.1:{self.port}/ws?width=80&height=24", headers=headers
            )
        except aiohttp.WSServerHandshakeError as exc:
            await self.close()
            return exc.status
        return 101

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.http is not None:
            await self.http.close()


def children(pid: int) -> list[int]:
    """The processes PID has started and that still run."""
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(c) for c in listing.read().split()]


def wait_until_no_children(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while children(server.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children(server.proc.pid) == []


async def test_a_page_from_another_site_starts_no_session(sqlite_database):
    server = web_server(sqlite_database)
    mine = f"http://127.0.0.1:{server.port}"
    tab = Tab(server.port, mine)
    try:
        for origin in ("http://evil.example", None, f"http://localhost:{server.port}"):
            assert await Tab(server.port, origin).open() == 403
        assert children(server.proc.pid) == []  # refused before any process started
        assert not [line for line in server.lines if "session started" in line]
        status, page, headers = await get(server.port)
        assert status == 200 and headers["X-Frame-Options"] == "DENY"  # nor framed by one
        # The page loads nothing from another host, and says so to the browser.
        assert all(a.startswith((mine, "data:")) for a in re.findall(r'(?:src|href)="(.*?)"', page))
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert page_script_hash() in policy  # its one inline script, and no other
        assert await tab.open() == 101
        pid = int(server.wait_line(r"session started for 127\.0\.0\.1 \(pid (\d+)\)").group(1))
        await tab.close()  # the browser tab closes: its TUI ends
        server.wait_line(rf"session ended \(pid {pid}, status")
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        await tab.close()
        server.stop()


async def test_sessions_past_the_caps_are_refused_and_start_nothing(sqlite_database):
    server = web_server(sqlite_database, "--max-sessions", "2", "--max-per-address", "1")
    mine = f"http://127.0.0.1:{server.port}"
    tabs = [Tab(server.port, mine), Tab(server.port, mine, "127.0.0.2")]
    try:
        assert await tabs[0].open() == 101
        assert await Tab(server.port, mine).open() == 503  # a second from 127.0.0.1
        assert await tabs[1].open() == 101  # from elsewhere there is room
        assert await Tab(server.port, mine, "127.0.0.3").open() == 503  # a third in all
        server.wait_line(r"refused 127\.0\.0\.1: 1 sessions are open from 127\.0\.0\.1")
        server.wait_line(r"refused 127\.0\.0\.3: 2 sessions are open, as many as")
        status, text, _ = await get(server.port, source="127.0.0.3")
        assert status == 503 and "try again later" in text
        assert len(children(server.proc.pid)) == 2  # one process per tab let in, no more
        for tab in tabs:
            await tab.close()
        wait_until_no_children(server)  # every TUI ended with its websocket
        late = Tab(server.port, mine, "127.0.0.3")
        tabs.append(late)
        assert await late.open() == 101  # and the places were given back
    finally:
        for tab in tabs:
            await tab.close()
        server.stop()


async def test_the_user_header_is_believed_only_from_the_trusted_proxy(sqlite_database):
    server = web_server(
        sqlite_database, "--user-header", "X-Forwarded-User", "--trusted-proxy", "127.0.0.2"
    )
    try:
        status, body, _ = await get(server.port, {"X-Forwarded-User": "root"})
        assert status == 403 and "taken only from a trusted proxy" in body
        status, body, _ = await get(server.port, source="127.0.0.2")
        assert status == 403 and "no user in header X-Forwarded-User" in body
        status, body, _ = await get(server.port, {"X-Forwarded-User": "ann"}, "127.0.0.2")
        assert status == 200 and "Backroom" in body
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--user-header", "X-Forwarded-User"], "--user-header needs --trusted-proxy"),
        (["--host", "0.0.0.0"], "needs --public-url"),
    ],
)
def test_an_open_door_is_refused_at_start(sqlite_database, options, says):
    argv = backroom_argv(sqlite_database, "serve", "web", "--port", str(free_port()), *options)
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and says in run.stderr


@pytest.mark.parametrize(
    ("settings", "origin"),
    [
        (WebSettings("sqlite:///w.db"), "http://localhost:8000"),
        (WebSettings("sqlite:///w.db", host="127.0.0.1", port=80), "http://127.0.0.1"),
        (WebSettings("sqlite:///w.db", host="::1", port=8001), "http://[::1]:8001"),
        (
            WebSettings("sqlite:///w.db", public_url="HTTPS://WMS.example:443/br/"),
            "https://wms.example",
        ),
    ],
)
def test_the_origin_a_page_must_come_from_is_the_public_url(settings, origin):
    assert settings.origin() == origin
    assert origin_of(origin + "/") == origin


@pytest.mark.parametrize(
    ("settings", "tail"),
    [
        (WebSettings("sqlite:///w.db", user="kiosk"), "--db sqlite:///w.db --user kiosk"),
        (WebSettings("sqlite:///w.db"), "--db sqlite:///w.db --login"),
        (WebSettings("sqlite:///w.db", user="o'brien"), "--user 'o'\"'\"'brien'"),
    ],
)
def test_each_browser_tab_runs_backroom_as_its_user_or_at_the_login_screen(settings, tail):
    assert settings.command(settings.user).endswith(tail)
    assert WebSettings("sqlite:///w.db").host == "localhost"
