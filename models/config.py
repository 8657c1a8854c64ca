"""Configuration: TOML files read in order, later ones overriding earlier ones."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backroom.models.errors import DomainError

SYSTEM_CONFIG = Path("/etc/backroom/config.toml")


def user_config_path() -> Path:
    """~/.config/backroom/config.toml, or under XDG_CONFIG_HOME."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / "backroom" / "config.toml"


@dataclass
class Config:
    """The merged configuration; sections other parts read stay in `data`."""

    data: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def get(self, dotted: str, default: Any = None) -> Any:
        """A value by dotted path, such as 'database.url'."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    @property
    def db_url(self) -> str | None:
        return self.get("database.url")

    @property
    def site_name(self) -> str:
        return self.get("site.name", "Backroom")

    @property
    def gs1_company_prefix(self) -> str | None:
        return self.get("site.gs1_company_prefix")

    @property
    def folders(self) -> dict[str, str]:
        """[folders]: imports, exports, labels, documents (models/data/folders.py reads it)."""
        section = self.get("folders", {})
        return dict(section) if isinstance(section, dict) else {}


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def load_config(extra: str | Path | None = None) -> Config:
    """Read /etc, then the user's file, then EXTRA; a broken file is a clear error."""
    config = Config()
    paths = [SYSTEM_CONFIG, user_config_path()]
    if extra is not None:
        extra_path = Path(extra)
        if not extra_path.is_file():
            raise DomainError(f"Config file {extra_path} does not exist")
        paths.append(extra_path)
    for path in paths:
        try:
            if not path.is_file():
                continue
        except OSError as exc:  # a folder on the way that this user may not enter
            raise DomainError(f"Cannot read config file {path}: {exc.strerror}") from exc
        try:
            with path.open("rb") as fh:
                _merge(config.data, tomllib.load(fh))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DomainError(f"Config file {path} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise DomainError(f"Cannot read config file {path}: {exc.strerror}") from exc
        config.files.append(path)
    return config
