"""Printer profiles from the configuration, and the ways a job reaches a printer: raw
TCP (against a listener on 127.0.0.1), CUPS through `lp`, and a folder."""

from __future__ import annotations

import io
import os
import socket
import stat

import pytest
from PIL import Image

from backroom.labels import jobs
from backroom.labels.content import LocationContent
from backroom.labels.printers import PrinterError, get_printer, load_printers
from backroom.labels.sizes import LabelSize
from backroom.models.config import Config
from tests.labels.conftest import closed_port
from tests.labels.decode import read_one
from tests.labels.zplread import formats

LABELS = [LocationContent("A-01-01"), LocationContent("A-01-02")]


def config(**printers) -> Config:
    return Config({"printers": printers, "labels": {"printer": next(iter(printers), None)}})


def test_profiles_are_read_with_their_format_size_and_resolution():
    cfg = config(
        dock={"transport": "raw:10.0.4.21:9100", "format": "zpl", "size": "100x50", "dpi": 203},
        office={"transport": "cups:Office_Laser", "format": "pdf", "dpi": 600},
        drop={"transport": "dir:/srv/labels", "format": "png"},
    )
    printers = load_printers(cfg)
    assert list(printers) == ["dock", "drop", "office"]
    dock = printers["dock"]
    assert (dock.transport, dock.host_port(), dock.size, dock.dpi) == (
        "raw",
        ("10.0.4.21", 9100),
        LabelSize(100, 50),
        203,
    )
    assert printers["office"].target == "Office_Laser"
    assert printers["drop"].size is None


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"transport": "lpr:x"}, "must be cups:QUEUE, raw:HOST:PORT or dir:PATH"),
        ({"transport": "raw:"}, "must be cups:QUEUE"),
        ({"transport": "raw:h:9100", "format": "bmp"}, "format 'bmp'"),
        ({"transport": "raw:h:9100", "dpi": 150}, "150 dpi"),
        ({"transport": "raw:h:9100", "size": "big"}, "not WIDTHxHEIGHT"),
        ({"transport": "raw:h:port"}, "not HOST:PORT"),
    ],
)
def test_a_broken_profile_says_which_printer_and_what(profile, message):
    with pytest.raises(PrinterError, match=message) as info:
        load_printers(config(dock=profile))
    assert "printers.dock" in str(info.value) or "dock" in str(info.value)


def test_an_unknown_printer_lists_the_known_ones():
    with pytest.raises(PrinterError, match=r"Unknown printer 'zebra' \(printers: dock\)"):
        get_printer(config(dock={"transport": "raw:h"}), "zebra")


def test_settings_come_from_options_then_the_printer_then_the_configuration():
    cfg = Config(
        {
            "printers": {"dock": {"transport": "raw:h", "format": "zpl", "size": "57x32"}},
            "labels": {"dpi": 300, "sizes": {"location": "100x150"}},
        }
    )
    plain = jobs.settings_for(cfg, "location")
    assert (plain.format, str(plain.size), plain.dpi) == ("png", "100x150", 300)
    dock = jobs.settings_for(cfg, "location", printer="dock")
    assert (dock.format, str(dock.size), dock.dpi) == ("zpl", "57x32", 300)
    told = jobs.settings_for(cfg, "location", printer="dock", format="pdf", size="50x25", dpi=600)
    assert (told.format, str(told.size), told.dpi) == ("pdf", "50x25", 600)
    assert str(jobs.settings_for(cfg, "sscc").size) == "100x150"


def test_zpl_goes_over_raw_tcp_in_one_job_with_the_copies(printer_port):
    cfg = config(dock={"transport": f"raw:127.0.0.1:{printer_port.port}", "format": "zpl"})
    job = jobs.settings_for(cfg, "location", printer="dock", copies=3)
    where = jobs.print_labels(LABELS, job)
    assert where == f"127.0.0.1:{printer_port.port}"
    (sent,) = printer_port.wait()
    assert sent == jobs.render(LABELS, job)[0]
    assert len(formats(sent.decode())) == 2
    assert sent.count(b"^PQ3") == 2


def test_png_over_raw_tcp_is_sent_once_per_copy(printer_port):
    cfg = config(dock={"transport": f"raw:127.0.0.1:{printer_port.port}", "format": "png"})
    job = jobs.settings_for(cfg, "location", printer="dock", copies=2)
    jobs.print_labels(LABELS[:1], job)
    sent = printer_port.wait(2)
    assert len(sent) == 2 and all(s.startswith(b"\x89PNG") for s in sent)


def test_a_printer_nobody_answers_at_is_a_clear_error():
    cfg = config(dock={"transport": f"raw:127.0.0.1:{closed_port()}", "format": "zpl"})
    job = jobs.settings_for(cfg, "location", printer="dock")
    with pytest.raises(PrinterError, match=r"Printer dock at 127.0.0.1:\d+ refused"):
        jobs.print_labels(LABELS, job)


def test_a_printer_that_never_answers_times_out_with_a_clear_error():
    # A listener that never accepts, its one-connection backlog taken: the next
    # connection waits, as for a printer that is off.
    with socket.socket() as busy, socket.create_connection(_listen(busy), timeout=1):
        cfg = config(dock={"transport": f"raw:127.0.0.1:{busy.getsockname()[1]}", "timeout": 0.3})
        job = jobs.settings_for(cfg, "location", printer="dock")
        with pytest.raises(PrinterError, match=r"did not answer within 0.3 s"):
            jobs.print_labels(LABELS, job)


def _listen(sock: socket.socket) -> tuple[str, int]:
    sock.bind(("127.0.0.1", 0))
    sock.listen(0)
    return sock.getsockname()


@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """An `lp` on PATH that keeps its arguments and input; fails for queue 'broken'."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{tmp_path}/lp-args"\n'
        f'cat >> "{tmp_path}/lp-data"\n'
        'case "$*" in *broken*) echo "lp: The printer or class does not exist." >&2; exit 1;; '
        "esac\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def test_zpl_goes_to_cups_raw(fake_lp):
    cfg = config(zebra={"transport": "cups:Zebra_GK420", "format": "zpl"})
    job = jobs.settings_for(cfg, "location", printer="zebra", copies=2)
    assert jobs.print_labels(LABELS, job) == "CUPS queue Zebra_GK420"
    args = (fake_lp / "lp-args").read_text().split()
    assert args[:2] == ["-d", "Zebra_GK420"]
    assert "-o" in args and "raw" in args
    assert args[args.index("-n") + 1] == "1"  # the copies are in the ZPL
    assert (fake_lp / "lp-data").read_bytes() == jobs.render(LABELS, job)[0]


def test_png_to_cups_asks_lp_for_the_copies(fake_lp):
    cfg = config(office={"transport": "cups:Office", "format": "png", "dpi": 300})
    job = jobs.settings_for(cfg, "location", printer="office", copies=4)
    jobs.print_labels(LABELS[:1], job)
    args = (fake_lp / "lp-args").read_text().split()
    assert args[args.index("-n") + 1] == "4"
    assert "raw" not in args and "ppi=300" in args


def test_pdf_to_cups_asks_for_the_label_as_media_not_rotated(fake_lp):
    cfg = config(office={"transport": "cups:Labels", "format": "pdf", "size": "100x50"})
    jobs.print_labels(LABELS[:1], jobs.settings_for(cfg, "location", printer="office"))
    args = (fake_lp / "lp-args").read_text().split()
    assert "media=Custom.100x50mm" in args and "orientation-requested=3" in args
    told = jobs.settings_for(cfg, "location", printer="office", size="57x32")
    jobs.print_labels(LABELS[:1], told)  # the job's size, not the profile's
    assert "media=Custom.57x32mm" in (fake_lp / "lp-args").read_text().splitlines()[-1]


def test_a_sheet_of_labels_goes_to_cups_on_its_paper(fake_lp):
    cfg = config(office={"transport": "cups:Office", "format": "pdf"})
    job = jobs.settings_for(cfg, "location", printer="office", size="57x32", sheet="a4")
    jobs.print_labels(LABELS, job)
    assert "media=A4" in (fake_lp / "lp-args").read_text().split()
    job = jobs.settings_for(cfg, "location", printer="office", size="57x32", sheet="letter")
    jobs.print_labels(LABELS, job)
    assert "media=Letter" in (fake_lp / "lp-args").read_text().splitlines()[-1].split()


def test_zpl_to_cups_carries_no_media_the_printer_is_told_in_the_zpl(fake_lp):
    cfg = config(zebra={"transport": "cups:Zebra", "format": "zpl", "size": "100x50"})
    jobs.print_labels(LABELS, jobs.settings_for(cfg, "location", printer="zebra"))
    assert "media=" not in (fake_lp / "lp-args").read_text()


def test_cups_refusing_the_job_says_why(fake_lp):
    cfg = config(bad={"transport": "cups:broken", "format": "pdf"})
    job = jobs.settings_for(cfg, "location", printer="bad")
    with pytest.raises(PrinterError, match="CUPS refused the job: lp: The printer or class"):
        jobs.print_labels(LABELS, job)


def test_no_lp_command_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    cfg = config(laser={"transport": "cups:Laser", "format": "pdf"})
    job = jobs.settings_for(cfg, "location", printer="laser")
    with pytest.raises(PrinterError, match="'lp' command is missing"):
        jobs.print_labels(LABELS, job)


def test_a_folder_printer_gets_whole_files(tmp_path):
    cfg = config(drop={"transport": f"dir:{tmp_path}", "format": "png"})
    job = jobs.settings_for(cfg, "location", printer="drop")
    jobs.print_labels(LABELS, job)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and all(f.endswith(".png") for f in files)
    assert not any(f.startswith(".") for f in files)


def test_a_missing_folder_is_a_clear_error(tmp_path):
    cfg = config(drop={"transport": f"dir:{tmp_path / 'nope'}", "format": "zpl"})
    job = jobs.settings_for(cfg, "location", printer="drop")
    with pytest.raises(PrinterError, match="does not exist"):
        jobs.print_labels(LABELS, job)


def test_one_call_gives_a_label_as_png_or_zpl(shop):
    cfg = Config({})
    png = jobs.label_png(cfg, "lot", "L-0424", dpi=300)
    image = Image.open(io.BytesIO(png))
    assert image.size == (1181, 590)
    assert read_one(image).fields()[-1] == ("10", "L-0424")
    zpl = jobs.label_zpl(cfg, "location", "A-01-01", copies=2)
    assert len(formats(zpl)) == 1 and "^PQ2" in zpl
