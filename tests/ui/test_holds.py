"""Privacy › Legal holds: place, list, release; staff may not. Real vault files, real widgets offscreen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.access.roles import Role
from app.access.users import UserService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import PermissionDenied
from app.privacy.retention import RetentionService
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import add_user, click_row, open_session_for_ui, press, shot, shutdown_session, wait_until
from ui.privacy.common import ALERT
from ui.privacy.hold_dialog import PlaceHoldDialog, end_of_day
from ui.privacy.holds_tab import HoldsTab
from ui.privacy.page import PrivacyPage
from ui.session_context import SessionContext

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone().date()
PERSON, REASON, UNTIL, PLACED_BY, PLACED_ON, STATUS = range(6)


def person(context: SessionContext, given: str, family: str, email: str = "") -> int:
    points = [ContactPointInput("email", email)] if email else []
    return ContactService(context.session).create(ContactInput(given_name=given, family_name=family, points=points))


def sized(widget: QWidget, width: int = 1000, height: int = 600) -> QWidget:
    widget.resize(width, height)
    widget.show()
    return widget


def accept_box(qtbot, box: QMessageBox) -> None:  # type: ignore[no-untyped-def]
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    press(qtbot, yes)


def choose_customer(qtbot, dialog: PlaceHoldDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type in the picker like a person, wait for the results, take the first."""
    qtbot.keyClicks(dialog.customer.query, text)
    wait_until(
        qtbot,
        lambda: (
            dialog.customer.results.count() > 0
            and dialog.customer.results.item(0).data(Qt.ItemDataRole.UserRole) is not None
        ),
    )
    dialog.customer.results.setCurrentRow(0)


def test_owner_places_a_hold_through_the_dialog(qtbot, context: SessionContext) -> None:
    mara = person(context, "Mara", "Lindqvist", "mara@example.com")
    person(context, "Otto", "Berg")
    tab = sized(HoldsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    assert tab.model.rowCount() == 0 and "No legal hold" in tab.summary.text()
    assert not tab.release_button.isEnabled()

    press(qtbot, tab.place_button)
    dialog = tab.dialog
    assert isinstance(dialog, PlaceHoldDialog) and dialog.isVisible()
    assert not dialog.until.isEnabled()  # no end date unless "Ends on" is ticked
    assert dialog.until.minimumDate() == QDate(TODAY.year, TODAY.month, TODAY.day).addDays(1)
    choose_customer(qtbot, dialog, "Lindq")
    assert dialog.customer.contact_id() == mara
    qtbot.keyClicks(dialog.reason, "Warranty dispute, court case 12/2026")
    dialog.ends.setChecked(True)
    assert dialog.until.isEnabled()
    end = TODAY + timedelta(days=30)
    dialog.until.setDate(QDate(end.year, end.month, end.day))
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()

    [hold] = RetentionService(context.session).holds()
    assert (hold.contact_id, hold.reason, hold.placed_by) == (mara, "Warranty dispute, court case 12/2026", OWNER)
    assert hold.until == end_of_day(end).isoformat(timespec="seconds")
    assert datetime.fromisoformat(hold.until).astimezone().date() == end  # the whole chosen day, on this clock
    assert tab.model.rowCount() == 1
    assert tab.model.text(0, PERSON) == "Mara Lindqvist"
    assert tab.model.text(0, REASON) == "Warranty dispute, court case 12/2026"
    assert tab.model.text(0, UNTIL) == end.isoformat()
    assert tab.model.text(0, PLACED_BY) == OWNER
    assert tab.model.text(0, PLACED_ON).startswith(TODAY.isoformat()[:7])
    assert tab.selected() is not None and tab.selected().id == hold.id and tab.release_button.isEnabled()
    assert "1 legal hold in force" in tab.summary.text() and "in place" in tab.message.text()
    assert "Warranty dispute, court case 12/2026" in tab.detail.text() and f"until {end}" in tab.detail.text()


def test_a_hold_without_an_end_date_says_so(qtbot, context: SessionContext) -> None:
    otto = person(context, "Otto", "Berg")
    tab = sized(HoldsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    press(qtbot, tab.place_button)
    dialog = tab.dialog
    choose_customer(qtbot, dialog, "Otto")
    dialog.reason.setText("Tax audit")
    press(qtbot, dialog.ok_button)
    [hold] = RetentionService(context.session).holds()
    assert hold.contact_id == otto and hold.until is None
    assert tab.model.text(0, UNTIL) == "No end date"


def test_an_empty_reason_shows_the_error_and_creates_nothing(qtbot, context: SessionContext) -> None:
    person(context, "Mara", "Lindqvist")
    tab = sized(HoldsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    press(qtbot, tab.place_button)
    dialog = tab.dialog
    press(qtbot, dialog.ok_button)  # no customer yet
    assert dialog.isVisible() and "Choose the customer" in dialog.message.text()
    choose_customer(qtbot, dialog, "Mara")
    dialog.reason.setText("   ")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "needs its reason" in dialog.message.text()
    assert RetentionService(context.session).holds(include_released=True) == []
    assert tab.model.rowCount() == 0
    dialog.reject()


def test_release_removes_the_hold_and_the_checkbox_shows_it_again(qtbot, context: SessionContext) -> None:
    mara = person(context, "Mara", "Lindqvist")
    otto = person(context, "Otto", "Berg")
    service = RetentionService(context.session)
    kept = service.hold(otto, "Tax audit")
    released = service.hold(mara, "Warranty dispute")
    tab = sized(HoldsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    assert [tab.model.row(i).key for i in range(tab.model.rowCount())] == [released, kept]  # newest first
    assert tab.table.isColumnHidden(STATUS)

    click_row(qtbot, tab.table, 0)
    press(qtbot, tab.release_button)
    box = tab.dialog
    assert isinstance(box, QMessageBox) and box.isVisible() and "Mara Lindqvist" in box.text()
    assert (
        box.defaultButton() is not None and box.buttonRole(box.defaultButton()) != QMessageBox.ButtonRole.AcceptRole
    )  # Enter does not release
    press(qtbot, box.button(QMessageBox.StandardButton.Cancel))  # Cancel: nothing changes
    assert not box.isVisible() and [h.id for h in service.holds()] == [released, kept]

    press(qtbot, tab.release_button)
    assert tab.dialog is not box
    box = tab.dialog
    accept_box(qtbot, box)
    assert [h.id for h in service.holds()] == [kept]
    assert [tab.model.row(i).key for i in range(tab.model.rowCount())] == [kept]
    assert "released" in tab.message.text()

    tab.show_released.setChecked(True)
    assert not tab.table.isColumnHidden(STATUS)
    keys = [tab.model.row(i).key for i in range(tab.model.rowCount())]
    assert keys == [released, kept]
    assert tab.model.text(0, STATUS).startswith("Released ") and tab.model.text(1, STATUS) == "In force"
    click_row(qtbot, tab.table, 0)
    assert not tab.release_button.isEnabled() and "already released" in tab.release_button.toolTip()
    qtbot.mouseClick(tab.release_button, Qt.MouseButton.LeftButton)  # a click on the disabled button
    assert tab.dialog is box and not box.isVisible()  # opens nothing
    tab.show_released.setChecked(False)
    assert tab.model.rowCount() == 1 and tab.table.isColumnHidden(STATUS)


def test_a_lapsed_hold_is_marked_in_words(qtbot, context: SessionContext) -> None:
    mara = person(context, "Mara", "Lindqvist")
    service = RetentionService(context.session)
    service.hold(mara, "Warranty claim", until=NOW + timedelta(days=10))
    moment = {"now": NOW}
    tab = sized(HoldsTab(context, clock=lambda: moment["now"]))
    qtbot.addWidget(tab)
    assert "lapsed" not in tab.model.text(0, UNTIL)
    assert tab.model.data(tab.model.index(0, UNTIL), Qt.ItemDataRole.ForegroundRole) is None
    moment["now"] = NOW + timedelta(days=11)
    tab.refresh()
    assert tab.model.text(0, UNTIL).endswith("(lapsed: no longer protects)")
    assert tab.model.data(tab.model.index(0, UNTIL), Qt.ItemDataRole.ForegroundRole).color() == ALERT
    assert tab.summary.text().startswith("No legal hold is in force. 1 is past its end date and no longer protects")


def test_staff_sees_the_tab_not_allowed_and_the_service_refuses(qtbot, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    held = ContactService(owner).create(ContactInput(given_name="Mara", family_name="Lindqvist"))
    RetentionService(owner).hold(held, "Tax audit")
    shutdown_session(owner)
    session = open_session_for_ui(new_vault[0], "Bea Staff", "temporary-1")
    UserService(session, kdf.CHEAP).change_own_password("temporary-1", "staff-pass-22")
    context = SessionContext(session)
    tab = sized(HoldsTab(context))
    qtbot.addWidget(tab)
    assert not tab.allowed and tab.table.isHidden() and tab.model.rowCount() == 0
    for widget in (tab.place_button, tab.release_button, tab.show_released):
        assert not widget.isEnabled() and "Your role (Staff) may not place or release legal holds" in widget.toolTip()
    qtbot.mouseClick(tab.place_button, Qt.MouseButton.LeftButton)  # a click on the disabled button
    assert tab.dialog is None  # opens nothing
    with pytest.raises(PermissionDenied):
        RetentionService(session).holds()
    with pytest.raises(PermissionDenied):
        RetentionService(session).hold(held, "Trying anyway")
    shot(tab, "privacy-holds-staff")
    shutdown_session(session)


def test_clear_forgets_the_holds_and_closes_the_dialog(qtbot, context: SessionContext) -> None:
    mara = person(context, "Mara", "Lindqvist")
    RetentionService(context.session).hold(mara, "Tax audit")
    tab = sized(HoldsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    press(qtbot, tab.place_button)
    dialog = tab.dialog
    assert tab.model.rowCount() == 1 and dialog.isVisible() and "Tax audit" in tab.detail.text()
    tab.clear()
    context.changed.emit()  # a late refresh after clearing must not read again
    assert tab.model.rowCount() == 0 and tab.summary.text() == "" and not dialog.isVisible()
    assert "Tax audit" not in tab.detail.text()


def test_the_privacy_page_has_the_tab_and_clears_it(qtbot, context: SessionContext) -> None:
    mara = person(context, "Mara", "Lindqvist")
    RetentionService(context.session).hold(mara, "Tax audit")
    page = sized(PrivacyPage(context))
    qtbot.addWidget(page)
    index = page.tabs.indexOf(page.holds)
    assert page.tabs.tabText(index) == "Legal hol&ds"
    assert index == page.tabs.indexOf(page.retention) + 1
    mnemonics = [page.tabs.tabText(i).split("&")[1][0].lower() for i in range(page.tabs.count())]
    assert len(mnemonics) == len(set(mnemonics))  # each tab has its own Alt+letter
    page.tabs.setCurrentIndex(index)
    assert page.holds.model.rowCount() == 1
    page.clear()
    assert page.holds.model.rowCount() == 0


def test_look_of_the_tab_and_dialog(qtbot, context: SessionContext) -> None:
    """Screenshots for people to look at (COUNTERPART_SHOTS); the asserts check the data reached the screen."""
    mara = person(context, "Mara", "Lindqvist", "mara@example.com")
    otto = person(context, "Otto", "Berg", "otto@example.com")
    person(context, "Lena", "Fischer", "lena@example.com")
    service = RetentionService(context.session)
    service.hold(otto, "Tax audit of the 2024 accounts (letter of 3 March)")
    service.hold(mara, "Warranty dispute, court case 12/2026", until=end_of_day(TODAY + timedelta(days=90)))
    tab = sized(HoldsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    assert tab.model.rowCount() == 2
    shot(tab, "privacy-holds")
    lena = ContactService(context.session).search("Lena")[0].id
    service.hold(lena, "Chargeback with the card issuer", until=NOW - timedelta(days=2))
    service.release(service.hold(mara, "Old invoice dispute, settled"))
    tab.show_released.setChecked(True)
    assert tab.model.rowCount() == 4 and "lapsed" in tab.model.text(1, UNTIL)
    assert tab.summary.text().startswith("2 legal holds in force. 1 is past its end date")  # lapsed: not in force
    shot(tab, "privacy-holds-released")
    press(qtbot, tab.place_button)
    dialog = tab.dialog
    qtbot.keyClicks(dialog.customer.query, "Lena")
    wait_until(qtbot, lambda: dialog.customer.results.count() > 0)
    dialog.customer.results.setCurrentRow(0)
    dialog.reason.setText("Chargeback dispute with the card issuer")
    dialog.ends.setChecked(True)
    assert dialog.customer.contact_name() == "Lena Fischer"
    qtbot.wait(50)  # let the layout settle around the chosen customer's line
    shot(dialog, "privacy-place-hold")
    dialog.reject()
