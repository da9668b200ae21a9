"""The customer detail's Deals and Activities tabs open a row in the deal / activity editor (double-click, Enter
or F2), the pane and the other pages show the saved change, and a role that may not edit gets no editor.
Real vault files, real widgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from app.access.roles import Permission, Role
from app.access.session import Session
from app.access.users import UserService
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactService
from app.crm.deals import DealService
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui.test_pipeline import auditor_session
from tests.ui_helpers import add_user, open_session_for_ui, press, shot, shutdown_session
from ui.customers.detail import ContactDetail
from ui.customers.page import CustomersPage
from ui.customers.tables import RecordTable
from ui.main_window import MainWindow
from ui.sales.activity_dialog import ActivityDialog
from ui.sales.deal_dialogs import DealDialog
from ui.sales.pipeline_page import PipelinePage
from ui.session_context import SessionContext

D = TypeVar("D", bound=QDialog)
STAFF, STAFF_PASSWORD = "Bea Staff", "bea-own-pass-1"


@dataclass
class Seeded:
    customer: int
    bouquets: int  # deal
    wedding: int  # deal
    other_deal: int  # another customer's
    call: int  # activity
    quote: int  # activity


def _seed(session: Session) -> Seeded:
    contacts = ContactService(session)
    ana = contacts.create(ContactInput(given_name="Ana", family_name="Lima"))
    other = contacts.create(ContactInput(given_name="José", family_name="Núñez"))
    deals = DealService(session)
    stages = deals.pipelines()[0].stages
    now = datetime.now(UTC)
    wedding = deals.create(
        "Wedding flowers",
        value="1250.00",
        currency="EUR",
        contact_id=ana,
        stage_id=stages[1].id,
        expected_close=(now + timedelta(days=30)).date(),
    )
    bouquets = deals.create("Weekly office bouquets", value="80", currency="GBP", contact_id=ana, stage_id=stages[0].id)
    other_deal = deals.create("Window display", value="300", currency="EUR", contact_id=other)
    activities = ActivityService(session)
    call = activities.create("call", "Call about the wedding order", due_at=now + timedelta(days=2), contact_id=ana)
    quote = activities.create("task", "Send the quote", due_at=now - timedelta(days=1), contact_id=ana)
    return Seeded(ana, bouquets, wedding, other_deal, call, quote)


def _window(qtbot, session: Session) -> tuple[MainWindow, CustomersPage]:
    main = MainWindow(SessionContext(session))
    qtbot.addWidget(main, before_close_func=lambda window: setattr(window, "discarded", True))
    main.show()
    main.show_page("customers")
    qtbot.waitExposed(main)
    page = main.page("customers")
    assert isinstance(page, CustomersPage)
    return main, page


def _page(qtbot, context: SessionContext) -> CustomersPage:
    page = CustomersPage(context)
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    qtbot.waitExposed(page)
    return page


def _open_dialogs(widget: QWidget, kind: type[D]) -> list[D]:
    return [dialog for dialog in widget.window().findChildren(kind) if dialog.isVisible()]


def _row_of(table: RecordTable, text: str, column: int) -> int:
    return [row[column] for row in table.rows()].index(text)


def _double_click_row(qtbot, table: RecordTable, row: int) -> None:
    item = table.table.item(row, 1)
    assert item is not None
    centre = table.table.visualItemRect(item).center()
    qtbot.mouseClick(table.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def _show_tab(detail: ContactDetail, tab: RecordTable) -> None:
    detail.tabs.setCurrentWidget(tab)
    tab.table.setFocus()


def test_double_clicking_a_deal_row_edits_that_deal_and_every_view_shows_it(qtbot, owner: Session) -> None:
    seeded = _seed(owner)
    main, page = _window(qtbot, owner)
    detail = page.detail
    assert detail.show_contact(seeded.customer)
    _show_tab(detail, detail.deals)
    titles = [row[0] for row in detail.deals.rows()]
    assert sorted(titles) == ["Wedding flowers", "Weekly office bouquets"]  # not the other customer's deal
    row = _row_of(detail.deals, "Weekly office bouquets", 0)
    _double_click_row(qtbot, detail.deals, row)
    dialogs = _open_dialogs(main, DealDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.deal is not None and dialog.deal.id == seeded.bouquets
    assert dialog.windowTitle() == "Edit deal" and dialog.title.text() == "Weekly office bouquets"
    assert dialog.customer.contact_id() == seeded.customer and dialog.currency.currentText() == "GBP"
    assert "Lead" in dialog.stage_note.text()
    qtbot.wait(50)
    shot(main, "customers-detail-deal-editor-behind")
    shot(dialog, "customers-detail-deal-editor")

    dialog.title.setText("Monday office bouquets")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    assert DealService(owner).get(seeded.bouquets).title == "Monday office bouquets"
    titles = [row[0] for row in detail.deals.rows()]
    assert "Monday office bouquets" in titles and "Weekly office bouquets" not in titles  # the tab read again
    assert detail.deals.current_id() == seeded.bouquets  # the keyboard is still on the edited deal
    assert detail.contact_id == seeded.customer and detail.message.text() == ""
    main.show_page("pipeline")  # a page hidden during the edit catches up through context.changed
    pipeline = main.page("pipeline")
    assert isinstance(pipeline, PipelinePage)
    found = pipeline.board.locate(seeded.bouquets)
    assert found is not None and found[1].text() == "Monday office bouquets"


def test_enter_and_f2_on_an_activity_row_open_the_activity_editor(qtbot, owner: Session) -> None:
    seeded = _seed(owner)
    page = _page(qtbot, SessionContext(owner))
    detail = page.detail
    assert detail.show_contact(seeded.customer)
    _show_tab(detail, detail.activities)
    assert detail.activities.table.focusPolicy() & Qt.FocusPolicy.TabFocus
    row = _row_of(detail.activities, "Send the quote", 1)
    detail.activities.table.setCurrentCell(row, 0)
    assert detail.activities.current_id() == seeded.quote
    qtbot.keyClick(detail.activities.table, Qt.Key.Key_Return)
    dialogs = _open_dialogs(page, ActivityDialog)
    assert len(dialogs) == 1 and dialogs[0].activity is not None and dialogs[0].activity.id == seeded.quote
    assert dialogs[0].windowTitle() == "Edit activity" and dialogs[0].subject.text() == "Send the quote"
    dialogs[0].reject()
    assert _open_dialogs(page, ActivityDialog) == []

    detail.activities.table.setFocus()
    qtbot.keyClick(detail.activities.table, Qt.Key.Key_F2)
    dialogs = _open_dialogs(page, ActivityDialog)
    assert len(dialogs) == 1 and dialogs[0].activity is not None and dialogs[0].activity.id == seeded.quote
    dialogs[0].subject.setText("Send the revised quote")
    qtbot.keyClick(dialogs[0].subject, Qt.Key.Key_Return)  # the default button saves
    assert not dialogs[0].isVisible()
    assert ActivityService(owner).get(seeded.quote).subject == "Send the revised quote"
    subjects = [row[1] for row in detail.activities.rows()]
    assert "Send the revised quote" in subjects and "Send the quote" not in subjects
    assert detail.activities.current_id() == seeded.quote

    row = _row_of(detail.activities, "Call about the wedding order", 1)
    detail.activities.table.setCurrentCell(row, 0)
    qtbot.keyClick(detail.activities.table, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    dialogs = _open_dialogs(page, ActivityDialog)
    assert len(dialogs) == 1 and dialogs[0].activity is not None and dialogs[0].activity.id == seeded.call
    dialogs[0].reject()


def test_the_history_tab_has_no_ids_and_opens_nothing(qtbot, owner: Session) -> None:
    seeded = _seed(owner)
    page = _page(qtbot, SessionContext(owner))
    detail = page.detail
    assert detail.show_contact(seeded.customer)
    _show_tab(detail, detail.history)
    assert detail.history.rows()  # the owner reads the log: there are rows to press keys on
    detail.history.table.setCurrentCell(0, 0)
    with qtbot.assertNotEmitted(detail.history.activated):
        qtbot.keyClick(detail.history.table, Qt.Key.Key_Return)
        qtbot.keyClick(detail.history.table, Qt.Key.Key_F2)
        _double_click_row(qtbot, detail.history, 0)
    assert detail.history.current_id() is None
    assert _open_dialogs(page, DealDialog) == [] and _open_dialogs(page, ActivityDialog) == []


def test_an_auditor_gets_no_editor_and_is_told_why(qtbot, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seeded = _seed(owner)
    shutdown_session(owner)
    session = auditor_session(new_vault[0])
    context = SessionContext(session)
    assert not context.can(Permission.EDIT_CUSTOMERS)
    reason = context.why_not(Permission.EDIT_CUSTOMERS)
    page = _page(qtbot, context)
    detail = page.detail
    assert detail.show_contact(seeded.customer)
    _show_tab(detail, detail.deals)
    item = detail.deals.table.item(0, 0)
    assert item is not None and reason in item.toolTip() and "F2" not in item.toolTip()
    assert detail.deals.table.accessibleDescription() == reason
    _double_click_row(qtbot, detail.deals, 0)
    qtbot.keyClick(detail.deals.table, Qt.Key.Key_F2)
    _show_tab(detail, detail.activities)
    detail.activities.table.setCurrentCell(0, 0)
    qtbot.keyClick(detail.activities.table, Qt.Key.Key_Return)
    assert _open_dialogs(page, DealDialog) == [] and _open_dialogs(page, ActivityDialog) == []
    assert detail.edit_deal(seeded.bouquets) is None and detail.edit_activity(seeded.call) is None
    assert detail.message.text() == reason
    assert DealService(session).get(seeded.bouquets).title == "Weekly office bouquets"
    shutdown_session(session)


def test_staff_may_edit_so_they_get_the_editor(qtbot, new_vault: tuple[Path, str]) -> None:
    """Staff hold the edit permission (the services let them save), so the pane offers them the editor."""
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seeded = _seed(owner)
    add_user(owner, STAFF, Role.STAFF, "temporary-1")
    shutdown_session(owner)
    session = open_session_for_ui(new_vault[0], STAFF, "temporary-1")
    UserService(session, kdf.CHEAP).change_own_password("temporary-1", STAFF_PASSWORD)
    page = _page(qtbot, SessionContext(session))
    detail = page.detail
    assert detail.show_contact(seeded.customer)
    _show_tab(detail, detail.deals)
    item = detail.deals.table.item(0, 0)
    assert item is not None and "F2" in item.toolTip()
    _double_click_row(qtbot, detail.deals, _row_of(detail.deals, "Wedding flowers", 0))
    dialogs = _open_dialogs(page, DealDialog)
    assert len(dialogs) == 1 and dialogs[0].deal is not None and dialogs[0].deal.id == seeded.wedding
    dialogs[0].value.setText("1300")
    press(qtbot, dialogs[0].ok_button)
    assert not dialogs[0].isVisible()
    assert DealService(session).get(seeded.wedding).value_minor == 130000
    assert any("1,300.00" in row[2] for row in detail.deals.rows())
    shutdown_session(session)


def test_no_editor_while_an_operation_holds_the_connection(
    qtbot, owner: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = _seed(owner)
    page = _page(qtbot, SessionContext(owner))
    detail = page.detail
    assert detail.show_contact(seeded.customer)
    monkeypatch.setattr(SessionContext, "busy", property(lambda _self: True))
    assert detail.edit_deal(seeded.wedding) is None and _open_dialogs(page, DealDialog) == []
    assert "Another task is still running" in detail.message.text()
    monkeypatch.undo()
    dialog = detail.edit_deal(seeded.wedding)
    assert dialog is not None and dialog.isVisible() and detail.message.text() == ""
    dialog.reject()


def test_locking_closes_an_editor_opened_from_the_pane(qtbot, owner: Session) -> None:
    seeded = _seed(owner)
    page = _page(qtbot, SessionContext(owner))
    assert page.detail.show_contact(seeded.customer)
    dialog = page.detail.edit_activity(seeded.call)
    assert dialog is not None and dialog.isVisible()
    page.clear()
    assert _open_dialogs(page, ActivityDialog) == []
    assert page.detail.activities.rows() == [] and page.detail.activities.current_id() is None
