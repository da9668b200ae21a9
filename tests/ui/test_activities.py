"""The activities page (overdue / today / upcoming, quick complete and undo, new activity, reminders) and the
dashboard (figures per currency, overdue link, bar chart with a text alternative). Real vault files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.access.roles import Permission
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactService
from app.crm.dashboard import dashboard
from app.crm.deals import DealService
from app.locale.formatting import money
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui.test_pipeline import auditor_session, seed_demo, show, snap
from tests.ui_helpers import open_session_for_ui, pick_customer, press, shutdown_session, wait_until
from ui.dashboard.page import DashboardPage
from ui.sales.activities_page import DONE, OVERDUE, TODAY, UPCOMING, ActivitiesPage
from ui.sales.text import totals_text
from ui.session_context import SessionContext


def later_today(now: datetime) -> datetime:
    """A time still inside the local day, even when the test runs just before midnight."""
    local = now.astimezone()
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return local + min(timedelta(minutes=90), (midnight - local) / 2)


@pytest.fixture
def context(qtbot: object, new_vault: tuple[Path, str]) -> Iterator[SessionContext]:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seed_demo(session)
    yield SessionContext(session)
    shutdown_session(session)


@pytest.fixture
def customer(context: SessionContext) -> int:
    return ContactService(context.session).create(ContactInput(given_name="芳", family_name="王"))


def _ids(page: ActivitiesPage, section: str) -> list[int]:
    return [int(item.data(0, Qt.ItemDataRole.UserRole)) for item in page.items(section)]


def _done_at(context: SessionContext, contact_id: int, activity_id: int) -> str | None:
    return next(a.done_at for a in ActivityService(context.session).for_contact(contact_id) if a.id == activity_id)


def test_the_three_sections_and_quick_complete_with_undo(qtbot: object, context: SessionContext, customer: int) -> None:
    service, now = ActivityService(context.session), datetime.now(UTC)
    late = service.create("call", "Call back about the wreath", due_at=now - timedelta(hours=3), contact_id=customer)
    today = service.create("task", "Wrap the bouquet", due_at=later_today(now), contact_id=customer)
    page = ActivitiesPage(context)
    show(qtbot, page)
    assert late in _ids(page, OVERDUE) and today in _ids(page, TODAY) and _ids(page, UPCOMING)
    item = page.item_for(late)
    assert item is not None and item.text(0).startswith("Overdue")  # said in words and with an icon,
    assert not item.icon(0).isNull()  # not only in red
    assert page.sections[OVERDUE].text(0).startswith("Overdue (")
    snap(qtbot, page, "activities-sections")

    item.setCheckState(0, Qt.CheckState.Checked)  # what a click or Space on the box does
    wait_until(qtbot, lambda: late not in _ids(page, OVERDUE))
    assert _done_at(context, customer, late) is not None
    assert late in _ids(page, DONE) and "Done" in page.status.text() and page.undo_button.isVisible()
    done_item = page.item_for(late)
    assert done_item is not None and done_item.checkState(0) == Qt.CheckState.Checked
    page.tree.scrollToItem(done_item)
    snap(qtbot, page, "activities-done-just-now")

    done_item.setCheckState(0, Qt.CheckState.Unchecked)  # undo by unticking
    wait_until(qtbot, lambda: late in _ids(page, OVERDUE))
    assert _done_at(context, customer, late) is None and DONE not in page.sections
    assert not page.undo_button.isVisible()

    page.item_for(today).setCheckState(0, Qt.CheckState.Checked)  # type: ignore[union-attr]
    wait_until(qtbot, lambda: today in _ids(page, DONE))
    press(qtbot, page.undo_button)  # or with the Undo button
    assert today in _ids(page, TODAY) and _done_at(context, customer, today) is None


def test_new_activity_dialog(qtbot: object, context: SessionContext) -> None:
    page = ActivitiesPage(context)
    show(qtbot, page)
    dialog = page.new_activity()
    assert dialog is not None
    press(qtbot, dialog.ok_button)
    assert "subject" in dialog.message.text() and dialog.isVisible()
    dialog.kind.setCurrentIndex(dialog.kind.findData("meeting"))
    dialog.subject.setText("Taste the spring bouquets")
    dialog.due.setDateTime(dialog.due.dateTime().addDays(2))
    pick_customer(qtbot, dialog.customer, "李")
    snap(qtbot, dialog, "activities-new")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    upcoming = [
        a
        for a in ActivityService(context.session).agenda(datetime.now(UTC)).upcoming
        if a.subject == "Taste the spring bouquets"
    ]
    assert len(upcoming) == 1 and upcoming[0].kind == "meeting" and "李" in (upcoming[0].contact_name or "")
    assert upcoming[0].id in _ids(page, UPCOMING)


def test_a_reminder_fires_once_for_what_is_due_in_five_minutes(
    qtbot: object, context: SessionContext, customer: int
) -> None:
    soon = ActivityService(context.session).create(
        "call", "Confirm the delivery time", due_at=datetime.now(UTC) + timedelta(minutes=5), contact_id=customer
    )
    heard: list[int] = []
    page = ActivitiesPage(context, reminder_interval_ms=30)
    page.reminder.connect(lambda activity_id, _text: heard.append(activity_id))
    show(qtbot, page)
    with qtbot.waitSignal(
        page.reminder,
        timeout=5_000,  # type: ignore[attr-defined]
        check_params_cb=lambda activity_id, _text: activity_id == soon,
    ) as blocker:
        pass
    assert "Confirm the delivery time" in blocker.args[1] and "王芳" in blocker.args[1]
    assert "in 5 minutes" in blocker.args[1] or "in 4 minutes" in blocker.args[1]
    assert page.banner.isVisible() and any("Confirm the delivery time" in line for line in page.banner.lines())
    assert page.watcher.timer.isActive() and not page.banner.isWindow()  # in the page: nothing modal
    qtbot.wait(200)  # type: ignore[attr-defined]  # several more checks
    assert heard.count(soon) == 1  # once per activity
    snap(qtbot, page, "activities-reminder")
    press(qtbot, page.banner.dismiss)
    assert page.banner.isHidden()


def test_an_auditor_cannot_tick_or_add(qtbot: object, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    seed_demo(owner, 120)
    shutdown_session(owner)
    session = auditor_session(new_vault[0])
    context = SessionContext(session)
    page = ActivitiesPage(context)
    show(qtbot, page)
    reason = context.why_not(Permission.EDIT_CUSTOMERS)
    assert not page.new_button.isEnabled() and page.new_button.toolTip() == reason
    assert page.new_activity() is None
    page.everyone.setChecked(True)  # the owner's activities: visible, but without tick boxes
    rows = page.items(OVERDUE) + page.items(UPCOMING)
    assert rows and not any(row.flags() & Qt.ItemFlag.ItemIsUserCheckable for row in rows)
    assert rows[0].toolTip(0) == reason
    dashboard_page = DashboardPage(context)
    show(qtbot, dashboard_page)
    assert dashboard_page.open_tile.value.text()  # viewing is allowed
    shutdown_session(session)


def test_clear_forgets_rows_and_stops_reminders(qtbot: object, context: SessionContext) -> None:
    page = ActivitiesPage(context)
    show(qtbot, page)
    assert page.tree.topLevelItemCount() >= 3
    page.banner.add("something")
    page.clear()
    assert page.tree.topLevelItemCount() == 0 and page.banner.isHidden()
    assert not page.watcher.timer.isActive()
    context.changed.emit()
    assert page.tree.topLevelItemCount() == 0


# --- dashboard -----------------------------------------------------------------------------------------------


def test_dashboard_figures_match_the_service(qtbot: object, context: SessionContext) -> None:
    deals = DealService(context.session)
    first_open = deals.page(status="open", limit=1)[0]
    deals.close(first_open.id, won=True)
    figures = dashboard(context.session)
    page = DashboardPage(context)
    show(qtbot, page)
    assert page.open_tile.value.text() == totals_text(figures.open_value)
    assert page.weighted_tile.value.text() == totals_text(figures.weighted_value)
    assert page.won_tile.value.text() == money(first_open.value_minor, first_open.currency)
    assert len(figures.open_value) > 1 and page.open_tile.value.text().count("\n") == len(figures.open_value) - 1
    assert f"{figures.open_deals} open deals" in page.open_tile.note.text()
    assert figures.overdue_activities > 0 and str(figures.overdue_activities) in page.overdue_button.text()
    currency = page.currency_choice.currentData()
    board = deals.board(1, per_stage=0)
    assert page.chart.bars == [(c.stage.name, c.totals.get(currency, 0)) for c in board]
    description = page.chart.accessibleDescription()
    for column in board:  # the text alternative lists the same numbers
        assert f"{column.stage.name}: {money(column.totals.get(currency, 0), currency)}" in description
    other = next(code for code in figures.open_value if code != currency)
    assert page.currency_choice.isEnabled()  # several currencies: a choice to make
    page.currency_choice.setCurrentIndex(page.currency_choice.findData(other))
    assert page.chart.bars == [(c.stage.name, c.totals.get(other, 0)) for c in board]
    page.currency_choice.setCurrentIndex(page.currency_choice.findData(currency))
    snap(qtbot, page, "dashboard-figures")
    with qtbot.waitSignal(page.open_activities, timeout=1_000):  # type: ignore[attr-defined]
        press(qtbot, page.overdue_button)


def test_dashboard_follows_changes_and_clears(qtbot: object, context: SessionContext) -> None:
    page = DashboardPage(context)
    show(qtbot, page)
    before = page.open_tile.value.text()
    deals = DealService(context.session)
    deals.close(deals.page(status="open", limit=1)[0].id, won=False, reason="Too late")
    context.changed.emit()
    assert page.open_tile.value.text() == totals_text(dashboard(context.session).open_value) != before
    page.clear()
    assert not page.open_tile.value.text() and not page.chart.bars and page.currency_choice.count() == 0
    assert not page.currency_choice.isEnabled()  # an empty drop-down is not offered
