"""Scanner test: scan the test label; Backroom names what the scanner, the keyboard
layout or the line in between does wrong, and saves the station settings that fix
what settings can fix."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header, Static

from backroom.models.config import user_config_path
from backroom.models.rules.codes import SCANNER_TEST_TEXT
from backroom.scanners.calibrate import Diagnosis, diagnose
from backroom.scanners.config_file import save_station, table_text
from backroom.scanners.settings import ScannerSettings
from backroom.tui.widgets.key_footer import KeyFooter
from backroom.tui.worker_errors import PassesWorkerFailuresOn

# A scanner that sends no Enter is done when its keys stop for this long.
QUIET_SECONDS = 0.6
KEY_CHARS = {"enter": "\r", "tab": "\t", "ctrl+right_square_bracket": "\x1d"}


def shown(text: str) -> str:
    """Control characters made visible: GS as <GS>, Enter as <CR>, Tab as <TAB>."""
    return text.replace("\x1d", "<GS>").replace("\r", "<CR>").replace("\t", "<TAB>")


class RawCapture(Widget, can_focus=True):
    """Takes every key as it comes, Tab and Enter included; done after a quiet spell."""

    takes_raw_keys = True  # app-wide scan capture leaves its keys alone

    DEFAULT_CSS = """
    RawCapture {
        height: 3;
        border: round $accent;
        padding: 0 1;
    }
    """

    class Done(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self._timer: Timer | None = None

    def render(self) -> str:
        return shown(self.text) or "(waiting for the scan…)"

    def on_key(self, event: events.Key) -> None:
        char = KEY_CHARS.get(event.key, event.character)
        if char is None or event.key == "escape":
            return
        event.stop()
        event.prevent_default()
        self.text += char
        self.refresh()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(QUIET_SECONDS, self._finish)

    def _finish(self) -> None:
        text, self.text = self.text, ""
        self.post_message(self.Done(text))

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.post_message(self.Done(event.text))


class ScannerTestScreen(PassesWorkerFailuresOn, Screen):
    """Scan the test label and see what arrived."""

    TITLE = "Scanner test"
    CSS_PATH = "scanner_test.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="scantest.back"),
        Binding("ctrl+w", "write", "Save settings", id="scantest.write"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.diagnosis: Diagnosis | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        with VerticalScroll():
            yield Static(
                "Scan the scanner test label (backroom label scanner-test).", classes="message"
            )
            yield Static(
                f"Expected: {shown(SCANNER_TEST_TEXT)}",
                id="expected",
                classes="message",
                markup=False,
            )
            yield RawCapture(id="capture")
            yield Static("", id="verdict", classes="message", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(RawCapture).focus()

    def on_raw_capture_done(self, message: RawCapture.Done) -> None:
        self.diagnosis = diagnose(SCANNER_TEST_TEXT, message.text)
        self.query_one("#verdict", Static).update(self._verdict(self.diagnosis, message.text))
        if not self.diagnosis.ok:
            self.app.bell()

    def _verdict(self, d: Diagnosis, received: str) -> str:
        station = self.app.session.scanner.station
        lines = [f"Received: {shown(received)}", ""]
        if d.ok:
            lines.append("✓ The scanner's codes arrive exactly as printed.")
        for fault in d.faults:
            how = "fixed by station settings" if fault.fixed_by_settings else "fix on the scanner"
            lines.append(f"✗ {fault.message} [{how}]")
        lines += [f"• {note}" for note in d.notes]
        if self._settings_match(d):
            lines.append(f"\nStation {station}'s settings already match this scanner.")
        else:
            lines.append(f"\nSettings for station {station} (Ctrl+W saves them):")
            lines.append(table_text(station, d.settings_table()).rstrip())
        return "\n".join(lines)

    def _settings_match(self, d: Diagnosis) -> bool:
        now = self.app.session.scanner
        return (now.prefix, now.suffix, set(now.gs_substitutes)) == (
            d.prefix,
            d.suffix,
            set(d.gs_substitutes),
        )

    def action_write(self) -> None:
        """Save the suggested settings for this station."""
        if self.diagnosis is None:
            self.app.bell()
            self.notify("Scan the test label first", severity="warning")
            return
        self._write(self.diagnosis)

    @work(thread=True, exclusive=True, group="scanner-test", exit_on_error=False)
    def _write(self, d: Diagnosis) -> None:
        session = self.app.session
        path = Path(session.config_path) if session.config_path else user_config_path()
        try:
            save_station(path, session.scanner.station, d.settings_table())
        except Exception as exc:  # a file problem or a refused table: say it, change nothing
            self.app.call_from_thread(self._failed, str(exc))
            return
        values = {**d.settings_table()}
        settings = ScannerSettings.from_values(session.scanner.station, values)
        self.app.call_from_thread(self._saved, path, settings)

    def _failed(self, message: str) -> None:
        self.app.bell()
        self.notify(message, title="Settings not saved", severity="error")

    def _saved(self, path: Path, settings: ScannerSettings) -> None:
        self.app.session = dataclasses.replace(self.app.session, scanner=settings)
        self.app.scans.assembler.settings = settings
        self.notify(f"Saved station {settings.station} settings to {path}")
