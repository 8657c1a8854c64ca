"""Label jobs: which format, size and resolution to use, the files that come out, and
printing them. The command line and the TUI both go through here.

    contents = lookup.gather("location", ["A-01"], config=config, under=True)
    job = settings_for(config, "location", printer="dock")
    print_labels(contents, job)               # or render(contents, job) for the files
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from backroom.labels import lookup
from backroom.labels.content import Content
from backroom.labels.drawing import Drawing
from backroom.labels.matrix import DIGITAL_LINK_DOMAIN
from backroom.labels.pdf_labels import labels_pdf, sheets_pdf
from backroom.labels.printers import (
    FORMATS,
    SYMBOLS,
    Printer,
    default_printer,
    get_printer,
    send,
)
from backroom.labels.render import to_image, to_png
from backroom.labels.sizes import LabelSize, check_dpi, parse_size
from backroom.labels.templates.by_kind import layout
from backroom.labels.templates.gs1_kinds import SymbolChoice
from backroom.labels.zpl import to_zpl
from backroom.models.config import Config
from backroom.models.errors import Refused

DEFAULT_DPI = 203


@dataclass(frozen=True)
class JobSettings:
    """How a batch of labels comes out."""

    kind: str
    format: str  # png, pdf or zpl
    size: LabelSize
    dpi: int
    copies: int = 1
    sheet: str | None = None  # a4 or letter: PDF sheets of several labels
    printer: Printer | None = None
    symbol: SymbolChoice = field(default_factory=SymbolChoice)  # what GS1 labels carry


def settings_for(
    config: Config,
    kind: str,
    *,
    format: str | None = None,
    size: str | LabelSize | None = None,
    dpi: int | None = None,
    copies: int = 1,
    sheet: str | None = None,
    printer: str | None = None,
    use_default_printer: bool = False,
    symbol: str | None = None,
) -> JobSettings:
    """Settings for KIND: what is given here first, then the printer's profile, then
    the configuration ([labels] dpi, format and digital_link, [labels.sizes] KIND,
    [labels.symbols] KIND), then defaults."""
    if kind not in lookup.KINDS:
        raise Refused(f"Label kind {kind!r} is not one of {', '.join(lookup.KINDS)}")
    prof = get_printer(config, printer) if printer else None
    if prof is None and use_default_printer:
        prof = default_printer(config)
    fmt = format or (prof.format if prof else None) or config.get("labels.format", "png")
    if fmt not in FORMATS:
        raise Refused(f"Label format {fmt!r} is not one of {', '.join(FORMATS)}")
    if isinstance(size, str):
        size = parse_size(size)
    size = size or (prof.size if prof else None) or lookup.default_size(kind, config)
    resolution = dpi or (prof.dpi if prof else None) or int(config.get("labels.dpi", DEFAULT_DPI))
    if copies < 1 or copies > 999:
        raise Refused(f"Copies must be 1 to 999, not {copies}")
    if sheet is not None and fmt != "pdf":
        raise Refused("Sheets of labels are for PDF: add --format pdf")
    choice = symbol_choice(config, kind, symbol or (prof.symbol if prof else None))
    return JobSettings(kind, fmt, size, check_dpi(resolution), copies, sheet, prof, choice)


def symbol_choice(config: Config, kind: str, given: str | None = None) -> SymbolChoice:
    """The symbol GS1 labels of KIND carry: GIVEN, else [labels.symbols] KIND, else auto;
    Digital Link URIs on labels.digital_link's domain (GS1's resolver by default)."""
    chosen = str(given or config.get(f"labels.symbols.{kind}") or "auto")
    if chosen not in SYMBOLS:
        raise Refused(f"Label symbol {chosen!r} is not one of {', '.join(SYMBOLS)}")
    domain = str(config.get("labels.digital_link") or DIGITAL_LINK_DOMAIN).rstrip("/")
    parts = urlsplit(domain)
    if not domain.startswith(("https://", "http://")) or not parts.netloc or parts.query:
        raise Refused(
            f"labels.digital_link {domain!r} is not a web address like https://id.example.com"
        )
    return SymbolChoice(chosen, domain)


def drawings(
    contents: list[Content], size: LabelSize, dpi: int, symbol: SymbolChoice | None = None
) -> list[Drawing]:
    """Every label laid out at SIZE and DPI."""
    return [d for content in contents for d in layout(content, size, dpi, symbol)]


def render(contents: list[Content], job: JobSettings) -> list[bytes]:
    """The files for these labels: one PNG per label, or one PDF, or one ZPL stream.
    PDF and ZPL carry the copies; PNG files are one copy each."""
    laid_out = drawings(contents, job.size, job.dpi, job.symbol)
    if not laid_out:
        raise Refused("No labels to print")
    if job.format == "png":
        return [to_png(d) for d in laid_out]
    if job.format == "zpl":
        return [to_zpl(laid_out, job.copies).encode("utf-8")]
    images = [to_image(d) for d in laid_out for _ in range(job.copies)]
    if job.sheet:
        return [sheets_pdf(images, job.size, job.sheet)]
    return [labels_pdf(images, job.size)]


def print_labels(contents: list[Content], job: JobSettings) -> str:
    """Render and send to the job's printer; returns where the labels went."""
    if job.printer is None:
        raise Refused("No printer chosen: give one, or set labels.printer in the configuration")
    files = render(contents, job)
    outside = job.copies if job.format == "png" else 1  # PDF and ZPL carry their copies
    title = title_of(contents, job)
    media = parse_size(job.sheet) if job.sheet else job.size  # what the job is printed on
    return send(job.printer, files, title=title, copies=outside, media=media)


def title_of(contents: list[Content], job: JobSettings) -> str:
    """A name for the job: 'location A-01' or 'location A-01 (+11)'."""
    first = contents[0]
    more = f" (+{len(contents) - 1})" if len(contents) > 1 else ""
    return f"{job.kind} {first.key}".strip() + more


def label_png(
    config: Config, kind: str, key: str | None = None, *, item: str | None = None, **settings
) -> bytes:
    """The first label of KIND for KEY as PNG (size, dpi as in settings_for). Reads the
    database: call it inside db.connection_context() in a worker thread."""
    contents = lookup.gather(kind, [key] if key else [], config=config, item=item)
    job = settings_for(config, kind, **settings)
    return to_png(layout(contents[0], job.size, job.dpi, job.symbol)[0])


def label_zpl(
    config: Config, kind: str, key: str | None = None, *, item: str | None = None, **settings
) -> str:
    """Every label of KIND for KEY as ZPL II (size, dpi, copies as in settings_for)."""
    contents = lookup.gather(kind, [key] if key else [], config=config, item=item)
    job = settings_for(config, kind, format="zpl", **settings)
    return to_zpl(drawings(contents, job.size, job.dpi, job.symbol), job.copies)


def png_preview(
    content: Content, size: LabelSize, dpi: int = DEFAULT_DPI, symbol: SymbolChoice | None = None
) -> bytes:
    """The first label of CONTENT as PNG, as it will print: for a preview on screen."""
    return to_png(layout(content, size, dpi, symbol)[0])


def zpl_text(contents: list[Content], size: LabelSize, dpi: int, copies: int = 1) -> str:
    """The ZPL II for these labels."""
    return to_zpl(drawings(contents, size, dpi), copies)


__all__ = [
    "JobSettings",
    "drawings",
    "label_png",
    "label_zpl",
    "png_preview",
    "print_labels",
    "render",
    "settings_for",
    "symbol_choice",
    "zpl_text",
]
