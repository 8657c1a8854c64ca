"""serve ssh | serve web: Backroom's screens for people who are not at this machine."""

from __future__ import annotations

from pathlib import Path

from backroom.models.people import roles
from backroom.tui.cli.context import Context, fail, positive_number

# The servers (asyncssh, textual-serve: an optional extra) are imported where used:
# start-up time, and a missing extra is said only by the command that needs it.


def register(sub) -> None:
    serve = sub.add_parser("serve", help="serve the TUI over SSH or the web").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = serve.add_parser("ssh", help="an SSH server: one TUI per connection, keys per user")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=positive_number, default=2222)
    p.add_argument("--host-key", metavar="FILE", help="host key (made on first run)")
    p.add_argument("--max-connections", type=positive_number, metavar="N")
    p.set_defaults(func=cmd_serve_ssh)
    p = serve.add_parser("web", help="a web server (textual-serve): the TUI in a browser")
    p.add_argument("--host", default="localhost", help="address to listen on (localhost)")
    p.add_argument("--port", type=positive_number, default=8000)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--user", dest="web_user", metavar="NAME", help="everyone works as NAME")
    who.add_argument(
        "--user-header", metavar="HEADER", help="the user name an authenticating proxy sends"
    )
    p.add_argument("--public-url", metavar="URL", help="the address browsers use, behind a proxy")
    p.set_defaults(func=cmd_serve_web)


def _missing(exc: ImportError) -> int:
    return fail(f"{exc.name} is not installed: pip install 'backroom[serve]'")


def cmd_serve_ssh(ctx: Context) -> int:
    """Serve the TUI over SSH until stopped."""
    try:
        from backroom.tui.serve.ssh import DEFAULT_MAX_CONNECTIONS, SSHSettings, serve
    except ImportError as exc:
        return _missing(exc)
    ctx.open()
    roles.configure(ctx.config)
    a = ctx.args
    limit = a.max_connections or ctx.config.get(
        "serve.ssh.max_connections", DEFAULT_MAX_CONNECTIONS
    )
    settings = SSHSettings(
        db_url=ctx.db_url,
        host=a.host,
        port=a.port,
        host_key_path=Path(a.host_key) if a.host_key else None,
        max_connections=int(limit),
        password_auth=bool(ctx.config.get("serve.ssh.password_auth", False)),
        config_path=a.config,
    )
    return serve(settings)


def cmd_serve_web(ctx: Context) -> int:
    """Serve the TUI in a browser until stopped."""
    try:
        from backroom.tui.serve.web import WebSettings, serve
    except ImportError as exc:
        return _missing(exc)
    ctx.open()
    a = ctx.args
    settings = WebSettings(
        db_url=ctx.db_url,
        host=a.host,
        port=a.port,
        user=a.web_user,
        user_header=a.user_header,
        public_url=a.public_url,
        config_path=a.config,
    )
    return serve(settings)
