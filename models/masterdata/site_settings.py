"""Site settings kept in the database, for a site that has no configuration file yet
(the demo): recorded as events, the latest of each name wins, and a configuration
file always wins over them."""

from __future__ import annotations

import json

from backroom.models.config import Config
from backroom.models.db import run_write
from backroom.models.errors import Refused
from backroom.models.rules.identifiers import make_sscc
from backroom.models.schema import Event

SETTING_EVENT = "site.setting"
# The settings a database may hold, and how each is checked before it is kept.
SETTINGS = ("site.gs1_company_prefix",)


def _check(name: str, value: str) -> str:
    if name not in SETTINGS:
        raise Refused(f"{name!r} is not a site setting kept in the database")
    value = value.strip()
    if name == "site.gs1_company_prefix":
        make_sscc(value, 0)  # refuses a prefix no SSCC can be made from
    return value


def record_site_setting(name: str, value: str, *, user: str) -> None:
    """Keep VALUE for the site setting NAME (an admin's change, logged)."""
    # Imported here: every command reads the settings (fill_from_database), few keep one.
    from backroom.models.masterdata.adding import log_event
    from backroom.models.people.roles import acting

    value = _check(name, value)

    def _record() -> None:
        who = acting(user, "settings")
        log_event(SETTING_EVENT, name, who, value=value)

    run_write(_record)


def site_settings() -> dict[str, str]:
    """The site settings the database holds, the latest of each."""
    rows = Event.select().where(Event.kind == SETTING_EVENT).order_by(Event.id)
    return {row.subject: str(json.loads(row.detail).get("value", "")) for row in rows}


def fill_from_database(config: Config) -> None:
    """Give CONFIG the database's site settings it does not set itself."""
    for name, value in site_settings().items():
        if name not in SETTINGS or config.get(name) is not None:
            continue
        *sections, key = name.split(".")
        node = config.data
        for part in sections:
            node = node.setdefault(part, {})
        node[key] = value
