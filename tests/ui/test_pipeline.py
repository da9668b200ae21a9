"""The pipeline page: kanban columns with per-currency totals, drag and keyboard moves, won/lost/reopen,
the new-deal dialog, the lazy deals table, and what an auditor may not do. Real vault files, demo data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.access.roles import Permission, Role
from app.access.session import Session
from app.access.users import UserService
from app.crm import demo
from app.crm.activities import ActivityService
from app.crm.contacts import ContactService
from app.crm.deals import DealService
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    open_session_for_ui,
    pick_customer,
    press,
    shot,
    shutdown_session,
    type_into,
    wait_until,
)
from ui.sales.deal_dialogs import DealDialog
from ui.sales.deals_model import BATCH, DealsTableModel
from ui.sales.kanban import ID_ROLE, StageColumnWidget
from ui.sales.pipeline_page import PER_STAGE, PipelinePage
from ui.sales.text import totals_text
from ui.session_context import SessionContext

SIZE = (1100, 720)
AUDITOR, AUDITOR_PASSWORD = "Ida Auditor", "auditor-pass-1"


def seed_demo(session: Session, count: int = 300) -> list[int]:
    """Customers from many scripts, deals in their own currencies, activities around now (as `demo` does)."""
    people = list(demo.generate(count))
    ids = ContactService(session).create_many(people, source="demo")
    deals = DealService(session)
    stages = [stage.id for stage in deals.pipelines()[0].stages]
    deals.create_many(
        demo.deals_for([(i, p.language) for i, p in zip(ids, people, strict=True)], stages), source="demo"
    )
    ActivityService(session).create_many(demo.activities_for(ids, datetime.now(UTC)), source="demo")
    return ids


def auditor_session(path: Path) -> Session:
    """Add an auditor and sign in as them, past the first-sign-in password change."""
    owner = open_session_for_ui(path, OWNER, OWNER_PASSWORD)
    add_user(owner, AUDITOR, Role.AUDITOR, "temporary-1")
    shutdown_session(owner)
    session = open_session_for_ui(path, AUDITOR, "temporary-1")
    UserService(session, kdf.CHEAP).change_own_password("temporary-1", AUDITOR_PASSWORD)
    return session


def show(qtbot: object, page: QWidget) -> None:
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.resize(*SIZE)
    page.show()
    qtbot.waitExposed(page)  # type: ignore[attr-defined]


def snap(qtbot: object, widget: QWidget, name: str) -> None:
    """A screenshot (when COUNTERPART_SHOTS is set) once pending layout changes have been applied."""
    qtbot.wait(20)  # type: ignore[attr-defined]
    shot(widget, name)


@pytest.fixture
def context(qtbot: object, new_vault: tuple[Path, str]) -> Iterator[SessionContext]:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seed_demo(session)
    yield SessionContext(session)
    shutdown_session(session)


@pytest.fixture
def page(qtbot: object, context: SessionContext) -> PipelinePage:
    page = PipelinePage(context)
    show(qtbot, page)
    return page


def _cards(column: StageColumnWidget) -> list[int]:
    return [int(column.deals.item(row).data(ID_ROLE)) for row in range(column.deals.count())]


def _drag_over(target: StageColumnWidget, data: QMimeData) -> bool:
    """Qt's enter and move events while a card is dragged over another column: does it take the drop?"""
    actions, at = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, QPoint(20, 20)
    enter = QDragEnterEvent(at, actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target.deals.viewport(), enter)
    move = QDragMoveEvent(at, actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target.deals.viewport(), move)
    return enter.isAccepted() and move.isAccepted()


def _drop(target: StageColumnWidget, source: StageColumnWidget, deal_id: int) -> None:
    """What Qt delivers when a dragged card is moved over another column's list and released there."""
    row = _cards(source).index(deal_id)
    data: QMimeData = source.deals.mimeData([source.deals.item(row)])
    assert _drag_over(target, data)
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction | Qt.DropAction.MoveAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target.deals.viewport(), drop)
    assert drop.isAccepted() and drop.dropAction() == Qt.DropAction.CopyAction  # Qt must not remove the card


def test_the_board_has_a_column_per_stage_with_totals_per_currency(
    qtbot: object, page: PipelinePage, context: SessionContext
) -> None:
    service = DealService(context.session)
    pipeline = service.pipelines()[0]
    board = service.board(pipeline.id, per_stage=PER_STAGE)
    assert [c.name.text() for c in page.board.columns] == [s.name for s in pipeline.stages]
    for widget, column in zip(page.board.columns, board, strict=True):
        assert widget.totals.text() == totals_text(column.totals)  # one line per currency, never summed
        assert f"{column.stage.probability}%" in widget.summary.text()  # English writes 10%, German 10 %
        assert f"{column.count} deals" in widget.summary.text()
        assert _cards(widget) == [deal.id for deal in column.deals]
    currencies = {currency for column in board for currency in column.totals}
    assert {"EUR", "CNY"} <= currencies
    names = [
        str(w.deals.item(r).data(Qt.ItemDataRole.AccessibleTextRole))
        for w in page.board.columns
        for r in range(w.deals.count())
    ]
    assert any(re.search("[\u4e00-\u9fff]", name) for name in names)  # Chinese customers' names on the cards
    page.board.columns[1].deals.setCurrentRow(0)
    snap(qtbot, page, "pipeline-board")


def test_a_column_shows_the_first_hundred_and_says_how_many_more(qtbot: object, context: SessionContext) -> None:
    service = DealService(context.session)
    first = service.pipelines()[0].stages[0]
    contact = ContactService(context.session).search("", 1)[0].id
    service.create_many(
        [(f"Bouquet {n}", contact, first.id, "GBP", 1000 + n) for n in range(PER_STAGE + 20)], source="test"
    )
    page = PipelinePage(context)
    show(qtbot, page)
    column = page.board.columns[0]
    total = service.board(1)[0].count
    assert column.deals.count() == PER_STAGE
    assert not column.more.isHidden() and str(total - PER_STAGE) in column.more.text()


def test_dragging_a_card_to_another_column_moves_the_deal(
    qtbot: object, page: PipelinePage, context: SessionContext
) -> None:
    service = DealService(context.session)
    source, target = page.board.columns[0], page.board.columns[2]
    deal_id = _cards(source)[0]
    before = (source.totals.text(), target.totals.text(), source.summary.text())
    _drop(target, source, deal_id)
    wait_until(qtbot, lambda: service.get(deal_id).stage_id == target.stage_id)
    wait_until(qtbot, lambda: deal_id in _cards(target))
    assert deal_id not in _cards(source)
    after = service.board(1)
    assert source.totals.text() == totals_text(after[0].totals) != before[0]
    assert target.totals.text() == totals_text(after[2].totals) != before[1]
    assert source.summary.text() != before[2]
    assert service.history(deal_id)[-1][1] == target.name.text()  # the move is in the stage history
    assert target.name.text() in page.status.text()  # said in words, not only shown


def test_ctrl_right_and_ctrl_left_move_the_selected_card_one_stage(
    qtbot: object, page: PipelinePage, context: SessionContext
) -> None:
    service = DealService(context.session)
    first, second = page.board.columns[0], page.board.columns[1]
    deal_id = _cards(first)[1]
    first.deals.setCurrentRow(1)
    first.deals.setFocus()
    qtbot.keyClick(first.deals, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert service.get(deal_id).stage_id == second.stage_id
    assert second.deals.currentItem() is not None and int(second.deals.currentItem().data(ID_ROLE)) == deal_id
    assert second.name.text() in page.status.text()  # announced (status text + accessibility event)
    qtbot.keyClick(second.deals, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert service.get(deal_id).stage_id == first.stage_id
    first.deals.setCurrentRow(0)
    qtbot.keyClick(first.deals, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert "first" in page.status.text()  # nowhere to go: said, nothing moved
    assert service.get(_cards(first)[0]).stage_id == first.stage_id


def test_lost_needs_a_reason_and_reopen_brings_the_deal_back(
    qtbot: object, page: PipelinePage, context: SessionContext
) -> None:
    service = DealService(context.session)
    column = page.board.columns[0]
    deal_id = _cards(column)[0]
    column.deals.setCurrentRow(0)
    assert page.lost_button.isEnabled() and not page.reopen_button.isEnabled()
    dialog = page.mark_lost()
    assert dialog is not None
    qtbot.waitExposed(dialog)  # type: ignore[attr-defined]
    press(qtbot, dialog.ok_button)  # no reason
    assert dialog.isVisible() and "why" in dialog.message.text().lower()
    assert service.get(deal_id).status == "open"
    snap(qtbot, dialog, "pipeline-lost-reason")
    dialog.reason.setText("Chose a cheaper shop")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    assert service.get(deal_id).status == "lost" and service.get(deal_id).lost_reason == "Chose a cheaper shop"
    assert deal_id not in _cards(column)
    page.show_view(1)
    page.status_filter.setCurrentIndex(page.status_filter.findData("lost"))
    row = page.model.row_of(deal_id)
    assert row is not None and "Chose a cheaper shop" in page.model.text(page.model.deal(row), 5)
    page.table.selectRow(row)
    assert page.reopen_button.isEnabled() and not page.won_button.isEnabled()
    page.reopen()
    assert service.get(deal_id).status == "open"
    page.show_view(0)
    assert deal_id in _cards(column)


def test_won_leaves_the_board(page: PipelinePage, context: SessionContext) -> None:
    column = page.board.columns[3]
    deal_id = _cards(column)[0]
    page.select(deal_id)
    page.mark_won()
    assert DealService(context.session).get(deal_id).status == "won"
    assert deal_id not in _cards(column) and "won" in page.status.text()


def test_new_deal_dialog_explains_what_is_missing(qtbot: object, page: PipelinePage, context: SessionContext) -> None:
    dialog = page.new_deal()
    assert dialog is not None
    press(qtbot, dialog.ok_button)
    assert "title" in dialog.message.text()
    dialog.title.setText("Lantern festival flowers")
    press(qtbot, dialog.ok_button)
    assert "customer" in dialog.message.text().lower()
    pick_customer(qtbot, dialog.customer, "王")
    chosen = dialog.customer.contact_id()
    assert chosen is not None and "王" in dialog.customer.contact_name()
    dialog.value.setText("lots")
    press(qtbot, dialog.ok_button)
    assert "not an amount" in dialog.message.text()
    dialog.currency.setCurrentText("XXQ")
    dialog.value.setText("8800")
    press(qtbot, dialog.ok_button)
    assert "currency" in dialog.message.text()
    dialog.currency.setCurrentText("CNY")  # the program's own change: the message stays
    assert "currency" in dialog.message.text()
    dialog.currency.lineEdit().selectAll()
    QTest.keyClicks(dialog.currency.lineEdit(), "CNY")  # the person fixing it: the message goes
    assert dialog.message.text() == "" and dialog.currency.currentText() == "CNY"
    dialog.stage.setCurrentIndex(2)
    dialog.has_close.setChecked(True)
    snap(qtbot, dialog, "pipeline-new-deal")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    deal = DealService(context.session).page(limit=1)[0]
    assert (deal.title, deal.contact_id, deal.value_minor, deal.currency) == (
        "Lantern festival flowers",
        chosen,
        880000,
        "CNY",
    )
    assert deal.stage_id == page.board.columns[2].stage_id and deal.expected_close is not None
    assert deal.id in _cards(page.board.columns[2])


def test_enter_in_the_customer_picker_chooses_and_never_sends_the_new_deal(
    qtbot: object, page: PipelinePage, context: SessionContext
) -> None:
    """Issue #15: Enter in the customer search went to the dialog's default button and made a 0 deal."""
    deals = DealService(context.session)
    newest = deals.page(limit=1)[0].id
    press(qtbot, page.new_button)
    dialog = next(d for d in page.findChildren(DealDialog) if d.isVisible())
    type_into(qtbot, dialog.title, "Lantern festival flowers")
    picker = dialog.customer
    type_into(qtbot, picker.query, "王")
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)  # type: ignore[attr-defined]  # before the search ran
    assert dialog.isVisible() and dialog.message.text() == ""  # not sent, so nothing to complain about
    assert deals.page(limit=1)[0].id == newest
    assert picker.choice.text() == "No customer chosen yet."  # nothing was highlighted: nothing chosen
    shown = [picker.results.item(row).text() for row in range(picker.results.count())]
    assert shown and all("王" in text for text in shown)  # Enter searched at once
    qtbot.keyClick(picker.query, Qt.Key.Key_Down)  # type: ignore[attr-defined]  # into the list, first match
    qtbot.keyClick(picker.results, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)  # type: ignore[attr-defined]
    qtbot.keyClick(picker.results, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert dialog.isVisible() and dialog.message.text() == ""
    assert deals.page(limit=1)[0].id == newest  # still no deal, and no 0 one
    chosen = picker.contact_id()
    assert chosen is not None and picker.choice.text() == f"Customer: {picker.contact_name()}"
    assert "王" in picker.contact_name()
    type_into(qtbot, dialog.value, "88")
    press(qtbot, dialog.ok_button)  # the form goes when the person sends it
    assert not dialog.isVisible()
    deal = deals.page(limit=1)[0]
    assert (deal.title, deal.contact_id, deal.value_minor) == ("Lantern festival flowers", chosen, 8800)


def test_the_table_view_pages_lazily_and_passes_the_model_tester(
    qtbot: object, qtmodeltester: object, context: SessionContext
) -> None:
    service = DealService(context.session)
    stage = service.pipelines()[0].stages[0]
    contact = ContactService(context.session).search("", 1)[0].id
    service.create_many([(f"Order {n}", contact, stage.id, "EUR", 500 + n) for n in range(BATCH)], source="test")
    total = len(service.page(limit=10_000))
    names = {s.id: s.name for s in service.pipelines()[0].stages}
    checked = DealsTableModel(context)
    checked.set_query(1, None, names)
    checked.fetchMore()
    qtmodeltester.check(checked)  # type: ignore[attr-defined]
    model = DealsTableModel(context)  # the tester stays attached; resets below would trip its lazy-fetch probe
    model.set_query(1, None, names)
    model.fetchMore()
    assert model.rowCount() == BATCH and model.canFetchMore()  # never everything at once
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == total
    ids = [model.deal(row).id for row in range(total)]
    assert ids == sorted(ids, reverse=True)  # newest first, no gaps or repeats across pages
    assert model.data(model.index(0, 2)) == stage.name and "€" in model.data(model.index(0, 3))
    service.move(ids[0], service.pipelines()[0].stages[1].id)
    model.reload()  # after a change elsewhere: fresh rows, as deep as the person had scrolled
    assert model.rowCount() == total and model.data(model.index(0, 2)) == service.pipelines()[0].stages[1].name
    model.clear()
    assert model.rowCount() == 0 and not model.canFetchMore()


def test_table_view_screenshot(qtbot: object, page: PipelinePage) -> None:
    press(qtbot, page.table_button)
    assert page.stack.currentWidget() is page.table and page.status_filter.isVisible()
    assert page.model.rowCount() > 0
    page.table.selectRow(2)
    snap(qtbot, page, "pipeline-table")


def test_an_auditor_can_look_but_not_change(qtbot: object, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seed_demo(owner, 120)
    shutdown_session(owner)
    session = auditor_session(new_vault[0])
    context = SessionContext(session)
    page = PipelinePage(context)
    show(qtbot, page)
    reason = context.why_not(Permission.EDIT_CUSTOMERS)
    for button in (page.new_button, page.won_button, page.lost_button, page.reopen_button):
        assert not button.isEnabled() and button.toolTip() == reason
    column = page.board.columns[0]
    assert column.deals.count() > 0  # they can see the deals
    assert not column.deals.dragEnabled() and not column.deals.acceptDrops()
    assert not _drag_over(page.board.columns[1], column.deals.mimeData([column.deals.item(0)]))
    deal_id = _cards(column)[0]
    column.deals.setCurrentRow(0)
    qtbot.keyClick(column.deals, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert DealService(session).get(deal_id).stage_id == column.stage_id
    assert page.status.text() == reason
    assert page.new_deal() is None
    shutdown_session(session)


def test_clear_leaves_no_customer_data_in_the_widgets(page: PipelinePage, context: SessionContext) -> None:
    page.show_view(1)
    assert page.model.rowCount() > 0
    page.clear()
    assert page.model.rowCount() == 0 and page.chooser.count() == 0
    assert all(c.deals.count() == 0 and not c.totals.text() for c in page.board.columns)
    context.changed.emit()  # a late refresh must not read again
    assert all(c.deals.count() == 0 for c in page.board.columns)


def test_the_page_refreshes_when_another_view_changes_data(page: PipelinePage, context: SessionContext) -> None:
    service = DealService(context.session)
    contact = ContactService(context.session).search("", 1)[0].id
    deal_id = service.create(
        "Late order",
        value="12.50",
        currency="GBP",
        contact_id=contact,
        expected_close=(datetime.now(UTC) + timedelta(days=3)).date(),
    )
    assert deal_id not in _cards(page.board.columns[0])
    context.changed.emit()
    assert deal_id in _cards(page.board.columns[0])
