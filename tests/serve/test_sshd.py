"""A site that already runs OpenSSH's sshd: the README's ForceCommand setup, for real.
sshd runs on 127.0.0.1 with its own host key and authorized_keys; skipped without sshd."""

from __future__ import annotations

import getpass
import os
import shutil
import sys
from pathlib import Path

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import add_user, get_user
from backroom.models.migrations import open_database
from tests.conftest import TEST_USER
from tests.serve.conftest import SSH_OPTIONS, Server, Terminal, free_port, keypair

SSHD = Path("/usr/sbin/sshd")

# The README's snippet, with this test's paths; `Match User` stands in for the
# README's `Match Group backroom`, so the test needs no system group.
SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder}/ssh_host_ed25519_key
PidFile {folder}/sshd.pid
AuthorizedKeysFile {folder}/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes no
PermitRootLogin prohibit-password

Match User {user}
    ForceCommand {backroom}
    SetEnv BACKROOM_DB={url}
    PermitTTY yes
    AllowTcpForwarding no
    X11Forwarding no
"""


@pytest.fixture
def sshd(sqlite_database, tmp_path):
    if not SSHD.exists():
        pytest.skip("no OpenSSH server here (apt-get install openssh-server; .ci/run does)")
    backroom = Path(sys.executable).with_name("backroom")
    if not backroom.exists():
        pytest.skip(f"no backroom script beside {sys.executable}")
    login = getpass.getuser()
    open_database(sqlite_database)
    if login != TEST_USER:
        add_user(login, "operator", by=get_user(TEST_USER))
    db.close()
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
    keypair(tmp_path, "ssh_host_ed25519_key")
    key = keypair(tmp_path, "client")
    shutil.copy(tmp_path / "client.pub", tmp_path / "authorized_keys")
    port = free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        SSHD_CONFIG.format(
            port=port, folder=tmp_path, user=login, backroom=backroom, url=sqlite_database
        )
    )
    server = Server([str(SSHD), "-D", "-e", "-f", str(config)], port)
    yield port, key, login
    server.stop()


def test_sshd_with_force_command_opens_backroom_as_the_login_name(sshd):
    port, key, login = sshd
    argv = ["ssh", "-tt", "-i", str(key), "-p", str(port), *SSH_OPTIONS, f"{login}@127.0.0.1"]
    term = Terminal(argv)
    try:
        term.wait_for("Receive", login)
        term.type(b"\x11")  # Ctrl+Q: back out, and sshd closes the connection
        assert term.wait_exit() == 0
    finally:
        term.close()
