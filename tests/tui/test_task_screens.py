"""The task queue on screen: Next task on a 40x16 handheld, done by scans alone (a put-away,
a blind count, a glued burst, a wrong bin, a short quantity, a skip, a task put back),
and the lead's task board (lists, gives to someone, cancels; not for operators)."""

from __future__ import annotations

import pytest

from backroom.models.browse.stock import on_hand
from backroom.models.masterdata.adding import ItemSpec, add_item, add_location, add_user
from backroom.models.people.roles import acting
from backroom.models.schema.tasks import Task
from backroom.models.stock.operations import receive
from backroom.models.tasks.queue import TaskSpec, add_task
from backroom.models.tasks.records import list_tasks, view_of
from backroom.tui.app import BackroomApp
from backroom.tui.screens.people.login import set_user
from tests.conftest import TEST_USER
from tests.tui.conftest import key_burst, settle, shortcut
from tests.tui.test_shipping_flow import session

HANDHELD = (40, 16)
PUT_AWAY = ["D", "O", "C", "K", "enter", *"SOAP", "enter", *"24", "enter", *"A-01", "enter"]


@pytest.fixture
def floor(sqlite_database) -> str:
    """24 SOAP on the dock, 6 SOAP in B-01; ana is an operator."""
    for code in ("DOCK", "A-01", "A-02", "B-01"):
        add_location(code)
    add_item(ItemSpec("SOAP", "Soap bar"))
    receive("SOAP", 24, "DOCK", user=TEST_USER)
    receive("SOAP", 6, "B-01", user=TEST_USER)
    add_user("ana", "operator", by=acting(TEST_USER, "user.manage"))
    return sqlite_database


def put_away() -> str:
    spec = TaskSpec("put_away", item="SOAP", qty=24, from_location="DOCK", to_location="A-01")
    return add_task(spec, user=TEST_USER).number


def count_b01() -> str:
    return add_task(TaskSpec("count", item="SOAP", from_location="B-01"), user=TEST_USER).number


async def entries(pilot, *texts: str) -> None:
    """Each text typed into the focused field and Enter, as a person scans them."""
    for text in texts:
        await pilot.press(*text, "enter")
        await settle(pilot)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def open_next_task(pilot) -> None:
    await shortcut(pilot, "j")
    await settle(pilot)


async def test_a_put_away_done_by_scans_alone(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        assert text_of(app, "#context") == "Go to DOCK"
        await entries(pilot, "DOCK")
        assert text_of(app, "#context") == "Scan SOAP"
        await entries(pilot, "SOAP")
        assert text_of(app, "#context") == "Take 24 pcs SOAP"
        await entries(pilot, "24")
        assert text_of(app, "#context") == "Put at A-01"
        await entries(pilot, "A-01")
        assert text_of(app, "#result").startswith(f"{number} done")
        assert "Nothing to do now" in text_of(app, "#message")
    assert on_hand("SOAP", location="A-01") == 24 and on_hand("SOAP", location="DOCK") == 0
    assert view_of(number).status == "done"


async def test_a_count_is_blind_and_records_what_was_counted(floor):
    number = count_b01()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await entries(pilot, "B-01", "SOAP")
        screen = app.screen
        shown = text_of(app, "#context") + screen.field_input("qty").placeholder
        assert shown == "Count SOAP: how many?how many are there"  # never the 6 booked
        await entries(pilot, "5")
        assert text_of(app, "#result").startswith(f"{number} done")
    assert on_hand("SOAP", location="B-01") == 5
    assert view_of(number).done_qty == 5


async def test_a_count_far_off_the_books_is_held_for_a_lead_not_posted(floor):
    number = count_b01()
    app = BackroomApp(session(floor, "ana"))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await entries(pilot, "B-01", "SOAP", "60", "enter")  # 60 is unusual: Enter again
        said = " ".join(text_of(app, "#result").split())
        assert said.startswith(f"{number} done") and "held for a lead" in said
        assert "6" not in said.replace("60", "")  # still blind: never the 6 booked
        assert "Go to B-01" in text_of(app, "#context")  # its recount, offered next
    assert on_hand("SOAP", location="B-01") == 6


async def test_a_bin_to_check_empty_asks_no_item(floor):
    number = add_task(TaskSpec("count", from_location="A-02"), user=TEST_USER).number
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await entries(pilot, "A-02")
        assert text_of(app, "#context") == "Is A-02 empty? 0 if so"
        await entries(pilot, "0")
        assert "A-02 checked: empty" in text_of(app, "#result")
    assert view_of(number).status == "done"


async def test_a_wrong_bin_is_refused_at_the_field(floor):
    put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await entries(pilot, "A-02")
        screen = app.screen
        assert "Wrong bin A-02: go to DOCK" in text_of(app, "#message")
        field = screen.field_input("location")
        assert screen.focused is field and field.selected_text == "A-02"
        assert screen.values == {}


async def test_all_scans_of_a_task_in_one_burst_post_it(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        key_burst(app, PUT_AWAY)
        for _ in range(5):
            await settle(pilot)
    assert on_hand("SOAP", location="A-01") == 24
    assert view_of(number).status == "done"


async def test_a_wrong_bin_in_a_burst_posts_nothing(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        key_burst(app, [*"A-02", "enter", *PUT_AWAY[5:]])
        for _ in range(5):
            await settle(pilot)
        assert "Wrong bin" in text_of(app, "#message")
    assert on_hand("SOAP", location="DOCK") == 24 and on_hand("SOAP", location="A-01") == 0
    assert view_of(number).status in ("assigned", "in_progress")


async def test_a_short_quantity_is_asked_then_recorded(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await entries(pilot, "DOCK", "SOAP", "20")
        assert "Short: expected 24, found 20?" in text_of(app, "#dialog-question")
        await pilot.press("y")
        await settle(pilot)
        await entries(pilot, "A-01")
    assert on_hand("SOAP", location="A-01") == 20
    assert view_of(number).done_qty == 20
    assert list_tasks(kind="put_away") == []  # short: no task for the rest
    (recount,) = list_tasks(kind="count")
    assert recount.from_location == "DOCK"


async def test_more_than_the_task_asks_is_refused(floor):
    put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await entries(pilot, "DOCK", "SOAP", "25")
        assert "asks for 24; 25 is more than that" in text_of(app, "#message")
        assert "qty" not in app.screen.values


async def test_skip_with_a_reason(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("3")  # bin blocked
        await settle(pilot)
        assert text_of(app, "#result") == f"{number} skipped: blocked"
    task = view_of(number)
    assert (task.status, task.reason) == ("skipped", "blocked")


async def test_esc_puts_the_task_back_in_the_queue(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        assert view_of(number).taken_by == TEST_USER
        await pilot.press("escape")
        await settle(pilot)
        assert text_of(app, "#dialog-question") == f"Put {number} back in the queue?"
        await pilot.press("y")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
    task = view_of(number)
    assert (task.status, task.taken_by) == ("open", None)


async def test_logging_out_puts_held_tasks_back(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        set_user(app, "")
        await settle(pilot)
    assert view_of(number).status == "open"


async def test_nothing_to_do_then_check_again(floor):
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        assert text_of(app, "#context") == "Nothing to do now"
        await entries(pilot, "DOCK")
        assert "Nothing to do now: Ctrl+R checks again" in text_of(app, "#message")
        number = put_away()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen.current.number == number
        assert text_of(app, "#context") == "Go to DOCK"


async def test_the_screen_keeps_a_held_task_alive(floor):
    number = put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        screen = app.screen
        assert screen.beating is not None  # every HEARTBEAT_SECONDS
        before = Task.get_by_id(view_of(number).id).heartbeat_at
        screen.beat()  # the timer's tick, without waiting a minute
        await settle(pilot)
        assert Task.get_by_id(view_of(number).id).heartbeat_at > before


async def test_f1_lists_the_keys_and_what_each_prompt_expects(floor):
    put_away()
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        await pilot.press("f1")
        await settle(pilot)
        said = " ".join(text_of(app, "#help-keys").split())
    for words in ("Keys — Next task", "Ctrl+T Skip", "Ctrl+R Check again", "Esc Clear/put back"):
        assert words in said
    for words in ("Location scan the bin you are sent to", "Put at scan the bin it goes to"):
        assert words in said
    assert "Keep bin" not in said and "Undo" not in said


# --- the lead's board ------------------------------------------------------------------


async def test_the_board_lists_gives_to_someone_and_cancels(floor):
    first, second = put_away(), count_b01()
    app = BackroomApp(session(floor))
    async with app.run_test(size=(80, 24)) as pilot:
        await shortcut(pilot, "v")
        await settle(pilot)
        table = app.screen.query_one("#tasks")
        assert table.row_count == 2
        assert "Open tasks: 2" in text_of(app, "#by-kind")
        await pilot.press("a")
        await settle(pilot)
        names = [str(o.id) for o in app.screen.query_one("#choice-list").options]
        await pilot.press(str(names.index("ana") + 1))
        await settle(pilot)
        assert view_of(first).taken_by == "ana"
        assert f"{first} is given to ana" in text_of(app, "#message")
        await pilot.press("down", "x")
        await settle(pilot)
        await pilot.press(*"bin emptied", "enter")
        await settle(pilot)
        assert app.screen.query_one("#tasks").row_count == 1
    assert (view_of(second).status, view_of(second).reason) == ("cancelled", "bin emptied")


async def test_an_operator_cannot_open_the_board(floor):
    number = put_away()
    app = BackroomApp(session(floor, user="ana"))
    async with app.run_test(size=HANDHELD) as pilot:
        await shortcut(pilot, "v")
        await settle(pilot)
        assert "Esc to go back" in text_of(app, "#by-kind")
        assert app.screen.query_one("#tasks").row_count == 0
        await pilot.press("x")
        await settle(pilot)
        assert type(app.screen).__name__ == "TaskBoardScreen"  # no dialog opened
    assert view_of(number).status == "open"


def test_next_task_at_40x16(snap_compare, floor):
    put_away()
    app = BackroomApp(session(floor))

    async def first_scans(pilot) -> None:
        await open_next_task(pilot)
        await entries(pilot, "DOCK", "SOAP")

    assert snap_compare(app, terminal_size=HANDHELD, run_before=first_scans)


async def test_a_batch_pick_says_which_tote_it_goes_into(floor):
    from backroom.models.goods_out.allocation import allocate
    from backroom.models.goods_out.orders import add_line, create_shipment
    from backroom.models.goods_out.parties import add_consignee
    from backroom.models.tasks.batches import create_batch

    add_consignee(
        "Shop", address="Road 1", postal_code="1", city="Town", country="DE", user=TEST_USER
    )
    shipments = []
    for qty in (2, 3):
        number = create_shipment("Shop", user=TEST_USER)
        add_line(number, "SOAP", qty, user=TEST_USER)
        allocate(number, user=TEST_USER)
        shipments.append(number)
    create_batch(TEST_USER, shipments=shipments)
    app = BackroomApp(session(floor))
    async with app.run_test(size=HANDHELD) as pilot:
        await open_next_task(pilot)
        place = text_of(app, "#context").removeprefix("Go to ")
        await entries(pilot, place, "SOAP")
        asked = " ".join(text_of(app, "#context").split())
        assert asked in (
            f"Pick 2 pcs SOAP into T1 ({shipments[0]})",
            f"Pick 3 pcs SOAP into T2 ({shipments[1]})",
        )
