"""GS1's rules, vector by vector: `gs1_vectors.txt`, read by the scanner and by
`backroom scan`, must each come out valid, valid with a warning, or refused with its
reason, as the GS1 documents the table was written from say."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from backroom.scanners.parse import parse
from backroom.tui.cli.main import main

VECTORS = Path(__file__).with_name("gs1_vectors.txt")
ESCAPES = {"{GS}": "\x1d", "{TAB}": "\t"}
cli_main = importlib.import_module("backroom.tui.cli.main")  # the module, not main()


@dataclass(frozen=True)
class Vector:
    line: int
    verdict: str  # valid, warn or invalid
    text: str
    expected: str
    reason: str

    @property
    def id(self) -> str:
        return f"{self.line}-{self.verdict}-{self.reason[:40]}"


def _vectors() -> list[Vector]:
    rows = []
    for number, line in enumerate(VECTORS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        verdict, text, expected, reason = line.split(" | ")
        for escape, character in ESCAPES.items():
            text = text.replace(escape, character)
        rows.append(Vector(number, verdict, text, expected, reason))
    return rows


ALL = _vectors()


def test_the_table_holds_at_least_200_vectors_of_each_verdict():
    verdicts = [v.verdict for v in ALL]
    assert len(ALL) >= 200
    assert set(verdicts) == {"valid", "warn", "invalid"}
    assert min(verdicts.count(v) for v in ("valid", "invalid")) >= 80
    assert all(v.reason and v.expected for v in ALL)


@pytest.mark.parametrize("vector", ALL, ids=[v.id for v in ALL])
def test_the_scanner_reads_each_vector_as_gs1_says(vector):
    scan = parse(vector.text)
    if vector.verdict == "invalid":
        assert scan.problem is not None, "accepted what GS1 refuses"
        assert vector.expected in scan.problem
        return
    assert scan.problem is None, scan.problem
    assert scan.gs1 is not None and scan.gs1_declared
    warnings = " ".join(scan.gs1.companions)
    if vector.verdict == "valid":
        read = " ".join(f"{e.ai}={e.value}" for e in scan.gs1.elements)
        assert read == vector.expected
        assert warnings == ""
    else:
        assert vector.expected in warnings


@pytest.fixture(scope="module")
def scan_database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('vectors') / 'backroom.db'}"
    assert main(["--db", url, "init"]) == 0
    return url


def test_backroom_scan_reads_every_vector_as_gs1_says(scan_database, capsys, monkeypatch):
    """One test for the whole table: each vector through the command, in-process (the
    parser, built once, is most of a run's time)."""
    monkeypatch.delenv("BACKROOM_STATION", raising=False)
    parser = cli_main.build_parser()
    monkeypatch.setattr(cli_main, "build_parser", lambda words=None: parser)
    wrong = []
    for vector in ALL:
        status = main(["--db", scan_database, "scan", vector.text, "--json"])
        out, err = capsys.readouterr()
        scan = json.loads(out)["scan"]
        result = json.loads(out)["result"]
        if vector.verdict == "invalid":
            refusal = json.loads(err)["error"]["message"]
            ok = status == 1 and result["problem"] == "invalid" and vector.expected in refusal
        else:
            elements = " ".join(f"{e['ai']}={e['value']}" for e in scan["gs1"]["elements"])
            warned = " ".join(result["warnings"])
            ok = scan["problem"] is None and result.get("problem") != "invalid"
            if vector.verdict == "valid":
                ok = ok and elements == vector.expected
            else:
                ok = ok and vector.expected in warned
        if not ok:
            wrong.append(f"line {vector.line} ({vector.reason}): status {status}, {err.strip()}")
    assert wrong == []
