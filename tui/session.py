"""Who is at the keyboard and which database they work in; handed to every screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from models.config import Config
from scanners.settings import ScannerSettings


@dataclass(frozen=True)
class Session:
    user: str
    db_url: str
    site: str = "Backroom"
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    config_path: str | None = None  # the --config file, where station settings are saved
    config: Config = field(default_factory=Config)  # printers, label sizes, site address

    @property
    def db_label(self) -> str:
        """The database, short enough for a header: file name or host/database."""
        parsed = urlparse(self.db_url)
        if parsed.scheme == "sqlite":
            return parsed.path.rsplit("/", 1)[-1]
        return f"{parsed.hostname or 'local'}/{parsed.path.lstrip('/')}"
