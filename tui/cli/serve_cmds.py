"""serve ssh | serve web: Backroom's screens for people who are not at this machine."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from backroom.models.people import roles
from backroom.tui.cli.context import Context, fail, positive_number, whole_number

# The servers (asyncssh, textual-serve: an optional extra) are imported where used:
# start-up time, and a missing extra is said only by the command that needs it.


def register(sub) -> None:
    serve = sub.add_parser("serve", help="serve the TUI over SSH or the web").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    _ssh(serve)
    _web(serve)


def _ssh(serve) -> None:
    p = serve.add_parser(
        "ssh",
        help="an SSH server: one TUI per connection, keys per user",
        epilog="backroom serve ssh\nbackroom serve ssh --host 0.0.0.0 --port 2222 "
        "--max-connections 40",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=positive_number, default=2222, help="TCP port to listen on")
    p.add_argument("--host-key", metavar="FILE", help="host key (made on first run)")
    p.add_argument("--max-connections", type=positive_number, metavar="N", help="in all (20)")
    p.add_argument(
        "--max-unauthenticated",
        type=positive_number,
        metavar="N",
        help="of those, how many may be still logging in (half); the rest is for people in",
    )
    p.add_argument(
        "--login-grace",
        type=positive_number,
        metavar="SECONDS",
        help="a connection not logged in by then is closed (30)",
    )
    p.add_argument(
        "--hold",
        type=whole_number,
        metavar="SECONDS",
        help="a dropped connection's screen is kept this long for its user to take up "
        "again on reconnecting; 0: not kept (900)",
    )
    p.add_argument(
        "--max-held",
        type=positive_number,
        metavar="N",
        help="held sessions in all; past that the oldest held one ends (20)",
    )
    p.add_argument(
        "--max-held-per-user",
        type=positive_number,
        metavar="N",
        help="held sessions per user; past that their oldest held one ends (2)",
    )
    p.add_argument(
        "--keepalive",
        type=positive_number,
        metavar="SECONDS",
        help="an SSH keepalive this often; a client missing 3 has dropped (10)",
    )
    p.set_defaults(func=cmd_serve_ssh)


def _web(serve) -> None:
    p = serve.add_parser(
        "web",
        help="a web server (textual-serve): the TUI in a browser",
        epilog="backroom serve web --user kiosk\n"
        "backroom serve web --user-header X-Remote-User --trusted-proxy 127.0.0.1 "
        "--public-url https://backroom.example.com",
    )
    p.add_argument("--host", default="localhost", help="address to listen on")
    p.add_argument("--port", type=positive_number, default=8000, help="TCP port to listen on")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--user", dest="web_user", metavar="NAME", help="everyone works as NAME")
    who.add_argument(
        "--user-header",
        metavar="HEADER",
        help="the user name an authenticating proxy sends; believed only from --trusted-proxy "
        "(without one, the server refuses to start)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        type=proxy_address,
        metavar="ADDR",
        help="the proxy --user-header is taken from (repeatable; an address or a network); "
        "--user-header needs at least one",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use (http://HOST:PORT); pages from any other are refused",
    )
    p.add_argument("--max-sessions", type=positive_number, metavar="N", help="tabs in all (20)")
    p.add_argument(
        "--max-per-address", type=positive_number, metavar="N", help="tabs per client address (4)"
    )
    p.set_defaults(func=cmd_serve_web)


def proxy_address(text: str) -> str:
    """A proxy's address or network, such as 127.0.0.1 or 10.0.0.0/24."""
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an address or a network") from None


def _missing(exc: ImportError) -> int:
    return fail(f"{exc.name} is not installed: pip install 'backroom[serve]'")


def cmd_serve_ssh(ctx: Context) -> int:
    """Serve the TUI over SSH until stopped."""
    try:
        from backroom.tui.serve import ssh
    except ImportError as exc:
        return _missing(exc)
    ctx.open()
    roles.configure(ctx.config)
    a = ctx.args

    def setting(option: object, key: str, default: object) -> object:
        return option or ctx.config.get(f"serve.ssh.{key}", default)

    try:
        settings = ssh.SSHSettings(
            db_url=ctx.db_url,
            host=a.host,
            port=a.port,
            host_key_path=Path(a.host_key) if a.host_key else None,
            max_connections=_count(
                setting(a.max_connections, "max_connections", ssh.DEFAULT_MAX_CONNECTIONS)
            ),
            max_waiting=_count(setting(a.max_unauthenticated, "max_unauthenticated", 0), 0) or None,
            max_waiting_per_address=_count(
                setting(None, "max_unauthenticated_per_address", ssh.DEFAULT_WAITING_PER_ADDRESS)
            ),
            drop_idle_after=_count(setting(None, "drop_idle_after_seconds", 1), 0),
            login_grace=_count(
                setting(a.login_grace, "login_grace_seconds", ssh.DEFAULT_LOGIN_GRACE)
            ),
            hold_seconds=_count(
                a.hold
                if a.hold is not None
                else ctx.config.get("serve.ssh.hold_seconds", ssh.DEFAULT_HOLD_SECONDS),
                0,
            ),
            max_held=_count(setting(a.max_held, "max_held", ssh.DEFAULT_MAX_HELD)),
            max_held_per_user=_count(
                setting(a.max_held_per_user, "max_held_per_user", ssh.DEFAULT_MAX_HELD_PER_USER)
            ),
            control_dir=Path(ctx.config.get("serve.control_dir"))
            if ctx.config.get("serve.control_dir")
            else None,
            keepalive_seconds=_count(
                setting(a.keepalive, "keepalive_seconds", ssh.DEFAULT_KEEPALIVE_SECONDS)
            ),
            password_auth=bool(ctx.config.get("serve.ssh.password_auth", False)),
            failures_per_minute=_count(
                setting(None, "failed_logins_per_minute", ssh.DEFAULT_FAILURES_PER_MINUTE)
            ),
            failed_login_window=_count(
                setting(None, "failed_login_window_seconds", ssh.FAILED_LOGIN_WINDOW)
            ),
            config_path=a.config,
        )
    except ValueError as exc:
        return fail(f"[serve.ssh] {exc}")
    return ssh.serve(settings)


def _count(value: object, least: int = 1) -> int:
    """A whole number from an option or the config file, at least LEAST."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{value!r} is not a whole number of at least {least}")
    return value


def cmd_serve_web(ctx: Context) -> int:
    """Serve the TUI in a browser until stopped."""
    from backroom.tui.serve.limits import WILDCARD_HOSTS

    a = ctx.args
    proxies = tuple(a.trusted_proxy or ctx.config.get("serve.web.trusted_proxies", []))
    if a.user_header and not proxies:
        return fail(
            "--user-header needs --trusted-proxy ADDR: the header is believed only from "
            "the proxy that authenticates (any local program could send it)"
        )
    if a.host in WILDCARD_HOSTS and not a.public_url:
        return fail(f"--host {a.host!r} needs --public-url: the address browsers open")
    try:
        from backroom.tui.serve.web import WebSettings, serve
    except ImportError as exc:
        return _missing(exc)
    ctx.open()
    try:
        settings = WebSettings(
            db_url=ctx.db_url,
            host=a.host,
            port=a.port,
            user=a.web_user,
            user_header=a.user_header,
            public_url=a.public_url,
            config_path=a.config,
            trusted_proxies=tuple(proxy_address(str(p)) for p in proxies),
            max_sessions=_count(a.max_sessions or ctx.config.get("serve.web.max_sessions", 20)),
            max_per_address=_count(
                a.max_per_address or ctx.config.get("serve.web.max_sessions_per_address", 4)
            ),
        )
    except (ValueError, argparse.ArgumentTypeError) as exc:
        return fail(f"[serve.web] {exc}")
    return serve(settings)
