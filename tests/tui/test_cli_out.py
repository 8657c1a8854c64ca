"""Every --out of the command line is checked the same way before anything is made: a
folder, a missing folder and an existing file (without --force) are one-line refusals
(exit 1) and nothing is written; the files an import reads must be regular files."""

from __future__ import annotations

import os

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location
from backroom.models.stock.operations import receive
from tests.conftest import TEST_USER
from tests.tui.test_cli import Backroom, isolate

OLD = "kept as it was\n"


@pytest.fixture
def cli(sqlite_database, capsys, tmp_path, monkeypatch) -> Backroom:
    """A shop with stock, a carrier and a shipment, run from tmp_path."""
    isolate(tmp_path, monkeypatch)
    add_item(ItemSpec("FLOUR", "Wheat flour", unit="g"))
    add_location("A1")
    receive("FLOUR", 1200, "A1", user=TEST_USER)
    db.close()
    run = Backroom(sqlite_database, capsys)
    run.ok("carrier", "add", "DHL", "--name", "DHL Freight")
    run.ok(
        "consignee", "add", "Corner Shop", "--address", "1 High St",
        "--postal-code", "9000", "--city", "Ghent", "--country", "BE",
    )  # fmt: skip
    run.shipment = run.ok("shipment", "create", "--consignee", "Corner Shop").out.strip()
    return run


# Each command with its --out, and what it writes there.
COMMANDS = {
    "export": ("export", "stock"),
    "label": ("label", "location", "A1"),
    "document": ("shipment", "document", "{shipment}", "packing-list"),
    "manifest": ("manifest", "DHL", "--format", "csv"),
    "trace-events": ("trace-events", "--from", "2000-01-01", "--to", "2099-12-31"),
}


def _args(cli: Backroom, name: str) -> list[str]:
    return [a.format(shipment=cli.shipment) for a in COMMANDS[name]]


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if "data" not in p.parts)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_folder_a_missing_folder_or_an_existing_file_is_refused(cli, tmp_path, name):
    (tmp_path / "reports").mkdir()
    target = tmp_path / "report.out"
    target.write_text(OLD)
    before = _files(tmp_path)
    for out, said in (
        ("reports", "reports is a folder: give --out a file name in it"),
        ("reports/", "reports/ is a folder: give --out a file name in it"),
        ("nowhere/x.out", "The folder nowhere of --out nowhere/x.out does not exist"),
        ("report.out", "report.out exists: add --force to overwrite it"),
    ):
        run = cli(*_args(cli, name), "--out", out)
        assert (run.code, run.out, run.err) == (1, "", f"backroom: {said}\n"), name
    assert _files(tmp_path) == before
    assert target.read_text() == OLD
    run = cli(*_args(cli, name), "--out", "report.out", "--force")
    assert run.code == 0, run
    assert target.read_bytes() != OLD.encode()
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert _files(tmp_path) == before  # replaced in place: no part file left


def test_a_link_at_the_out_is_not_written_through_even_with_force(cli, tmp_path):
    victim = tmp_path / "zz.pth"
    victim.write_text(OLD)
    (tmp_path / "stock.csv").symlink_to(victim)
    run = cli("export", "stock", "--out", "stock.csv", "--force")
    assert run.code == 1
    assert run.err == (
        "backroom: stock.csv is not a regular file: it is not overwritten even with --force\n"
    )
    assert victim.read_text() == OLD


def test_force_without_out_is_refused(cli):
    run = cli("export", "stock", "--force")
    assert (run.code, run.out, run.err) == (1, "", "backroom: --force goes with --out FILE\n")


@pytest.mark.parametrize(
    ("path", "said"),
    [("/dev/zero", "/dev/zero is not a regular file"), (".", ". is a folder, not a file")],
)
def test_import_reads_regular_files_only(cli, path, said):
    run = cli("import", "items", path)
    assert (run.code, run.out, run.err) == (1, "", f"backroom: {said}\n")


def test_an_operator_cannot_export(cli, tmp_path):
    cli.ok("user", "add", "olga", "--role", "operator")
    run = cli("export", "stock", "--out", "stock.csv", user="olga")
    assert (run.code, run.err) == (
        1,
        "backroom: User olga is an operator: exporting data needs a lead\n",
    )
    assert not (tmp_path / "stock.csv").exists()
