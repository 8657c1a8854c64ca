"""Configuration: TOML files read in order, later ones overriding earlier ones."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from backroom.models.errors import DomainError

SYSTEM_CONFIG = Path("/etc/backroom/config.toml")
DEFAULT_PIN_MIN_LENGTH = 6
DEFAULT_ABANDON_AFTER_SECONDS = 600


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

    # --- secrets and files (issue 21): [access] pin_min_length, [files] group and mode ---

    @property
    def pin_min_length(self) -> int:
        """The fewest digits a new PIN may have ([access] pin_min_length): 6 unless the
        site says otherwise, and never fewer than 4."""
        value = self.get("access.pin_min_length", DEFAULT_PIN_MIN_LENGTH)
        if isinstance(value, bool) or not isinstance(value, int) or not 4 <= value <= 12:
            raise DomainError(f"[access] pin_min_length is a whole number from 4 to 12: {value!r}")
        return value

    @property
    def file_group(self) -> str | None:
        """The group that may read the database and backups ([files] group), if any."""
        group = self.get("files.group")
        if group is not None and (not isinstance(group, str) or not group.strip()):
            raise DomainError(f"[files] group is the name of an OS group: {group!r}")
        return group.strip() if group else None

    @property
    def file_mode(self) -> int:
        """The mode of database and backup files ([files] mode): "0600", or "0640" for the
        group; 0640 by default when a group is set, else 0600. Never readable by others."""
        default = "0640" if self.file_group else "0600"
        mode = self.get("files.mode", default)
        if mode not in ("0600", "0640", "600", "640"):
            raise DomainError(f'[files] mode is "0600" or "0640", not {mode!r}')
        return int(mode, 8)

    @property
    def accounts(self) -> dict[str, str]:
        """[accounts] os_name = "backroom_name": the Backroom user an OS account acts as."""
        return _name_table(self.get("accounts", {}), "accounts", "OS account")

    @property
    def database_roles(self) -> dict[str, str]:
        """[database_roles] role = "backroom_name": the Backroom user a PostgreSQL role
        other than the database's owner acts as."""
        return _name_table(self.get("database_roles", {}), "database_roles", "database role")

    # [signing]: the key that signs the ledger's checkpoints, kept outside the database,
    # and where each checkpoint is copied off the box (models/stock/signing.py).
    @property
    def signing_key(self) -> Path:
        return Path(self.get("signing.key", "/etc/backroom/signing.key"))

    @property
    def signing_offbox(self) -> Path | None:
        path = self.get("signing.offbox")
        return Path(path) if path else None

    @property
    def signing_syslog(self) -> bool:
        return bool(self.get("signing.syslog", True))

    @property
    def abandon_after_seconds(self) -> int:
        """[tasks] abandon_after_seconds: a task whose holder gave no sign of life for
        this long goes back to the queue (600 unless the site says otherwise, at least 30)."""
        value = self.get("tasks.abandon_after_seconds", DEFAULT_ABANDON_AFTER_SECONDS)
        if isinstance(value, bool) or not isinstance(value, int) or value < 30:
            raise DomainError(
                f"[tasks] abandon_after_seconds is a whole number of seconds, at least 30: "
                f"{value!r}"
            )
        return value

    @property
    def folders(self) -> dict[str, str]:
        """[folders]: imports, exports, labels, documents (models/data/folders.py reads it)."""
        section = self.get("folders", {})
        return dict(section) if isinstance(section, dict) else {}

    @property
    def counting(self) -> CountingRules:
        """[counting]: ABC shares, the pick window and count tolerances, checked."""
        return _counting_rules(self.get("counting", {}))


@dataclass(frozen=True)
class CountingRules:
    """[counting]: how items are classed A/B/C and when a count is held for a lead.

    A is the most picked items that make A_SHARE percent of the picks in the last
    WINDOW_DAYS, B the next B_SHARE percent, C the rest. A count is within tolerance
    when it is off by at most VARIANCE_UNITS base units, or by at most
    VARIANCE_PERCENT percent of what the books expected; beyond both it is held.
    """

    window_days: int = 90
    a_share: int = 80
    b_share: int = 15
    variance_units: int = 2
    variance_percent: int = 5
    reclassify_days: int = 7  # `cycle generate` classes the items again after this


def _counting_rules(section: Any) -> CountingRules:
    if not isinstance(section, dict):
        raise DomainError("[counting] is a table of settings")
    known = CountingRules.__dataclass_fields__
    values: dict[str, int] = {}
    for key, value in section.items():
        if key not in known:
            raise DomainError(f"[counting] has no setting {key!r}: {', '.join(known)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DomainError(f"[counting] {key} must be a whole number >= 0: {value!r}")
        values[key] = value
    rules = CountingRules(**values)
    if rules.window_days < 1 or rules.reclassify_days < 1:
        raise DomainError("[counting] window_days and reclassify_days are at least 1")
    if not 0 < rules.a_share <= 100 or rules.a_share + rules.b_share > 100:
        raise DomainError("[counting] a_share is 1 to 100, and a_share + b_share at most 100")
    return rules


def _name_table(table: Any, section: str, what: str) -> dict[str, str]:
    """A table of names to Backroom user names, checked: a wrong entry is a clear error."""
    if not isinstance(table, dict):
        raise DomainError(f'[{section}] is a table of {what} = "backroom user name"')
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise DomainError(f"[{section}] {key} must be a Backroom user name in quotes")
    return {key: value.strip() for key, value in table.items()}


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
        import tomllib  # here: where no config file exists, a command never needs it

        try:
            with path.open("rb") as fh:
                _merge(config.data, tomllib.load(fh))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DomainError(f"Config file {path} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise DomainError(f"Cannot read config file {path}: {exc.strerror}") from exc
        config.files.append(path)
    return config


T = TypeVar("T")


class ProcessSetting(Generic[T]):
    """A setting this process takes from its configuration once: what `configure` gave
    it (the TUI, the servers and the command line call it with theirs), else the
    standard configuration files' the first time it is asked for, else DEFAULT (files
    that cannot be read must not stop a posting)."""

    def __init__(self, read: Callable[[Config], T], default: Callable[[], T]) -> None:
        self._read = read
        self._default = default
        self._value: T | None = None

    def configure(self, config: Config) -> T:
        """Use CONFIG's value in this process; the value."""
        self._value = self._read(config)
        return self._value

    def get(self) -> T:
        """The value in this process."""
        if self._value is None:
            try:
                self._value = self._read(load_config())
            except DomainError:
                self._value = self._default()
        return self._value

    def use(self, value: T | None) -> None:
        """Use VALUE from now on; None: read the configuration again when next asked
        (for tests and tools)."""
        self._value = value
