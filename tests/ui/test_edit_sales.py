"""Editing deals (from a kanban card, by double-click, Enter or F2, and from the table view) and activities (from
the Activities page) in the new-deal / new-activity dialogs' edit mode. Real vault files, demo data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import QDialog, QWidget

from app.access.roles import Permission
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactService
from app.crm.deals import DealService
from app.locale.formatting import from_minor_units, to_minor_units
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui.test_activities import later_today
from tests.ui.test_pipeline import auditor_session, seed_demo, show, snap
from tests.ui_helpers import open_session_for_ui, press, shutdown_session
from ui.sales.activities_page import TODAY, UPCOMING, ActivitiesPage
from ui.sales.activity_dialog import ActivityDialog
from ui.sales.deal_dialogs import DealDialog
from ui.sales.kanban import ID_ROLE, StageColumnWidget
from ui.sales.pipeline_page import PipelinePage
from ui.sales.text import totals_text
from ui.session_context import SessionContext

D = TypeVar("D", bound=QDialog)


@pytest.fixture
def context(qtbot: object, new_vault: tuple[Path, str]) -> Iterator[SessionContext]:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seed_demo(session, 120)
    yield SessionContext(session)
    shutdown_session(session)


@pytest.fixture
def page(qtbot: object, context: SessionContext) -> PipelinePage:
    page = PipelinePage(context)
    show(qtbot, page)
    return page


def _open_dialogs(parent: QWidget, kind: type[D]) -> list[D]:
    return [dialog for dialog in parent.findChildren(kind) if dialog.isVisible()]


def _card_titles(column: StageColumnWidget) -> dict[int, str]:
    return {int(column.deals.item(r).data(ID_ROLE)): column.deals.item(r).text() for r in range(column.deals.count())}


def _double_click_card(qtbot: object, column: StageColumnWidget, row: int) -> None:
    item = column.deals.item(row)
    column.deals.scrollToItem(item)
    centre = column.deals.visualItemRect(item).center()
    qtbot.mouseClick(column.deals.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[attr-defined]
    qtbot.mouseDClick(column.deals.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[attr-defined]


def test_double_clicking_a_card_edits_the_deal(qtbot: object, page: PipelinePage, context: SessionContext) -> None:
    service = DealService(context.session)
    column = page.board.columns[1]
    deal_id = int(column.deals.item(0).data(ID_ROLE))
    deal = service.get(deal_id)
    totals_before = column.totals.text()
    _double_click_card(qtbot, column, 0)
    dialogs = _open_dialogs(page, DealDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.windowTitle() == "Edit deal" and dialog.ok_button.text() == "S&ave changes"
    assert dialog.title.text() == deal.title
    assert dialog.value.text() == f"{from_minor_units(deal.value_minor, deal.currency):f}"
    assert dialog.currency.currentText() == deal.currency
    assert dialog.customer.contact_id() == deal.contact_id and dialog.customer.contact_name() == deal.contact_name
    assert dialog.has_close.isChecked() == (deal.expected_close is not None)
    assert column.name.text() in dialog.stage_note.text() and dialog.stage.isHidden()  # the board moves deals
    snap(qtbot, dialog, "pipeline-edit-deal")

    dialog.title.setText("Corrected title for the flowers")
    dialog.value.setText("lots")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "not an amount" in dialog.message.text()
    assert service.get(deal_id).title == deal.title  # nothing saved yet
    dialog.value.setText("98765.40")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    edited = service.get(deal_id)
    assert (edited.title, edited.value_minor, edited.stage_id) == (
        "Corrected title for the flowers",
        to_minor_units("98765.40", edited.currency),
        column.stage_id,
    )
    assert _card_titles(column)[deal_id] == "Corrected title for the flowers"  # the board shows it at once
    assert column.deals.item(0).data(ID_ROLE) == deal_id  # the largest deal in the column, first
    after = service.board(1)[1]
    assert column.totals.text() == totals_text(after.totals) != totals_before
    assert "Corrected title for the flowers" in page.status.text()


def test_enter_and_f2_on_the_selected_card_open_the_editor(
    qtbot: object, page: PipelinePage, context: SessionContext
) -> None:
    page.activateWindow()
    column = page.board.columns[0]
    column.deals.setCurrentRow(1)
    column.deals.setFocus()
    deal_id = int(column.deals.item(1).data(ID_ROLE))
    assert page.edit_button.isEnabled()
    qtbot.keyClick(column.deals, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    dialogs = _open_dialogs(page, DealDialog)
    assert len(dialogs) == 1 and dialogs[0].deal is not None and dialogs[0].deal.id == deal_id
    dialogs[0].reject()
    column.deals.setFocus()
    qtbot.keyClick(column.deals, Qt.Key.Key_F2)  # type: ignore[attr-defined]
    dialogs = _open_dialogs(page, DealDialog)
    assert len(dialogs) == 1 and dialogs[0].deal is not None and dialogs[0].deal.id == deal_id
    dialogs[0].title.setText("Renamed by keyboard")
    qtbot.keyClick(dialogs[0].title, Qt.Key.Key_Return)  # type: ignore[attr-defined]  # the default button
    assert not dialogs[0].isVisible()
    assert DealService(context.session).get(deal_id).title == "Renamed by keyboard"
    assert _card_titles(column)[deal_id] == "Renamed by keyboard"
    assert column.deals.currentItem() is not None and int(column.deals.currentItem().data(ID_ROLE)) == deal_id


def test_the_table_view_opens_a_deal_by_double_click_or_enter(
    qtbot: object, page: PipelinePage, context: SessionContext
) -> None:
    service = DealService(context.session)
    deal_id = next(d.id for d in service.page(limit=50) if d.status == "open")
    service.close(deal_id, won=True)  # closed deals are only in the table; they can still be corrected
    page.show_view(1)
    page.status_filter.setCurrentIndex(page.status_filter.findData(""))
    row = page.model.row_of(deal_id)
    assert row is not None
    page.table.selectRow(row)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Enter)  # type: ignore[attr-defined]
    dialogs = _open_dialogs(page, DealDialog)
    assert len(dialogs) == 1 and dialogs[0].deal is not None and dialogs[0].deal.id == deal_id
    assert "closed" in dialogs[0].stage_note.text()
    dialogs[0].reject()
    index = page.model.index(row, 0)
    page.table.scrollTo(index)
    centre = page.table.visualRect(index).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[attr-defined]
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[attr-defined]
    dialogs = _open_dialogs(page, DealDialog)
    assert len(dialogs) == 1 and dialogs[0].deal is not None and dialogs[0].deal.id == deal_id
    dialogs[0].has_close.setChecked(True)
    dialogs[0].close_date.setDate(QDate(2031, 3, 9))
    press(qtbot, dialogs[0].ok_button)
    assert not dialogs[0].isVisible()
    assert service.get(deal_id).expected_close == "2031-03-09" and service.get(deal_id).status == "won"
    row = page.model.row_of(deal_id)
    assert row is not None and page.model.data(page.model.index(row, 4))  # the table shows the new date


def test_an_auditor_cannot_open_the_editor(qtbot: object, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seed_demo(owner, 60)
    shutdown_session(owner)
    session = auditor_session(new_vault[0])
    context = SessionContext(session)
    page = PipelinePage(context)
    show(qtbot, page)
    reason = context.why_not(Permission.EDIT_CUSTOMERS)
    column = page.board.columns[0]
    column.deals.setCurrentRow(0)
    assert not page.edit_button.isEnabled() and page.edit_button.toolTip() == reason
    _double_click_card(qtbot, column, 0)
    qtbot.keyClick(column.deals, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert _open_dialogs(page, DealDialog) == [] and page.edit_deal() is None
    assert page.status.text() == reason
    activities = ActivitiesPage(context)
    show(qtbot, activities)
    activities.everyone.setChecked(True)
    assert not activities.edit_button.isEnabled() and activities.edit_activity() is None
    shutdown_session(session)


# --- activities --------------------------------------------------------------------------------------------


@pytest.fixture
def customer(context: SessionContext) -> int:
    return ContactService(context.session).create(ContactInput(given_name="芳", family_name="王"))


def test_editing_an_activitys_subject_and_due_date(qtbot: object, context: SessionContext, customer: int) -> None:
    service, now = ActivityService(context.session), datetime.now(UTC)
    today = later_today(now).replace(second=0, microsecond=0)
    activity_id = service.create("call", "Call about the wreath", due_at=today, contact_id=customer)
    page = ActivitiesPage(context)
    show(qtbot, page)
    assert activity_id in [int(i.data(0, Qt.ItemDataRole.UserRole)) for i in page.items(TODAY)]
    assert not page.edit_button.isEnabled()  # nothing chosen yet
    page.select(activity_id)
    assert page.edit_button.isEnabled()
    press(qtbot, page.edit_button)
    dialogs = _open_dialogs(page, ActivityDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.windowTitle() == "Edit activity" and dialog.ok_button.text() == "S&ave changes"
    assert dialog.subject.text() == "Call about the wreath" and dialog.kind.currentData() == "call"
    assert dialog.due_at() == today.astimezone()  # shown in local time
    assert dialog.customer.contact_id() == customer and dialog.customer.contact_name() == "王芳"
    snap(qtbot, dialog, "activities-edit")

    dialog.subject.setText("")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "subject" in dialog.message.text()
    dialog.subject.setText("Call about the spring wreath")
    moved = QDateTime.fromSecsSinceEpoch(int(today.timestamp())).addDays(3)
    dialog.due.setDateTime(moved)
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    edited = service.get(activity_id)
    assert edited.subject == "Call about the spring wreath" and edited.kind == "call" and edited.done_at is None
    assert datetime.fromisoformat(edited.due_at or "") == today + timedelta(days=3)
    assert edited.contact_id == customer
    upcoming = page.item_for(activity_id)
    assert upcoming is not None and upcoming.parent() is page.sections[UPCOMING]  # moved to its new section
    assert upcoming.text(2) == "Call about the spring wreath"
    assert page.tree.currentItem() is upcoming and "Saved" in page.status.text()


def test_double_click_or_enter_on_an_activity_opens_it(qtbot: object, context: SessionContext, customer: int) -> None:
    service = ActivityService(context.session)
    activity_id = service.create("task", "Wrap the bouquet", due_at=later_today(datetime.now(UTC)), contact_id=customer)
    page = ActivitiesPage(context)
    show(qtbot, page)
    heading = page.sections[TODAY]
    page.tree.scrollToItem(heading)
    at = page.tree.visualItemRect(heading).center()
    qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=at)  # type: ignore[attr-defined]
    assert _open_dialogs(page, ActivityDialog) == []  # a section heading is not an activity
    item = page.item_for(activity_id)
    assert item is not None
    page.tree.scrollToItem(item)
    rect = page.tree.visualItemRect(item)
    at = rect.center()
    at.setX(page.tree.header().sectionPosition(2) + 20)  # on the subject, away from the tick box
    qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=at)  # type: ignore[attr-defined]
    qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=at)  # type: ignore[attr-defined]
    dialogs = _open_dialogs(page, ActivityDialog)
    assert len(dialogs) == 1 and dialogs[0].activity is not None and dialogs[0].activity.id == activity_id
    dialogs[0].reject()
    assert service.get(activity_id).done_at is None  # the double-click did not tick it
    page.select(activity_id)
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    dialogs = _open_dialogs(page, ActivityDialog)
    assert len(dialogs) == 1 and dialogs[0].activity is not None and dialogs[0].activity.id == activity_id
    dialogs[0].kind.setCurrentIndex(dialogs[0].kind.findData("email"))
    press(qtbot, dialogs[0].ok_button)
    assert service.get(activity_id).kind == "email"
    edited = page.item_for(activity_id)
    assert edited is not None and edited.text(1) == "Email" and page.tree.currentItem() is edited


def test_no_editor_while_an_operation_holds_the_connection(page: PipelinePage, monkeypatch: pytest.MonkeyPatch) -> None:
    column = page.board.columns[0]
    column.deals.setCurrentRow(0)
    monkeypatch.setattr(SessionContext, "busy", property(lambda _self: True))
    assert page.edit_deal() is None and _open_dialogs(page, DealDialog) == []
    assert "Another task is still running" in page.message.text()
    monkeypatch.undo()
    dialog = page.edit_deal()
    assert dialog is not None and dialog.deal is not None and dialog.deal.id == column.deals.deal_id()
    dialog.reject()
