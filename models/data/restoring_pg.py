"""Restoring a pg_dump backup into PostgreSQL, losing nothing silently.

pg_restore --clean drops and recreates every table, which no lock that Backroom's
sessions take could keep out; so restore waits (bounded) until no other session is
connected and refuses otherwise, naming them, --force or not. What the live database
has after the backup's last move is kept in a side file next to the backup and
recorded in the restored database, whose new generation tells any session that
posted in between.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from backroom.models.data.restored import current_generation, restores_since
from backroom.models.data.restoring import (
    BackupPoint,
    Discarded,
    RestoreJob,
    file_sha256,
    keep_discarded,
    measure_discarded,
    record_restore,
    refuse_discarding,
)
from backroom.models.db import db
from backroom.models.errors import Refused
from backroom.models.schema import utcnow

# How often restore looks again whether the other sessions have gone.
POLL_S = 0.2


def tool(name: str) -> str:
    """The path of a PostgreSQL client tool, refused with how to install it."""
    found = shutil.which(name)
    if found is None:
        raise Refused(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)"
        )
    return found


def run(command: list[str], doing: str) -> str:
    """Run COMMAND; its output, or refused with its first line of complaint."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[0] if detail else f"exit status {done.returncode}"
        raise Refused(f"{doing} failed: {reason}")
    return done.stdout


def label(url: str) -> str:
    """The database as a person may see it: the file, or the URL without its password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    head, _, tail = url.partition("://")
    return f"{head}://{tail.rsplit('@', 1)[-1]}"


def other_sessions(url: str) -> list[str]:
    """Who else is connected to the database at URL, and doing what."""
    import psycopg2

    try:
        conn = psycopg2.connect(url)
    except psycopg2.Error as exc:
        raise Refused(f"Cannot reach {label(url)}: {str(exc).strip().splitlines()[0]}") from exc
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT usename, coalesce(client_addr::text, 'local'), application_name, "
                "state, left(query, 60) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid"
            )
            rows = cur.fetchall()
    finally:
        conn.close()
    return [
        f"{user} from {addr}{f' ({app})' if app else ''}, {state or '?'}"
        + (f": {query}" if state == "active" else "")
        for user, addr, app, state, query in rows
    ]


def wait_until_alone(url: str, wait: float) -> None:
    """Return once no other session is connected; refused, naming them, after WAIT s."""
    deadline = time.monotonic() + wait
    while others := other_sessions(url):
        if time.monotonic() >= deadline:
            named = "; ".join(others[:5]) + (
                f" and {len(others) - 5} more" if len(others) > 5 else ""
            )
            raise Refused(
                f"The database is in use by {len(others)} other session"
                f"{'s' if len(others) > 1 else ''} ({named}); nothing was restored. A "
                "PostgreSQL restore replaces every table, so it waits until they close "
                "(--force does not change that): close them, or give --wait SECONDS"
            )
        time.sleep(POLL_S)


def _copy_rows(dump: Path, table: str) -> tuple[list[str], list[list[str]]]:
    """The columns and rows (as text) of TABLE in the pg_dump file DUMP."""
    text = run(
        [tool("pg_restore"), "--data-only", f"--table={table}", "--file=-", str(dump)],
        "pg_restore",
    )
    columns: list[str] = []
    rows: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("COPY ") and line.endswith("FROM stdin;"):
            inside = True
            columns = [c.strip().strip('"') for c in line.split("(", 1)[1].split(")")[0].split(",")]
        elif line == "\\.":
            inside = False
        elif inside:
            rows.append(line.split("\t"))
    return columns, rows


def dump_point(dump: Path) -> tuple[int, str, int]:
    """The backup's last move id and hash, and its last event id."""
    columns, rows = _copy_rows(dump, "ledger_head")
    last_id, last_hash = 0, ""
    if rows:
        head = dict(zip(columns, rows[0], strict=False))
        last_id, last_hash = int(head["last_id"]), head["last_hash"]
    columns, rows = _copy_rows(dump, "event")
    at = columns.index("id") if "id" in columns else 0
    last_event = max((int(row[at]) for row in rows), default=0)
    return last_id, last_hash, last_event


def restore_postgres(job: RestoreJob, url: str) -> Discarded:
    """Put JOB's pg_dump backup in place of the database at URL; what it discarded."""
    from backroom.models.migrations import open_database

    last_move, last_hash, last_event = dump_point(job.backup)
    wait_until_alone(url, job.wait)
    open_database(url)
    try:
        live = db.execute_sql('SELECT "hash" FROM "move" WHERE "id" = %s', (last_move,)).fetchone()
        # A backup from another history than this ledger's: every move it lacks goes.
        kept = last_move if (last_move == 0 or (live and live[0] == last_hash)) else 0
        found = measure_discarded(kept, last_event)
        live_generation = current_generation()
        earlier = restores_since(0)
        if (found.moves or found.events) and not job.force:
            raise refuse_discarding(found)
        if found.moves or found.events:
            stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
            keep_discarded(found, job.backup.with_name(f"{job.backup.name}.discarded-{stamp}"))
    finally:
        db.close()
    command = [tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    command += ["--single-transaction", "--exit-on-error", f"--dbname={url}", str(job.backup)]
    run(command, "pg_restore")
    open_database(url)
    try:
        times = db.execute_sql(
            'SELECT (SELECT max("time") FROM "move"), (SELECT max("time") FROM "event")'
        ).fetchone()
        point = BackupPoint(
            last_move, max((t for t in times if t), default=None), current_generation()
        )
        with db.atomic():
            sha256 = file_sha256(job.backup)
            record_restore(
                point,
                found,
                backup=job.backup,
                sha256=sha256,
                user=job.user,
                live=live_generation,
                earlier=earlier,
            )
    finally:
        db.close()
    return found
