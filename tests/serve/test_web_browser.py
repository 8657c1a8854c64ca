"""`backroom serve web` in a real browser (headless Chromium, driven through the
DevTools protocol): a person logs in with a PIN, receives goods by typing into the
page, and the ledger holds that receipt; a tab closed mid-form posts nothing and its
TUI ends. One browser and one server for the module; every process ends with it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backroom.models.db import db
from backroom.models.masterdata.adding import (
    ItemSpec,
    add_item,
    add_location,
    add_user,
    get_user,
    init_database,
)
from backroom.models.migrations import open_database
from backroom.models.people.users import set_pin
from backroom.models.schema import Move
from tests.conftest import TEST_USER
from tests.serve.browser import Browser, Page, find_browser
from tests.serve.conftest import Server, backroom_argv, free_port
from tests.serve.test_no_orphans import _gone_within

PIN = "471147"
ENDED_WITHIN = 10.0  # seconds for a closed tab's TUI to end


@dataclass
class Site:
    """The server under test, its database and where the tests keep their files."""

    url: str
    server: Server
    folder: Path

    @property
    def page(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/"


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    """One headless Chromium for the module, ended (with its helpers) after it."""
    executable = find_browser()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium on CI: .ci/run installs it (apt-get install chromium)")
        pytest.skip("no Chromium here (apt-get install chromium): the browser tests need one")
    started = Browser(executable, tmp_path_factory.mktemp("chromium"))
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """`serve web` at the login screen, on a database where ann (an operator) has a PIN
    and there is an item to receive and a shelf to put it on."""
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'backroom.db'}"
    open_database(url, create=True)
    init_database(TEST_USER)
    admin = get_user(TEST_USER)
    add_user("ann", "operator", by=admin)
    set_pin("ann", PIN, by=admin)
    add_location("A-01", by=admin)
    add_item(ItemSpec("TAPE-48", "Packing tape 48 mm"), by=admin)
    db.close()
    port = free_port()
    argv = backroom_argv(url, "serve", "web", "--host", "127.0.0.1", "--port", str(port))
    server = Server(argv, port)
    try:
        yield Site(url, server, folder)
    finally:
        server.stop()


@pytest.fixture
def tabs(browser) -> Iterator[list[Page]]:
    """The tabs a test opens, closed after it whatever happened."""
    opened: list[Page] = []
    yield opened
    for tab in opened:
        tab.close()


def receipts(url: str) -> list[tuple[str, int, str, str]]:
    """(item, qty, to, by whom) of every receipt in the ledger."""
    open_database(url)
    try:
        return [
            (move.item.sku, move.qty, move.to_location.code, move.user.name)
            for move in Move.select().where(Move.kind == "receipt").order_by(Move.id)
        ]
    finally:
        db.close()


def log_in(site: Site, browser: Browser, tabs: list[Page]) -> tuple[Page, int]:
    """A new tab at the login screen, ann logged in with her PIN: the tab and the pid
    of its TUI."""
    before = sum("session started" in line for line in site.server.lines)
    tab = browser.open(site.page)
    tabs.append(tab)
    tab.wait_for("Scan your badge, or type your name and PIN")
    found = site.server.wait_line(r"session started for 127\.0\.0\.1 \(pid (\d+)\)", nth=before)
    # Typed as a person does, straight after the page opens: no click to focus it first.
    tab.type("ann")
    tab.press("enter")
    tab.type(PIN)
    tab.press("enter")
    tab.wait_for("ann ·", "Receive")
    return tab, int(found.group(1))


def test_a_receipt_typed_in_the_browser_is_in_the_ledger(site, browser, tabs):
    tab, _ = log_in(site, browser, tabs)
    tab.type("r")
    tab.wait_for("Quantity", "To location")
    for entry in ("TAPE-48", "5", "A-01"):
        tab.type(entry)
        tab.press("enter")
    tab.wait_for("Posted move")
    picture = tab.screenshot(site.folder / "receipt.png")
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert receipts(site.url) == [("TAPE-48", 5, "A-01", "ann")]
    tab.press("f2")  # home, where the ledger shows the receipt
    tab.type("l")
    shown = tab.wait_for("TAPE-48", "A-01")
    assert any("TAPE-48" in line and "5" in line for line in shown.splitlines())
    # The page took nothing from another host, and its policy blocked nothing it needs.
    assert all(address.startswith(site.page) for address in tab.resources())
    assert tab.refused_by_policy() == []


def test_a_tab_closed_mid_form_posts_nothing_and_its_tui_ends(site, browser, tabs):
    already = receipts(site.url)
    tab, pid = log_in(site, browser, tabs)
    tab.type("r")
    tab.wait_for("Quantity", "To location")
    tab.type("TAPE-48")
    tab.press("enter")
    tab.type("7")
    tab.press("enter")
    tab.wait_for("TAPE-48", "7")
    tab.close()  # gone before the location was given
    assert _gone_within([pid], ENDED_WITHIN) == []
    site.server.wait_line(rf"session ended \(pid {pid}, status")
    assert receipts(site.url) == already
