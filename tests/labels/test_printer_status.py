"""Raw 9100 printing says "Printed" only when the printer took the job: it asks the
printer (Zebra ~HS host status) before and after sending, names paper out and an open
head, and says so when a printer never answers or hangs up."""

from __future__ import annotations

import pytest

from backroom.labels import jobs
from backroom.labels.content import LocationContent
from backroom.labels.host_status import HostStatus, parse
from backroom.labels.printers import PrinterError, get_printer
from backroom.models.config import Config
from tests.labels.fake_zebra import FakeZebra, host_status

LABEL = [LocationContent("A-01")]

# An answer as the ZPL II Programming Guide lays it out: 9600 baud 8N1 (030), paper
# out, not paused, a 1245-dot label, 2 formats waiting, ... head up, 17 labels left.
MANUAL_REPLY = (
    b"\x02030,1,0,1245,002,0,0,1,000,0,0,0\x03\r\n"
    b"\x02001,0,1,0,1,2,4,0,00000017,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)


def test_a_host_status_is_read_by_its_fields_positions():
    assert parse(MANUAL_REPLY) == HostStatus(
        paper_out=True,
        paused=False,
        label_length_dots=1245,
        formats_in_buffer=2,
        buffer_full=False,
        partial_format=True,
        corrupt_ram=False,
        under_temperature=False,
        over_temperature=False,
        head_up=True,
        ribbon_out=False,
        thermal_transfer=True,
        labels_remaining=17,
    )
    assert parse(MANUAL_REPLY).problems() == ["is out of paper", "has its print head open"]


@pytest.mark.parametrize(
    "reply",
    [b"", b"\x02030,0,0\x03\r\n" * 3, MANUAL_REPLY.replace(b"1245", b"12x5"), b"Ready\r\n"],
)
def test_what_is_not_a_host_status_is_refused(reply):
    with pytest.raises(ValueError):
        parse(reply)


def test_a_ribbon_counts_only_on_a_thermal_transfer_printer():
    assert parse(host_status(ribbon_out=1, thermal=0)).problems() == []
    assert parse(host_status(ribbon_out=1, thermal=1)).problems() == ["is out of ribbon"]


def _print(printer: FakeZebra, **settings: object) -> str:
    config = Config({"printers": {"dock": {"transport": f"raw:127.0.0.1:{printer.port}"}}})
    config.data["printers"]["dock"].update(settings)
    job = jobs.settings_for(config, "location", printer="dock")
    return jobs.print_labels(LABEL, job)


def test_a_ready_printer_confirms_the_job_it_took():
    with FakeZebra("ready") as printer:
        where = _print(printer)
        (sent,) = printer.wait()
    assert where == f"127.0.0.1:{printer.port}"
    assert sent.startswith(b"^XA") and b"~HS" not in sent


def test_a_printer_still_printing_at_the_deadline_says_how_many_labels_are_to_go():
    with FakeZebra("printing") as printer:
        where = _print(printer, timeout=0.5)
        printer.wait()
    assert where == f"127.0.0.1:{printer.port}, printing (5 labels to go)"


def test_paper_out_is_named_and_nothing_is_sent():
    with FakeZebra("paper_out") as printer:
        with pytest.raises(PrinterError, match=r"at 127.0.0.1:\d+ is out of paper; nothing"):
            _print(printer)
        assert printer.jobs == []


def test_an_open_head_is_named_and_nothing_is_sent():
    with FakeZebra("head_open") as printer:
        with pytest.raises(PrinterError, match=r"has its print head open; nothing was sent"):
            _print(printer)
        assert printer.jobs == []


def test_paper_running_out_with_the_job_says_it_waits_in_the_printer():
    with FakeZebra("paper_out_later") as printer:
        with pytest.raises(PrinterError, match=r"is out of paper: the job waits in the printer"):
            _print(printer)
        assert len(printer.wait()) == 1


@pytest.mark.parametrize(
    ("behaviour", "why"),
    [
        ("silent", r"did not confirm it is ready \(no status reply in 0.3 s\); nothing was sent"),
        ("hang_up", r"did not confirm it is ready \(it closed the connection"),
        ("silent_later", r"did not confirm the job \(no status reply in 0.3 s\)$"),
    ],
)
def test_a_printer_that_never_answers_or_hangs_up_did_not_confirm(behaviour, why):
    with (
        FakeZebra(behaviour) as printer,
        pytest.raises(PrinterError, match=rf"Printer dock at 127.0.0.1:{printer.port} {why}"),
    ):
        _print(printer, timeout=0.3)


def test_an_unconfirmed_raw_printer_says_the_job_was_only_sent():
    with FakeZebra("silent") as printer:
        where = _print(printer, confirm=False)
        (sent,) = printer.wait()
    assert where == f"127.0.0.1:{printer.port}, sent (not confirmed)"
    assert b"~HS" not in sent


def test_confirming_is_for_zpl_printers_only():
    config = Config({"printers": {"laser": {"transport": "raw:h:9100", "format": "pdf"}}})
    assert get_printer(config, "laser").confirms is False
    config.data["printers"]["laser"]["confirm"] = True
    with pytest.raises(PrinterError, match="set confirm = false"):
        get_printer(config, "laser")
    config.data["printers"]["laser"]["confirm"] = "yes"
    with pytest.raises(PrinterError, match="confirm must be true or false"):
        get_printer(config, "laser")
