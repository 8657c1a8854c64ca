"""Printing through a real CUPS: a cupsd of the test's own with a cups-pdf queue, which
writes each job as the PDF a printer would have printed. A 100x50 mm label must come out
on a 100x50 mm page, upright, not in the middle of an A4 sheet."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from backroom.labels import jobs
from backroom.labels.content import LocationContent
from backroom.labels.pdf_documents import document_pdf
from backroom.labels.printers import get_printer, send
from backroom.labels.render import to_image
from backroom.labels.sizes import LabelSize
from backroom.labels.templates.by_kind import layout
from backroom.models.config import Config
from backroom.models.goods_out.documents import Document
from tests.labels.decode import read_one
from tests.labels.pdfread import page_sizes

SBIN = "/usr/sbin:/usr/bin:/sbin:/bin"
PPDS = (
    "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd",
    "/usr/share/cups/model/CUPS-PDF_opt.ppd",
)
CUPS_PDF_CONFIG = Path("/etc/cups")  # where cups-pdf reads cups-pdf-QUEUE.conf, fixed
TIMEOUT = 60.0  # seconds for cupsd to start and for a job to come out


def _which(tool: str) -> str | None:
    return shutil.which(tool, path=f"{os.environ.get('PATH', '')}:{SBIN}")


@dataclass(frozen=True)
class Cups:
    """A running cupsd: its socket, the cups-pdf queue, and where that queue writes."""

    server: str
    queue: str
    out: Path

    def wait_for_pdf(self, count: int = 1) -> list[Path]:
        """The PDFs the queue has written, once there are COUNT of them."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = sorted(self.out.glob("*.pdf"))
            if len(found) >= count and all(_complete(p) for p in found):
                return found
            time.sleep(0.1)  # polling a folder: there is no event to wait on
        log = (self.out.parent / "log" / "error_log").read_text(errors="replace")
        pytest.fail(f"cups-pdf wrote no PDF in {TIMEOUT:g} s; cupsd's log ends:\n{log[-3000:]}")


def _complete(path: Path) -> bool:
    return path.stat().st_size > 0 and path.read_bytes().rstrip().endswith(b"%%EOF")


def _write_config(root: Path) -> tuple[Path, Path]:
    socket = root / "cups.sock"
    conf = root / "cupsd.conf"
    conf.write_text(
        f"Listen {socket}\nLogLevel debug\nWebInterface No\nBrowsing No\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    files = root / "cups-files.conf"
    files.write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nTempDir {root}/tmp\n"
        f"CacheDir {root}/cache\nStateDir {root}/state\nServerBin /usr/lib/cups\n"
        f"DataDir /usr/share/cups\nErrorLog {root}/log/error_log\n"
        f"AccessLog {root}/log/access_log\nPageLog {root}/log/page_log\nSystemGroup root\n"
    )
    return conf, files


def _wait_for_scheduler(server: str, daemon: subprocess.Popen) -> None:
    env = {**os.environ, "CUPS_SERVER": server}
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert daemon.poll() is None, f"cupsd stopped: {daemon.stderr.read()}"
        probe = subprocess.run(
            [_which("lpstat") or "lpstat", "-r"], env=env, capture_output=True, text=True
        )
        if "is running" in probe.stdout:
            return
        time.sleep(0.1)
    pytest.fail("cupsd did not start")


def _add_queue(server: str, queue: str) -> None:
    ppd = next((p for p in PPDS if Path(p).is_file()), None)
    assert ppd, "the cups-pdf PPD is missing: install printer-driver-cups-pdf (.ci/run does)"
    lpadmin = _which("lpadmin") or "lpadmin"
    result = subprocess.run(
        [lpadmin, "-p", queue, "-E", "-v", f"cups-pdf:/{queue}", "-P", ppd],
        env={**os.environ, "CUPS_SERVER": server},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def cups() -> Iterator[Cups]:
    """A cupsd of our own on a unix socket, with one cups-pdf queue; stopped afterwards,
    whatever the test did."""
    cupsd = _which("cupsd")
    if cupsd is None:
        pytest.skip("cupsd is not installed (.ci/run installs cups and cups-pdf)")
    if os.geteuid() != 0:
        pytest.skip("a cupsd of the test's own runs the cups-pdf backend as root: run as root")
    assert Path("/usr/lib/cups/backend/cups-pdf").exists(), "install printer-driver-cups-pdf"
    # Not under tmp_path: CUPS filters run as user lp, which must reach the spool and the
    # PPD, and pytest's own folders are private to root.
    root = Path(tempfile.mkdtemp(prefix="backroom-cups-"))
    root.chmod(0o755)
    for folder in ("log", "out", "spool", "cache", "state"):
        (root / folder).mkdir()
    (root / "tmp").mkdir(mode=0o1777)
    (root / "tmp").chmod(0o1777)
    queue = f"backroom_{uuid.uuid4().hex[:8]}"
    # cups-pdf reads its settings from /etc/cups only; cups-pdf-QUEUE.conf is this queue's.
    queue_config = CUPS_PDF_CONFIG / f"cups-pdf-{queue}.conf"
    daemon = None
    try:
        queue_config.write_text(f"Out {root}/out\nAnonDirName {root}/out\nLabel 1\n")
        conf, files = _write_config(root)
        daemon = subprocess.Popen(
            [cupsd, "-f", "-c", str(conf), "-s", str(files)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        server = str(root / "cups.sock")
        _wait_for_scheduler(server, daemon)
        _add_queue(server, queue)
        yield Cups(server, queue, root / "out")
    finally:
        if daemon is not None:
            daemon.terminate()
            try:
                daemon.wait(10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait(10)
        queue_config.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def printer(cups, monkeypatch):
    """The profile of a label printer on the cups-pdf queue, and a clean output folder."""
    monkeypatch.setenv("CUPS_SERVER", cups.server)
    for old in cups.out.glob("*"):
        old.unlink()
    cfg = Config(
        {
            "printers": {
                "labels": {
                    "transport": f"cups:{cups.queue}",
                    "format": "pdf",
                    "size": "100x50",
                    "dpi": 203,
                }
            }
        }
    )
    return cfg


def _rendered(pdf: Path) -> Image.Image:
    """The first page of PDF as an image at 203 dpi, as a printer would print it."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", "203", "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(prefix)],
        check=True,
        timeout=TIMEOUT,
    )
    (png,) = pdf.parent.glob(f"{prefix.name}*.png")
    return Image.open(png)


def test_a_100x50_label_prints_on_a_100x50_page_upright(cups, printer):
    job = jobs.settings_for(printer, "location", printer="labels")
    assert jobs.print_labels([LocationContent("A-01-01")], job) == f"CUPS queue {cups.queue}"
    (pdf,) = cups.wait_for_pdf()
    ((width, height),) = page_sizes(pdf.read_bytes())
    print(f"cups-pdf wrote {pdf.name}: {width:.2f} x {height:.2f} mm")
    assert (width, height) == pytest.approx((100, 50), abs=1)
    printed = _rendered(pdf)
    assert read_one(printed).text == "A-01-01"
    # Upright: closer to the label as drawn than to the label turned round.
    drawn = to_image(layout(LocationContent("A-01-01"), job.size, 203)[0]).convert("L")
    printed = printed.convert("L").resize(drawn.size)
    assert _difference(printed, drawn) < _difference(printed, drawn.rotate(180))


def _difference(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def test_a_document_prints_on_a4(cups, printer):
    doc = Document("Delivery note", "SHP-000001", footer=("Łódź Spółka z o.o.",))
    profile = get_printer(printer, "labels")
    send(profile, [document_pdf(doc)], title="delivery note", media=LabelSize(210, 297))
    (pdf,) = cups.wait_for_pdf()
    ((width, height),) = page_sizes(pdf.read_bytes())
    print(f"cups-pdf wrote {pdf.name}: {width:.2f} x {height:.2f} mm")
    assert (width, height) == pytest.approx((210, 297), abs=1)
