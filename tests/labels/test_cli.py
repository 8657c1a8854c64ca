"""`backroom label` as scripts use it: files, standard output, printers, batches, and
one clear line on stderr when something is wrong."""

from __future__ import annotations

import json

import pytest
from biip.checksums import gs1_standard_check_digit
from PIL import Image

from backroom.tui.cli.main import main
from tests.labels.decode import read_all, read_one
from tests.labels.pdfread import pages
from tests.labels.zplread import bc_data, bx_data, commands, formats


@pytest.fixture
def run(shop, tmp_path, monkeypatch, capsys):
    """Run `backroom --db URL [--config FILE] ARGS...` in tmp_path; (status, out, err)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    config = tmp_path / "backroom.toml"
    config.write_text('[site]\nname = "Main DC"\ngs1_company_prefix = "7613032"\n')

    def _run(*args: str, toml: str = "") -> tuple[int, str, str]:
        if toml:
            config.write_text(config.read_text() + toml)
        status = main(["--db", shop, "--user", "tester", "--config", str(config), *args])
        out, err = capsys.readouterr()
        return status, out, err

    return _run


def test_a_location_label_is_written_as_png_with_its_resolution(run, tmp_path):
    status, out, _ = run("label", "location", "A-01-01", "--dpi", "300", "--out", "bin.png")
    assert status == 0
    assert out.strip() == "Wrote 1 location label to bin.png (PNG, 100x50 mm, 300 dpi)"
    image = Image.open(tmp_path / "bin.png")
    assert round(image.info["dpi"][0]) == 300
    assert image.size == (1181, 590)
    assert read_one(image).text == "A-01-01"


def test_every_location_under_an_aisle_in_one_pdf(run, tmp_path):
    status, out, _ = run("label", "location", "A", "--under", "--format", "pdf", "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["labels"], data["files"]) == (4, ["location_A.pdf"])
    doc = pages((tmp_path / "location_A.pdf").read_bytes())
    assert [read_one(p.placed[0].image).text for p in doc] == ["A", "A-01", "A-01-01", "A-01-02"]


def test_several_pngs_are_numbered(run, tmp_path):
    status, _, _ = run("label", "item", "WIDGET", "CABLE", "--size", "100x50", "--out", "i.png")
    assert status == 0
    assert read_one(Image.open(tmp_path / "i-001.png")).text == "5901234123457"
    assert read_one(Image.open(tmp_path / "i-002.png")).text == "CABLE"


def test_zpl_to_standard_output(run):
    status, out, _ = run("label", "lot", "L-0424", "--format", "zpl", "--out", "-", "--copies", "2")
    assert status == 0
    (label,) = formats(out)
    cmds = commands(label)
    assert ("PQ", "2") in [(c.name, c.args) for c in cmds]
    # 100x50 has no room for GS1-128 at GS1's sizes: the printer makes a GS1 DataMatrix.
    fields = [cmds[i + 1].args for i, c in enumerate(cmds) if c.name == "BX"]
    assert [bx_data(f) for f in fields] == [("0105901234123457" + "17310424" + "10L-0424", True)]
    status, out, _ = run(
        "label", "lot", "L-0424", "--format", "zpl", "--size", "100x150", "--out", "-"
    )
    cmds = commands(formats(out)[0])
    fields = [cmds[i + 1].args for i, c in enumerate(cmds) if c.name == "BC"]
    assert [bc_data(f) for f in fields] == [
        ("0105901234123457", True),
        ("17310424" + "10L-0424", True),
    ]


def test_printing_on_a_configured_raw_printer(run, printer_port):
    toml = f'[printers.dock]\ntransport = "raw:127.0.0.1:{printer_port.port}"\nformat = "zpl"\n'
    status, out, _ = run("label", "serial", "SN-1", "--printer", "dock", toml=toml)
    assert status == 0
    assert out.startswith("Printed 1 serial label on dock (127.0.0.1:")
    (sent,) = printer_port.wait()
    assert len(formats(sent.decode())) == 1


def test_the_default_printer_is_used_without_out(run, tmp_path):
    (tmp_path / "drop").mkdir()
    toml = (
        '[labels]\nprinter = "drop"\n'
        f'[printers.drop]\ntransport = "dir:{tmp_path / "drop"}"\nformat = "pdf"\n'
    )
    status, out, _ = run("label", "badge", "alice", toml=toml)
    assert status == 0 and "on drop" in out
    assert len(list((tmp_path / "drop").glob("*.pdf"))) == 1


def test_the_command_sheet_and_scanner_test_need_no_database(run, tmp_path):
    assert run("label", "commands", "--format", "pdf")[0] == 0
    assert run("label", "scanner-test", "--out", "t.png")[0] == 0
    assert (tmp_path / "commands.pdf").exists()
    assert read_one(Image.open(tmp_path / "t.png")).text.startswith("Aq1Zw2My3")


def test_an_sscc_numbered_from_the_site_prefix(run, tmp_path):
    status, out, _ = run(
        "label",
        "sscc",
        "--serial",
        "110910342",
        "--to",
        "ACME",
        "--postal-code",
        "12345",
        "--json",
    )
    assert status == 0
    payload = "0" + "7613032" + "110910342"
    sscc = payload + str(gs1_standard_check_digit(payload))
    assert json.loads(out)["files"] == [f"sscc_{sscc}.png"]
    postal, code = read_all(Image.open(tmp_path / f"sscc_{sscc}.png"))
    assert (postal.fields(), code.fields()) == ([("420", "12345")], [("00", sscc)])


def test_printer_list(run):
    toml = (
        '[labels]\nprinter = "dock"\n[printers.dock]\ntransport = "raw:10.0.0.9"\nsize = "100x50"\n'
    )
    status, out, _ = run("label", "printers", "--json", toml=toml)
    assert status == 0
    assert json.loads(out) == [
        {
            "name": "dock",
            "transport": "raw:10.0.0.9",
            "format": "zpl",
            "size": "100x50",
            "dpi": None,
            "default": True,
        }
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["location", "NOPE"], "Unknown location 'NOPE'"),
        (["location"], "needs a KEY"),
        (["commands", "X"], "takes no KEY"),
        (["item", "WIDGET", "--size", "50x25"], "smallest label it fits at 203 dpi is 50x50"),
        (["location", "A", "--printer", "zebra"], "Unknown printer 'zebra'"),
        (["location", "A", "--sheet", "a4"], "Sheets of labels are for PDF"),
        (["sscc", "123"], "SSCC '123' must be 18 digits"),
    ],
)
def test_a_refused_label_is_one_line_on_stderr_and_status_1(run, tmp_path, args, message):
    status, out, err = run("label", *args)
    assert status == 1
    assert out == ""
    assert err.count("\n") == 1 and message in err
    assert not list(tmp_path.glob("*.png"))


def test_locations_on_an_a4_sheet(run, tmp_path):
    status, _, _ = run(
        "label", "location", "A", "--under", "--format", "pdf", "--sheet", "a4", "--size", "57x32"
    )
    assert status == 0
    (page,) = pages((tmp_path / "location_A.pdf").read_bytes())
    assert len(page.placed) == 4
    assert round(page.width_mm) == 210


def test_the_command_line_offers_every_kind_of_label():
    from backroom.labels.lookup import KINDS
    from backroom.tui.cli import label_cmds

    assert label_cmds.KINDS == KINDS
