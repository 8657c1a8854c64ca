"""Who is at the keyboard and which database they work in; handed to every screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from backroom.models.config import Config
from backroom.scanners.settings import ScannerSettings


@dataclass(frozen=True)
class Session:
    user: str
    db_url: str
    site: str = "Backroom"
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    config_path: str | None = None  # the --config file, where station settings are saved
    config: Config = field(default_factory=Config)  # printers, label sizes, site address
    read_only: bool = False  # an unknown login, let in to look ([access] unknown_users)
    shared: bool = False  # a shared terminal: people log in with a badge or name and PIN
    idle_logout: float = 0  # shared terminal: seconds without a key before logging out
    theme: str | None = None  # the station's Textual theme ([terminal] theme)

    @property
    def who(self) -> str:
        """The person for a header: name, '(read-only)' or nobody yet."""
        if not self.user:
            return "(log in)"
        return f"{self.user} (read-only)" if self.read_only else self.user

    @property
    def db_label(self) -> str:
        """The database, short enough for a header: file name or host/database."""
        parsed = urlparse(self.db_url)
        if parsed.scheme == "sqlite":
            return parsed.path.rsplit("/", 1)[-1]
        return f"{parsed.hostname or 'local'}/{parsed.path.lstrip('/')}"
