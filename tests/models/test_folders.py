"""The site's folders: where imports come from and exports, labels and documents go; a
chosen name never leads out of its folder, and a new file never replaces one."""

from __future__ import annotations

import csv
import io
import os
import re
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backroom.models.config import Config
from backroom.models.data.csv_cells import SafeCsvWriter, neutralised, read_back, runs_as_formula
from backroom.models.data.folders import (
    import_files,
    new_file,
    output_path,
    read_chosen,
    site_folders,
    write_whole,
    written,
)
from backroom.models.errors import DomainError

OUTSIDE_TEXT = "root:*:19000:0:99999:7:::\n"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    return tmp_path / "share" / "backroom"


@pytest.fixture
def imports(tmp_path):
    """An imports folder holding one good file and every kind of thing not to offer;
    a secret file outside it."""
    secret = tmp_path / "shadow"
    secret.write_text(OUTSIDE_TEXT)
    folder = tmp_path / "imports"
    (folder / "sub").mkdir(parents=True)
    (folder / "items.csv").write_text("sku,name\nRICE,Rice\n")
    (folder / ".hidden.csv").write_text("sku,name\n")
    (folder / "sub" / "deeper.csv").write_text("sku,name\n")
    (folder / "to-shadow.csv").symlink_to(secret)
    (folder / "to-etc.csv").symlink_to("/etc/passwd")
    (folder / "up.csv").symlink_to("../shadow")
    (folder / "same.csv").symlink_to("items.csv")  # a link that stays inside is fine
    (folder / "dangling.csv").symlink_to(folder / "gone.csv")
    os.mkfifo(folder / "pipe.csv")
    return folder


# --- where the folders are --------------------------------------------------------------


def test_folders_default_to_the_data_folder_and_are_made_0750(data_home):
    folders = site_folders(Config())
    for kind in ("imports", "exports", "labels", "documents"):
        path = folders.of(kind)
        assert path == data_home / kind
        assert path.is_dir() and mode(path) == 0o750


def test_a_named_site_gets_a_folder_of_its_own(data_home):
    folders = site_folders(Config({"site": {"name": "Antwerp Dock 2/../x"}}))
    assert folders.exports == data_home / "Antwerp_Dock_2_x" / "exports"
    assert mode(data_home / "Antwerp_Dock_2_x") == 0o750


def test_folders_named_in_the_config_are_used_and_made_with_their_parents(tmp_path, data_home):
    config = Config({"folders": {"exports": str(tmp_path / "srv" / "out")}})
    folders = site_folders(config)
    assert folders.exports == tmp_path / "srv" / "out"
    assert mode(tmp_path / "srv") == 0o750 and mode(tmp_path / "srv" / "out") == 0o750
    assert folders.imports == data_home / "imports"


@pytest.mark.parametrize("value", ["relative/exports", "", 7])
def test_a_folder_setting_that_is_no_absolute_path_is_refused(value, data_home):
    with pytest.raises(DomainError, match=r"\[folders\] exports"):
        site_folders(Config({"folders": {"exports": value}}))


# --- what an import may read ------------------------------------------------------------


def test_only_regular_files_inside_the_folder_are_offered(imports):
    assert [f.name for f in import_files(imports)] == ["items.csv", "same.csv"]
    assert import_files(imports)[0].size == len("sku,name\nRICE,Rice\n")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../shadow", "not a file name"),
        ("sub/deeper.csv", "not a file name"),
        ("/etc/passwd", "not a file name"),
        ("..", "not a file name"),
        (".hidden.csv", "hidden file"),
        ("to-shadow.csv", "link out of the imports folder"),
        ("to-etc.csv", "link out of the imports folder"),
        ("up.csv", "link out of the imports folder"),
        ("dangling.csv", "no file"),
        ("pipe.csv", "not a regular file"),
        ("sub", "folder"),
        ("missing.csv", "no file"),
        ("", "Choose a file"),
    ],
)
def test_a_name_that_leads_anywhere_but_a_file_of_the_folder_is_refused(imports, name, why):
    with pytest.raises(DomainError, match=why) as refused:
        read_chosen(imports, name)
    assert "root:" not in str(refused.value)


def test_a_file_of_the_folder_is_read_also_through_a_link_inside_it(imports):
    assert read_chosen(imports, "items.csv") == b"sku,name\nRICE,Rice\n"
    assert read_chosen(imports, "same.csv") == b"sku,name\nRICE,Rice\n"


# --- new files under Backroom's names ----------------------------------------------------


def test_new_files_get_backrooms_names_numbered_and_0640(tmp_path):
    made = []
    for _ in range(2):
        with new_file(tmp_path, "stock", "csv") as out:
            out.file.write("sku,qty\n")
        made.append(out.path)
    first, second = (p.name for p in made)
    assert re.fullmatch(r"stock-\d{8}-\d{6}-\d{3}\.csv", first)
    assert first != second
    assert all(mode(p) == 0o640 and p.read_text() == "sku,qty\n" for p in made)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first, second])


def test_a_link_planted_under_the_next_name_is_not_followed(tmp_path, monkeypatch):
    from backroom.models.data import folders

    monkeypatch.setattr(folders, "file_stem", lambda kind, detail="": f"{kind}-20260101-000000")
    victim = tmp_path / "victim.pth"
    victim.write_text("untouched\n")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "stock-20260101-000000-001.csv").symlink_to(victim)
    with new_file(folder, "stock", "csv") as out:
        out.file.write("sku\n")
    assert victim.read_text() == "untouched\n"
    assert out.path == folder / "stock-20260101-000000-002.csv"
    assert out.path.read_text() == "sku\n"


def test_a_kind_with_odd_characters_makes_a_safe_name(tmp_path):
    with new_file(tmp_path, "../../etc/cron.d/x", "c;sv", detail="L;id>x;") as out:
        out.file.write("x")
    assert out.path is not None and out.path.parent == tmp_path
    assert re.fullmatch(r"etc_cron_d_x-L_id_x-\d{8}-\d{6}-001\.c_sv", out.path.name)


def test_a_failed_export_leaves_no_file_behind(tmp_path):
    with pytest.raises(RuntimeError), new_file(tmp_path, "moves", "csv") as out:
        out.file.write("half")
        raise RuntimeError("the database went away")
    assert list(tmp_path.iterdir()) == []


# --- the command line's --out ------------------------------------------------------------


def test_out_refuses_a_folder_a_missing_parent_and_an_existing_file(tmp_path):
    existing = tmp_path / "stock.csv"
    existing.write_text("old\n")
    with pytest.raises(DomainError, match="is a folder"):
        output_path(str(tmp_path))
    with pytest.raises(DomainError, match="does not exist"):
        output_path(str(tmp_path / "nowhere" / "stock.csv"))
    with pytest.raises(DomainError, match="exists: add --force"):
        output_path(str(existing))
    assert output_path(str(existing), force=True) == existing
    with pytest.raises(DomainError, match="not a folder"):
        output_path(str(existing / "x.csv"))


def test_out_never_overwrites_through_a_link_even_with_force(tmp_path):
    victim = tmp_path / "zz.pth"
    victim.write_text("untouched\n")
    (tmp_path / "out.csv").symlink_to(victim)
    for force in (False, True):
        with pytest.raises(DomainError):
            output_path(str(tmp_path / "out.csv"), force=force)
    assert victim.read_text() == "untouched\n"


def test_written_replaces_only_with_force_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "stock.csv"
    write_whole(target, "first\n")
    assert mode(target) == 0o640
    with pytest.raises(DomainError, match="exists"):
        write_whole(target, "second\n")
    with pytest.raises(RuntimeError), written(target, force=True) as fh:
        fh.write("half")
        raise RuntimeError("stopped")
    assert target.read_text() == "first\n"
    write_whole(target, "second\n", force=True)
    assert target.read_text() == "second\n"
    assert [p.name for p in tmp_path.iterdir()] == ["stock.csv"]


# --- CSV cells --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written_as"),
    [
        ("=1+1", "'=1+1"),
        ("-L1", "'-L1"),
        ("+x", "'+x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("-", "'-"),
        ("-3", "-3"),
        ("+2", "+2"),
        ("-1.5e3", "-1.5e3"),
        ("'=x", "''=x"),
        ("'plain", "'plain"),
        ("L;id>x;", "L;id>x;"),
        ("", ""),
    ],
)
def test_cells_that_would_run_get_a_quote_and_read_back_as_they_were(text, written_as):
    assert neutralised(text) == written_as
    assert read_back(written_as) == text


@given(st.text(max_size=12))
def test_any_text_survives_the_round_trip_and_never_runs(text):
    cell = neutralised(text)
    assert read_back(cell) == text
    assert not runs_as_formula(cell)


def test_a_row_with_a_risky_cell_quotes_it_and_leaves_numbers_bare():
    out = io.StringIO()
    SafeCsvWriter(out).writerows(
        [("=1+1", -3, "-3", None, 'a "b", c'), ("plain", 2, "x", None, "")]
    )
    assert out.getvalue() == '"\'=1+1",-3,-3,,"a ""b"", c"\nplain,2,x,,\n'
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "-3", "-3", "", 'a "b", c'],
        ["plain", "2", "x", "", ""],
    ]


# No CR: csv.writer leaves a cell ending in one unquoted, and csv.reader then loses it
# (a leading CR is neutralised and quoted: see the table above).
cells = st.one_of(st.text(alphabet="=+-@\t'\",\nab1 ", max_size=6), st.integers(-9, 9))


@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=30))
def test_every_row_of_a_batch_comes_out_neutralised_and_reads_back(rows):
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.BATCH = 7  # several batches, some with a risky cell and some without
    writer.writerows(rows)
    parsed = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    expected = [[str(neutralised(c)) for c in row] for row in rows]
    assert parsed == expected
    assert not any(runs_as_formula(cell) for row in parsed for cell in row)


def test_a_folder_swapped_for_a_link_after_the_check_is_caught(tmp_path, monkeypatch):
    from backroom.models.data import folders

    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "x.csv").write_text(OUTSIDE_TEXT)
    imports = tmp_path / "imports"
    (imports / "sub").mkdir(parents=True)
    (imports / "sub" / "x.csv").write_text("sku,name\n")
    (imports / "a.csv").symlink_to("sub/x.csv")
    checked = folders._inside

    def swapped_after_the_check(folder, name):
        real = checked(folder, name)
        (imports / "sub" / "x.csv").unlink()
        (imports / "sub").rmdir()
        (imports / "sub").symlink_to(outside)  # the race: sub now leads out
        return real

    monkeypatch.setattr(folders, "_inside", swapped_after_the_check)
    with pytest.raises(DomainError, match="leads out of the imports folder") as refused:
        read_chosen(imports, "a.csv")
    assert "root:" not in str(refused.value)
