"""Search as you type runs on a worker thread over the vault's second connection: the newest keystroke wins,
an operation or the lock stops it first, and a connection closed by a rekey is replaced. Real vault, real
model and page."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3

from app.access.session import Session
from app.crm import demo
from app.crm.contacts import ContactInput, ContactService
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import open_session_for_ui, shutdown_session, wait_until
from ui.customers.page import CustomersPage
from ui.models.background_search import BackgroundSearch
from ui.models.contacts_model import SEARCH_LIMIT, ContactListModel
from ui.operation import message_for
from ui.session_context import SessionContext


@pytest.fixture
def owner(qtbot, new_vault: tuple[Path, str]) -> Iterator[Session]:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    contacts = ContactService(session)
    contacts.create_many(demo.generate(600), source="test")
    contacts.create_many(
        [ContactInput(given_name="Lukas", family_name="Weber"), ContactInput(given_name="Ana", family_name="Lima")],
        source="test",
    )
    yield session
    if session.vault.is_open:
        shutdown_session(session)


def _model(session: Session) -> tuple[ContactListModel, SessionContext]:
    context = SessionContext(session)
    model = ContactListModel(context)
    model.set_query("")
    return model, context


def _settled(qtbot, model: ContactListModel) -> None:
    wait_until(qtbot, lambda: not model.searching_in_background)


def test_typed_search_finds_the_same_people_in_the_background(qtbot, owner: Session) -> None:
    model, _context = _model(owner)
    shown_before = model.rowCount()
    assert model.search_in_background("weber")
    assert model.searching_in_background and model.rowCount() == shown_before  # the old rows stay meanwhile
    with qtbot.waitSignal(model.searched, timeout=5000):
        pass
    assert model.query == "weber"
    assert [model.contact_id(r) for r in range(model.rowCount())] == ContactService(owner).search_ids(
        "weber", limit=SEARCH_LIMIT + 1
    )
    assert model.rowCount() >= 1
    model.clear()


def test_the_newest_keystroke_wins(qtbot, owner: Session) -> None:
    model, _context = _model(owner)
    for text in ("a", "an", "ana", "ana l", "lukas"):
        model.search_in_background(text)
    _settled(qtbot, model)
    assert model.query == "lukas"
    names = {ContactService(owner).get(model.contact_id(r)).display_name for r in range(model.rowCount())}
    assert "Lukas Weber" in names and "Ana Lima" not in names
    qtbot.wait(100)  # any stale answer would land now
    assert model.query == "lukas"
    model.clear()


def test_a_blank_box_lists_everyone_at_once(qtbot, owner: Session) -> None:
    model, _context = _model(owner)
    model.search_in_background("ana")
    model.search_in_background("   ")
    assert not model.searching_in_background and model.query == "" and model.rowCount() > 0
    qtbot.wait(100)
    assert model.query == ""
    model.clear()


def test_an_operation_stops_the_search_and_a_closed_connection_is_replaced(qtbot, owner: Session) -> None:
    model, context = _model(owner)
    model.search_in_background("ana")
    context.busy_changed.emit(True, "rekey")  # what SessionContext.run says before an operation takes the vault
    assert not model.searching_in_background and not model._background.busy
    for conn in list(owner.vault._extra_connections):  # a rekey closes every second connection
        conn.close()
    context.busy_changed.emit(False, "")  # the interrupted search runs again, on a new connection
    assert model.searching_in_background
    _settled(qtbot, model)
    assert model.query == "ana" and model.rowCount() >= 1
    assert model.search_in_background("weber")
    _settled(qtbot, model)
    assert model.query == "weber" and model.rowCount() >= 1
    model.clear()


def test_a_connection_closed_under_a_queued_search_falls_back_to_the_session(qtbot, owner: Session) -> None:
    model, _context = _model(owner)
    model.search_in_background("lima")  # opens the second connection
    _settled(qtbot, model)
    gate = threading.Event()
    model._background._pool.submit(gate.wait)  # the worker is busy: the next search waits in the queue
    model.search_in_background("weber")
    for conn in list(owner.vault._extra_connections):  # closed from elsewhere before the search gets to run
        conn.close()
    gate.set()
    _settled(qtbot, model)  # the worker found it closed; the model searched on the session's connection
    assert model.query == "weber" and model.rowCount() >= 1
    assert [model.contact_id(r) for r in range(model.rowCount())] == ContactService(owner).search_ids(
        "weber", limit=SEARCH_LIMIT + 1
    )
    model.clear()


def test_a_connection_closed_under_a_running_search_reports_it(qtbot, owner: Session) -> None:
    """Closing interrupts the statement; with no newer search that is a failure to report, not a keystroke."""
    search = BackgroundSearch(SessionContext(owner))
    endless = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n", [])
    with qtbot.waitSignal(search.failed, timeout=5000) as failed:
        ticket = search.start(endless)
        qtbot.wait(100)  # the endless statement is running by now
        assert search.busy
        for conn in list(owner.vault._extra_connections):  # a lock or rekey from elsewhere
            conn.close()
    assert failed.args[0] == ticket and "OperationalError" in failed.args[1]  # named, in words, not quoted
    assert failed.args[1] == message_for(sqlcipher3.OperationalError("interrupted"))
    search.shut_down()


def test_locking_mid_search_waits_for_the_worker_and_forgets_it(qtbot, owner: Session) -> None:
    model, _context = _model(owner)
    model.search_in_background("lima")
    model.clear()  # the page's lock: the worker is idle afterwards, so the vault may close its connection
    assert not model.searching_in_background and model.rowCount() == 0
    assert not model._background.busy
    qtbot.wait(100)
    assert model.rowCount() == 0 and model.query == ""
    assert model.search_in_background("lima") is False  # nothing is read after the lock


def test_the_page_says_searching_only_while_a_search_is_still_running(qtbot, owner: Session) -> None:
    context = SessionContext(owner)
    page = CustomersPage(context)
    qtbot.addWidget(page)
    page.refresh()
    page.search.setText("weber")
    page.apply_search_as_typed()
    assert page.model.searching_in_background
    page._say_searching()  # what the notice timer does once the search has run SEARCHING_NOTICE_MS
    assert page.count_label.text() == "Searching…"
    _settled(qtbot, page.model)
    assert page.model.query == "weber" and "match" in page.count_label.text()
    page._say_searching()  # a late timer changes nothing once the results are in
    assert "match" in page.count_label.text()
    page.clear()


def test_ui_leaves_naming_database_errors_to_app() -> None:
    """No ui/ module knows the driver's exceptions: app/store/database.py names them, ui/operation.py's
    `message_for` puts any exception into words."""
    ui = Path(__file__).resolve().parents[1].parent / "ui"
    knowing = [
        str(p.relative_to(ui))
        for p in ui.rglob("*.py")
        if re.search(r"^\s*(import|from) sqlcipher3", p.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert knowing == []
