"""Who the command line acts as, and what each sub-command needs: the OS account by uid,
another user only with their PIN, every command's role checked before it runs.

The suite runs as root, which counts as the site's administrator (it could rewrite the
database file anyway): tests of a plain account run the real `backroom` as user nobody
(setpriv) against a database in a folder it may write.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backroom.models.db import db, sqlite_path
from backroom.models.people.roles import PERMISSIONS
from backroom.tui.cli.main import build_parser, command_parsers, main
from backroom.tui.cli.permissions import COMMANDS
from tests.tui.test_cli import Backroom, Run, isolate

SETPRIV = shutil.which("setpriv")
BACKROOM = Path(sys.executable).with_name("backroom")
NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"]
ANN_PIN = "739251"
as_root_only = pytest.mark.skipif(
    os.geteuid() != 0 or not SETPRIV or not BACKROOM.exists(),
    reason="needs root, setpriv and the installed backroom script",
)


# --- the table ----------------------------------------------------------------------------


def test_every_sub_command_the_command_line_registers_has_a_permission():
    registered = [path for path, _ in command_parsers(build_parser())]
    assert len(registered) > 50
    assert [path for path in registered if path not in COMMANDS] == []
    assert [path for path in COMMANDS if path not in registered] == []  # nothing stale
    for path, rule in COMMANDS.items():
        if not callable(rule):
            assert rule is None or rule in PERMISSIONS, path


@pytest.mark.parametrize(
    ("words", "needs"),
    [
        (["label", "badge", "ann"], "user.badge"),
        (["label", "location", "A1"], "label.print"),
        (["label", "commands"], None),
        (["import", "items", "--template"], None),
        (["import", "items", "items.csv"], "import"),
        (["audit"], "audit"),
        (["audit", "--user", "ann"], "audit.own"),
        (["audit", "--user", "bob"], "audit"),
    ],
)
def test_commands_whose_need_depends_on_their_arguments(words, needs):
    args = build_parser().parse_args(words)
    rule = COMMANDS[args.command_path]
    assert callable(rule)
    assert rule(args, "ann") == needs
    assert needs is None or needs in PERMISSIONS


def test_a_sub_command_without_a_permission_is_refused(staffed, monkeypatch):
    monkeypatch.delitem(COMMANDS, "stock")
    run = staffed("stock")
    assert run.code == 1
    assert run.err == "backroom: 'backroom stock' has no permission defined: it is refused\n"


# --- roles, as the site's administrator naming people (in this process) -------------------


@pytest.fixture
def staffed(sqlite_url, capsys, tmp_path, monkeypatch) -> Backroom:
    """FLOUR on shelf A1; tester (an admin), ann (an operator), lee (a lead), root (an
    admin) and old (a lead, deactivated)."""
    isolate(tmp_path, monkeypatch)
    cli = Backroom(sqlite_url, capsys)
    cli.ok("init")
    cli.ok("item", "add", "FLOUR", "--name", "Wheat flour")
    cli.ok("location", "add", "A1")
    cli.ok("receive", "FLOUR", "100", "--to", "A1")
    for name, role in (("ann", "operator"), ("lee", "lead"), ("root", "admin"), ("old", "lead")):
        cli.ok("user", "add", name, "--role", role)
    cli.ok("user", "deactivate", "old")
    return cli


@pytest.mark.parametrize(
    ("words", "refusal"),
    [
        (["backup", "copy.db"], "User ann is an operator: backing up the database needs a lead"),
        (["export", "stock"], "User ann is an operator: exporting data needs a lead"),
        (["audit"], "User ann is an operator: reading the audit trail needs a lead"),
        (
            ["trace-events", "--from", "2026-01-01", "--to", "2026-12-31"],
            "User ann is an operator: reading lot events needs a lead",
        ),
        (["import", "items", "x.csv"], "User ann is an operator: importing data needs a lead"),
    ],
)
def test_an_operator_cannot_back_up_export_or_read_everyones_history(staffed, words, refusal):
    run = staffed(*words, user="ann")
    assert (run.code, run.out, run.err) == (1, "", f"backroom: {refusal}\n")
    assert not Path("copy.db").exists()


def test_an_operator_reads_their_own_audit_trail_and_a_lead_everyones(staffed):
    assert staffed("receive", "FLOUR", "2", "--to", "A1", user="ann").code == 0
    own = staffed("audit", "--user", "ann", "--json", user="ann")
    assert own.code == 0
    assert {line["user"] for line in json.loads(own.out)} == {"ann"}
    every = staffed("audit", "--json", user="lee")
    assert every.code == 0
    assert {"tester", "ann"} <= {x["user"] for x in json.loads(every.out)}


def test_a_restore_needs_an_admin(staffed):
    run = staffed("restore", "backup.db", user="lee")
    assert run.err == "backroom: User lee is a lead: restoring a backup needs an admin\n"


def test_an_unknown_or_deactivated_user_can_do_nothing_not_even_look(staffed):
    unknown = staffed("stock", user="ghost")
    assert unknown.code == 1 and unknown.err.startswith("backroom: Unknown user 'ghost'")
    gone = staffed("stock", user="old")
    assert (gone.code, gone.err) == (1, "backroom: User 'old' is deactivated\n")


def test_where_the_site_allows_it_an_unknown_user_may_look_but_not_post(staffed, tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('[access]\nunknown_users = "read-only"\n')
    looks = staffed("--config", str(config), "stock", "--json", user="ghost")
    assert looks.code == 0 and [r["item"] for r in json.loads(looks.out)] == ["FLOUR"]
    audit = staffed("--config", str(config), "audit", user="ghost")
    assert audit.err == "backroom: Unknown user 'ghost': reading the audit trail needs a lead\n"
    posts = staffed("--config", str(config), "receive", "FLOUR", "1", "--to", "A1", user="ghost")
    assert posts.code == 1 and "receiving stock needs an operator" in posts.err


# --- a plain OS account (user nobody) -------------------------------------------------------


class Nobody:
    """Runs the installed `backroom` as OS user nobody (uid 65534) on a copy of a
    database in a folder that account may write; several at once, as they are started."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.url = url

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        base = {k: v for k, v in os.environ.items() if not k.startswith("BACKROOM_")}
        folder = str(self.folder)
        home = {"HOME": folder, "XDG_CONFIG_HOME": folder, "XDG_STATE_HOME": folder}
        return subprocess.Popen(
            [SETPRIV, *NOBODY, str(BACKROOM), "--db", self.url, *args],
            cwd=self.folder,
            env={**base, **home, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def finish(proc: subprocess.Popen) -> Run:
        try:
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return Run(proc.returncode, out, err)


def _shared_copy(cli: Backroom) -> Iterator[tuple[Path, str]]:
    """A copy of CLI's database that user nobody may read and write."""
    db.close()
    folder = Path(tempfile.mkdtemp(prefix="backroom-id-"))
    try:
        folder.chmod(0o777)
        copy = folder / "backroom.db"
        shutil.copy(sqlite_path(cli.url), copy)
        copy.chmod(0o666)
        (folder / "ann.toml").write_text('[accounts]\nnobody = "ann"\n')
        yield folder, f"sqlite:///{copy}"
    finally:
        db.close()
        shutil.rmtree(folder)


@pytest.fixture
def nobody(staffed) -> Iterator[Nobody]:
    _set_pin(staffed, "ann", ANN_PIN)
    for folder, url in _shared_copy(staffed):
        yield Nobody(folder, url)


def _set_pin(cli: Backroom, name: str, pin: str) -> None:
    from backroom.models.masterdata.adding import get_user
    from backroom.models.migrations import open_database
    from backroom.models.people.users import set_pin

    open_database(cli.url)
    try:
        set_pin(name, pin, by=get_user("tester"))
    finally:
        db.close()


@pytest.mark.slow
@as_root_only
def test_a_plain_account_is_who_its_uid_says_whatever_it_claims(nobody, capsys):
    out = str(nobody.folder / "out.db")
    mapped = ["--config", str(nobody.folder / "ann.toml")]
    receive = ["receive", "FLOUR", "5", "--to", "A1", "--ref"]
    # A folder of nobody's own, holding links to the database: still root's file.
    own = nobody.folder / "own"
    own.mkdir()
    os.chown(own, 65534, 65534)
    (own / "soft.db").symlink_to(sqlite_path(nobody.url))
    os.link(sqlite_path(nobody.url), own / "hard.db")
    runs = {
        "symlink": nobody.start("--db", f"sqlite:///{own / 'soft.db'}", "--user", "root", "stock"),
        "hard link": nobody.start(
            "--db", f"sqlite:///{own / 'hard.db'}", "--user", "root", "stock"
        ),
        "--user root": nobody.start("--user", "root", "backup", out),
        "BACKROOM_USER": nobody.start("backup", out, BACKROOM_USER="root"),
        "LOGNAME": nobody.start("backup", out, LOGNAME="root", USER="root"),
        "export": nobody.start("export", "items"),
        "audit": nobody.start("audit"),
        "stock": nobody.start("stock"),
        "mapped": nobody.start(*mapped, *receive, "MAPPED", LOGNAME="root", USER="root"),
        "mapped, --user root": nobody.start(*mapped, "--user", "root", *receive, "ROOT"),
        "right PIN": nobody.start("--user", "ann", *receive, "PIN", BACKROOM_PIN=ANN_PIN),
        "wrong PIN": nobody.start("--user", "ann", *receive, "WRONG", BACKROOM_PIN="111111"),
    }
    done = {name: Nobody.finish(proc) for name, proc in runs.items()}
    needs_pin = "backroom: Acting as root needs root's PIN: type it on a terminal, or give it in "
    assert done["--user root"].err == needs_pin + "BACKROOM_PIN\n"
    assert done["BACKROOM_USER"].err == needs_pin + "BACKROOM_PIN\n"
    for name in ("mapped, --user root", "symlink", "hard link"):
        assert done[name].err == needs_pin + "BACKROOM_PIN\n", name
    for name in ("LOGNAME", "export", "audit", "stock"):
        assert done[name].code == 1, name
        assert done[name].err.startswith("backroom: Unknown user 'nobody'"), (name, done[name])
    assert done["wrong PIN"].err == "backroom: Wrong name or PIN\n"
    assert (done["mapped"].code, done["right PIN"].code) == (0, 0)
    assert not Path(out).exists()

    # What the database kept, read as the site's administrator: each act by ann, who
    # proved it; the wrong PIN logged against her name; nothing done as root.
    code = main(["--db", nobody.url, "--user", "tester", "audit", "--json", "--limit", "1000"])
    lines = json.loads(capsys.readouterr().out)
    assert code == 0
    moves = {x["detail"]: x["user"] for x in lines if x["source"] == "move"}
    assert moves["ref MAPPED"] == "ann" and moves["ref PIN"] == "ann"
    assert "ref ROOT" not in moves and "ref WRONG" not in moves
    assert [x["what"] for x in lines if x["kind"] == "user.pin_failed"] == ["ann"]
    assert not [x for x in lines if x["user"] == "root"]


def _on_a_terminal(argv: list[str], env: dict[str, str], answer: bytes) -> tuple[int, str]:
    """Run ARGV on a pseudo-terminal of its own; type ANSWER at the PIN prompt. Returns
    the exit status and everything it wrote."""
    from backroom.tui.serve.tui_session import take_terminal

    master, slave = os.openpty()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, preexec_fn=take_terminal
    )
    os.close(slave)
    seen, answered = b"", False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], deadline - time.monotonic())
            try:
                chunk = os.read(master, 4096) if ready else b""
            except OSError:  # the other end is closed: the program has ended
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"PIN of" in seen:
                os.write(master, answer)
                answered = True
        return proc.wait(timeout=30), seen.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


@as_root_only
def test_a_plain_account_cannot_replay_the_servers_hand_off(nobody):
    """`serve ssh` and `serve web` start `backroom --user NAME` (the TUI) as their own
    account; the same command run by anyone else asks on its terminal for NAME's PIN, and
    a wrong one is refused before the TUI opens."""
    import shlex

    from backroom.tui.serve.ssh import SSHSettings
    from backroom.tui.serve.web import WebSettings

    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKROOM_")}
    folder = str(nobody.folder)
    env.update(HOME=folder, XDG_CONFIG_HOME=folder, XDG_STATE_HOME=folder, TERM="xterm")
    for command in (
        SSHSettings(db_url=nobody.url).command_for("ann"),
        shlex.split(WebSettings(db_url=nobody.url).command("ann")),
    ):
        status, seen = _on_a_terminal([SETPRIV, *NOBODY, *command], env, b"000000\n")
        assert status == 1, seen
        assert "PIN of ann:" in seen and "Wrong name or PIN" in seen


@as_root_only
def test_serving_needs_the_databases_own_account(nobody):
    run = Nobody.finish(nobody.start("serve", "ssh", "--port", "1"))
    assert run.code == 1
    assert run.err.startswith("backroom: Serving needs the database's own account")


# --- PostgreSQL roles ---------------------------------------------------------------------


@pytest.fixture
def clerk_role(pg_url, capsys, tmp_path, monkeypatch) -> Iterator[tuple[Backroom, str, str]]:
    """A Backroom database on PostgreSQL with ann (an operator), and a login role of its
    own (not the tables' owner) that may read and write them: (cli, role, its URL)."""
    import uuid
    from urllib.parse import urlparse, urlunparse

    import psycopg2

    from tests.tui.test_cli import isolate

    isolate(tmp_path, monkeypatch)
    cli = Backroom(pg_url, capsys)
    cli.ok("init")
    cli.ok("item", "add", "FLOUR", "--name", "Wheat flour")
    cli.ok("location", "add", "A1")
    cli.ok("user", "add", "ann", "--role", "operator")
    role = "clerk_" + uuid.uuid4().hex[:8]
    grants = (
        f"CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA public TO {role}; "
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}; "
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}"
    )
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(grants)
        parsed = urlparse(pg_url)
        url = urlunparse(parsed._replace(netloc=f"{role}@{parsed.hostname}:{parsed.port}"))
        yield cli, role, url
    finally:
        db.close()
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                (role,),
            )
            cur.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
        admin.close()


@pytest.mark.postgres
def test_a_database_role_acts_as_the_backroom_user_mapped_to_it(clerk_role, tmp_path):
    cli, role, url = clerk_role
    config = tmp_path / "roles.toml"
    config.write_text(f'[database_roles]\n{role} = "ann"\n')
    # No --user: this process's OS account is root, but the connection is the clerk's,
    # and on PostgreSQL the connection decides.
    posted = _main(
        cli.capsys, "--db", url, "--config", str(config), "receive", "FLOUR", "4", "--to", "A1"
    )
    assert (posted.code, posted.err) == (0, ""), posted
    (move,) = [m for m in cli.ledger() if m["kind"] == "receipt"]
    assert (move["user"], move["qty"]) == ("ann", 4)
    # Unmapped, the role is the user of its own name, whom Backroom does not know.
    unmapped = _main(cli.capsys, "--db", url, "stock")
    assert unmapped.code == 1 and unmapped.err.startswith(f"backroom: Unknown user '{role}'")


def _main(capsys, *argv: str) -> Run:
    """`backroom ARGV` in this process, with no --user."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    finally:
        db.close()
    out, err = capsys.readouterr()
    return Run(code, out, err)


@pytest.mark.postgres
@as_root_only
def test_only_the_owner_role_names_another_user_without_a_pin(clerk_role, tmp_path):
    cli, _, url = clerk_role
    folder = Path(tempfile.mkdtemp(prefix="backroom-pg-"))
    try:
        folder.chmod(0o777)
        as_clerk = Nobody(folder, url).start("--user", "tester", "stock")
        as_owner = Nobody(folder, cli.url).start("--user", "tester", "stock", "--json")
        clerk, owner = Nobody.finish(as_clerk), Nobody.finish(as_owner)
    finally:
        shutil.rmtree(folder)
    assert clerk.code == 1 and clerk.err.startswith("backroom: Acting as tester needs tester's PIN")
    assert (owner.code, owner.err, json.loads(owner.out)) == (0, "", [])
