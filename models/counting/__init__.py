"""Cycle counting: ABC classes from picks, count plans and the counts due each day,
blind counts, counts held for a lead beyond the tolerance, and the accuracy report.

The site's [counting] settings (models/config.py CountingRules) are read once per
process, like the roles' policy; the command line hands its own config to configure().
"""

from __future__ import annotations

from backroom.models.config import Config, CountingRules, ProcessSetting

_rules = ProcessSetting(lambda config: config.counting, CountingRules)


def configure(config: Config) -> CountingRules:
    """Use CONFIG's [counting] settings in this process."""
    return _rules.configure(config)


def counting_rules() -> CountingRules:
    """This process's [counting] settings: as configured, else the standard files'."""
    return _rules.get()


def use_rules(rules: CountingRules | None) -> None:
    """Use RULES from now on (None: read the configuration again); for tests and tools."""
    _rules.use(rules)
