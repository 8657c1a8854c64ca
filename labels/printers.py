"""Printers: profiles from the configuration, and the three ways a job reaches one.

[printers.dock]
transport = "raw:10.0.4.21:9100"   # or "cups:QUEUE", or "dir:/srv/labels"
format = "zpl"                     # png, pdf or zpl
size = "100x50"                    # millimetres; CUPS jobs ask for this media
dpi = 203
timeout = 10                       # seconds, raw TCP only
confirm = true                     # raw ZPL: ask the printer (~HS) whether it took the job
symbol = "datamatrix"              # GS1 labels: auto, linear, datamatrix or qr
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from backroom.labels import host_status
from backroom.labels.sizes import PAPER, LabelSize, check_dpi, parse_size
from backroom.models.config import Config
from backroom.models.disk import refusal_for
from backroom.models.errors import DomainError

FORMATS = ("png", "pdf", "zpl")
# Which symbol GS1 labels carry (labels/templates/gs1_kinds.py).
SYMBOLS = ("auto", "linear", "datamatrix", "qr")
RAW_PORT = 9100
LP_TIMEOUT = 60.0


class PrinterError(DomainError):
    """A printer is misconfigured or cannot be reached; nothing was printed."""


@dataclass(frozen=True)
class Printer:
    """A printer profile."""

    name: str
    transport: str  # cups, raw or dir
    target: str  # queue, host:port or folder
    format: str
    size: LabelSize | None = None
    dpi: int | None = None
    timeout: float = 10.0
    confirm: bool = True  # raw ZPL printers only: ask ~HS whether the job was taken
    symbol: str | None = None  # GS1 labels' symbol on this printer (one of SYMBOLS)

    @property
    def confirms(self) -> bool:
        """Whether a job sent here is known to have arrived (false: raw, unconfirmed)."""
        return self.transport != "raw" or self.confirm

    @property
    def address(self) -> str:
        """The transport as configured: 'raw:10.0.4.21:9100'."""
        return f"{self.transport}:{self.target}"

    def host_port(self) -> tuple[str, int]:
        """Host and port of a raw printer ('[::1]:9100' for IPv6)."""
        match = re.fullmatch(r"\[(.+)\](?::(\d+))?|([^:]+)(?::(\d+))?", self.target)
        if not match:
            raise PrinterError(f"Printer {self.name}: {self.target!r} is not HOST:PORT")
        host = match.group(1) or match.group(3)
        port = match.group(2) or match.group(4)
        return host, int(port) if port else RAW_PORT


def _profile(name: str, data: object) -> Printer:
    where = f"[printers.{name}]"
    if not isinstance(data, dict):
        raise PrinterError(f"{where} in the configuration must be a table")
    transport = str(data.get("transport", ""))
    kind, _, target = transport.partition(":")
    if kind not in ("cups", "raw", "dir") or not target:
        raise PrinterError(
            f"{where} transport {transport!r} must be cups:QUEUE, raw:HOST:PORT or dir:PATH"
        )
    fmt = str(data.get("format", "zpl" if kind == "raw" else "pdf"))
    if fmt not in FORMATS:
        raise PrinterError(f"{where} format {fmt!r} is not one of {', '.join(FORMATS)}")
    try:
        size = parse_size(str(data["size"])) if "size" in data else None
        dpi = check_dpi(int(data["dpi"])) if "dpi" in data else None
        timeout = float(data.get("timeout", 10))
    except (DomainError, ValueError, TypeError) as exc:
        raise PrinterError(f"{where}: {exc}") from exc
    confirm = _confirm_setting(where, data, kind, fmt)
    symbol = data.get("symbol")
    if symbol is not None and symbol not in SYMBOLS:
        raise PrinterError(f"{where} symbol {symbol!r} is not one of {', '.join(SYMBOLS)}")
    printer = Printer(name, kind, target, fmt, size, dpi, timeout, confirm, symbol)
    if kind == "raw":
        printer.host_port()
    return printer


def _confirm_setting(where: str, data: dict, kind: str, fmt: str) -> bool:
    """confirm: on by default for raw ZPL; ~HS means nothing to a PNG or PDF printer."""
    confirm = data.get("confirm", kind == "raw" and fmt == "zpl")
    if not isinstance(confirm, bool):
        raise PrinterError(f"{where} confirm must be true or false, not {confirm!r}")
    if confirm and kind == "raw" and fmt != "zpl":
        raise PrinterError(
            f"{where} confirm = true asks a Zebra printer (~HS), which takes ZPL, not {fmt}: "
            "set confirm = false"
        )
    return confirm and kind == "raw"


def load_printers(config: Config) -> dict[str, Printer]:
    """Every printer profile in the configuration, by name."""
    table = config.get("printers", {}) or {}
    if not isinstance(table, dict):
        raise PrinterError("[printers] in the configuration must be a table of printers")
    return {name: _profile(name, data) for name, data in sorted(table.items())}


def get_printer(config: Config, name: str) -> Printer:
    """The printer profile called NAME."""
    printers = load_printers(config)
    if name not in printers:
        known = ", ".join(printers) or "none is configured"
        raise PrinterError(f"Unknown printer {name!r} (printers: {known})")
    return printers[name]


def default_printer(config: Config) -> Printer | None:
    """The printer named by labels.printer in the configuration, if any."""
    name = config.get("labels.printer")
    return get_printer(config, str(name)) if name else None


def send(
    printer: Printer,
    payloads: list[bytes],
    *,
    title: str,
    copies: int = 1,
    media: LabelSize | None = None,
) -> str:
    """Send each payload (a file in the printer's format) as a job, COPIES times where the
    format does not carry its own count, on MEDIA (the label or sheet; the printer's own
    size if not given). Returns where it went, for a person."""
    if printer.transport == "cups":
        for payload in payloads:
            send_cups(printer, payload, title=title, copies=copies, media=media or printer.size)
        return f"CUPS queue {printer.target}"
    if printer.transport == "raw":
        host, port = printer.host_port()
        notes = [
            send_raw(
                host,
                port,
                payload,
                timeout=printer.timeout,
                name=printer.name,
                confirm=printer.confirm,
            )
            for payload in payloads
            for _ in range(copies)
        ]
        if not printer.confirm:
            return f"{host}:{port}, sent (not confirmed)"
        return ", ".join([f"{host}:{port}", *sorted({n for n in notes if n})])
    folder = Path(printer.target).expanduser()
    for n, payload in enumerate(payloads, 1):
        for copy in range(1, copies + 1):
            suffix = f"-{n}" if len(payloads) > 1 else ""
            suffix += f"-copy{copy}" if copies > 1 else ""
            write_to_folder(folder, payload, f"{title}{suffix}.{printer.format}")
    return str(folder)


def media_option(size: LabelSize) -> str:
    """The CUPS media name for SIZE: 'A4' or 'Letter' for paper, else 'Custom.100x50mm'."""
    for name, (width, height) in PAPER.items():
        if (size.width_mm, size.height_mm) == (width, height):
            return name.upper() if len(name) == 2 else name.capitalize()
    return f"Custom.{size}mm"


def lp_options(printer: Printer, media: LabelSize | None) -> list[str]:
    """The `lp` options for a job: ZPL raw, untouched by filters; a PDF or PNG on media of
    its own size, not rotated, so a 100x50 label is not put in the middle of an A4 page."""
    if printer.format == "zpl":
        return ["-o", "raw"]
    options = []
    if media is not None:
        # Portrait (3) is 'as drawn': the page is already as wide as the label.
        options += ["-o", f"media={media_option(media)}", "-o", "orientation-requested=3"]
    if printer.format == "png" and printer.dpi:
        options += ["-o", f"ppi={printer.dpi}"]  # the image's own size, not fit-to-page
    return options


def send_cups(
    printer: Printer,
    payload: bytes,
    *,
    title: str,
    copies: int = 1,
    media: LabelSize | None = None,
) -> None:
    """One job to a CUPS queue through `lp`, on MEDIA (a label size or a paper)."""
    command = ["lp", "-d", printer.target, "-t", title, "-n", str(copies)]
    command += lp_options(printer, media)
    try:
        result = subprocess.run(
            command, input=payload, capture_output=True, timeout=LP_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise PrinterError(
            f"Printer {printer.name}: the 'lp' command is missing (install the CUPS client)"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise PrinterError(
            f"Printer {printer.name}: lp did not finish in {LP_TIMEOUT:g} s"
        ) from exc
    if result.returncode != 0:
        why = result.stderr.decode(errors="replace").strip() or f"exit status {result.returncode}"
        raise PrinterError(f"Printer {printer.name}: CUPS refused the job: {why}")


def send_raw(
    host: str, port: int, payload: bytes, *, timeout: float, name: str = "", confirm: bool = False
) -> str:
    """PAYLOAD over a TCP connection (port 9100 on most label printers). With CONFIRM,
    the printer is asked (~HS) first whether it can print, and then whether it took
    the job; returns a note for the person ('' when all is done)."""
    who = f"Printer {name} at {host}:{port}" if name else f"Printer at {host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            if not confirm:
                conn.sendall(payload)
                conn.shutdown(socket.SHUT_WR)
                return ""
            return _confirmed(conn, payload, who, timeout)
    except TimeoutError as exc:
        raise PrinterError(f"{who} did not answer within {timeout:g} s: is it on?") from exc
    except ConnectionRefusedError as exc:
        raise PrinterError(f"{who} refused the connection: is the port right?") from exc
    except socket.gaierror as exc:
        raise PrinterError(f"{who} cannot be found: unknown host name") from exc
    except OSError as exc:
        raise PrinterError(f"{who} cannot be reached: {exc.strerror or exc}") from exc


def _confirmed(conn: socket.socket, payload: bytes, who: str, timeout: float) -> str:
    """Send PAYLOAD once the printer says it can print; then wait (TIMEOUT at most)
    until it has taken the job."""
    try:
        ready = host_status.ask(conn, time.monotonic() + timeout)
    except host_status.NoAnswer as exc:
        raise PrinterError(
            f"{who} did not confirm it is ready ({_why(exc, timeout)}); nothing was sent. "
            "A Zebra printer out of paper or with its head open does not answer; a printer "
            "that takes no ZPL needs confirm = false"
        ) from exc
    if ready.problems():
        raise PrinterError(f"{who} {' and '.join(ready.problems())}; nothing was sent")
    conn.sendall(payload)
    try:
        status = host_status.until_taken(conn, time.monotonic() + timeout)
    except host_status.NoAnswer as exc:
        raise PrinterError(f"{who} did not confirm the job ({_why(exc, timeout)})") from exc
    if status.problems():
        raise PrinterError(
            f"{who} {' and '.join(status.problems())}: the job waits in the printer and "
            "prints once that is put right (do not send it again)"
        )
    if status.partial_format or status.buffer_full:
        raise PrinterError(f"{who} did not take the whole job in {timeout:g} s")
    if status.labels_remaining:
        return f"printing ({status.labels_remaining} labels to go)"
    return "taken, waiting to print" if status.holds_work else ""


def _why(exc: host_status.NoAnswer, timeout: float) -> str:
    why = str(exc)
    return f"{why} in {timeout:g} s" if why == "no status reply" else why


def write_to_folder(folder: Path, payload: bytes, name: str) -> Path:
    """PAYLOAD as a new file in FOLDER; written aside first, so that software watching
    the folder never picks up half a file."""
    if not folder.is_dir():
        raise PrinterError(f"Label folder {folder} does not exist")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"{stamp}-{safe_name(name)}"
    temporary = folder / f".{path.name}.part"
    try:
        temporary.write_bytes(payload)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)  # no half a label left for the watcher
        full = refusal_for(exc, [folder], "nothing was written")
        if full is not None:
            raise full from exc
        raise PrinterError(f"Cannot write to label folder {folder}: {exc.strerror}") from exc
    return path


def safe_name(text: str) -> str:
    """TEXT usable as a file name: letters, digits, '.', '-' and '_' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "label"
