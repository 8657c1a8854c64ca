"""The README's printer and scanner-station examples are configurations Backroom
accepts, and mean what the README says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from backroom.labels import jobs
from backroom.labels.printers import load_printers
from backroom.labels.sizes import LabelSize
from backroom.models.config import Config
from backroom.scanners.settings import ScannerSettings

README = Path(__file__).resolve().parents[2] / "README.md"


def _section_config() -> Config:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Printers and scanner stations\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2
    return Config(tomllib.loads("\n".join(blocks)))


def test_the_printer_examples_load():
    config = _section_config()
    printers = load_printers(config)
    assert set(printers) == {"dock", "office", "drop"}
    assert printers["dock"].host_port() == ("10.0.4.21", 9100)
    assert (printers["office"].transport, printers["office"].size) == ("cups", LabelSize(57, 32))
    job = jobs.settings_for(config, "location", use_default_printer=True)
    assert (job.printer.name, job.format, str(job.size)) == ("dock", "zpl", "100x50")


def test_the_station_examples_load():
    config = _section_config()
    receiving = ScannerSettings.from_config(config, "receiving")
    assert (receiving.prefix, receiving.suffix) == ("]C1", "\t")
    assert receiving.gs_substitutes == ("<GS>", "~")
    assert ScannerSettings.from_config(config, "packing").suffix == "\r"  # the default's
