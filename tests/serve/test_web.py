"""`backroom serve web`: bound to localhost, and who works there is decided per request."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from backroom.tui.serve.web import WebSettings
from tests.serve.conftest import Server, backroom_argv, free_port


def get(port: int, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_behind_a_proxy_a_request_without_the_user_header_is_refused(sqlite_database):
    port = free_port()
    argv = backroom_argv(sqlite_database, "serve", "web", "--host", "127.0.0.1")
    server = Server([*argv, "--port", str(port), "--user-header", "X-Forwarded-User"], port)
    try:
        status, body = get(port)
        assert status == 403 and "no user in header X-Forwarded-User" in body
        status, body = get(port, {"X-Forwarded-User": "ann"})
        assert status == 200 and "Backroom" in body
    finally:
        server.stop()


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
