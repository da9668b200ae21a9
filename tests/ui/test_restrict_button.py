"""Restriction leftovers (issue #20): "Restrict processing…" on a customer's detail, with a reason, pressed for
real; the customer list's "restricted" filter; looked at on screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from app.access.roles import Role
from app.access.session import Session
from app.access.users import UserService
from app.consent.restriction import RestrictionService, is_restricted
from app.crm.contacts import ContactFilter, ContactInput, ContactPointInput, ContactService
from app.store import audit
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui import test_customers as customers
from tests.ui_helpers import add_user, open_session_for_ui, press, shutdown_session, type_into, wait_until
from ui.customers.page import CustomersPage


def _names(page: CustomersPage) -> list[str]:
    return [page.model.index(row, 0).data() for row in range(page.model.rowCount())]


def _people(session: Session) -> tuple[int, int]:
    contacts = ContactService(session)
    maja = contacts.create(
        ContactInput(given_name="Maja", family_name="Lindqvist", points=[ContactPointInput("email", "maja@example.se")])
    )
    erik = contacts.create(ContactInput(given_name="Erik", family_name="Lindqvist"))
    return maja, erik


def test_restrict_from_the_detail_with_a_reason(qtbot, owner: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    maja, _erik = _people(owner)
    main, page = customers._window(qtbot, owner)
    wait_until(qtbot, lambda: len(_names(page)) == 2)
    customers._open(qtbot, page, "Maja Lindqvist")
    detail = page.detail
    assert detail.restrict_button.isVisible() and detail.restrict_button.isEnabled()
    assert not detail.restriction.isVisible()
    press(qtbot, detail.restrict_button)
    dialog = detail.restrict_dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Restrict processing"
    assert any("Maja Lindqvist stays in the vault" in label.text() for label in dialog.findChildren(QLabel))
    dialog.grab().save(str(tmp_path / "restrict-dialog.png"))
    customers._shot(qtbot, dialog, "restrict-dialog")
    press(qtbot, dialog.ok_button)  # no reason: refused in the dialog, nothing restricted
    assert dialog.isVisible() and dialog.message.text().startswith("Say why processing is restricted")
    assert not is_restricted(owner.conn, maja)
    type_into(qtbot, dialog.field, "Contests the postal address we hold")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    assert is_restricted(owner.conn, maja)
    current = RestrictionService(owner).current(maja)
    assert current is not None and current.reason == "Contests the postal address we hold"
    assert [e.entity_id for e in audit.entries(owner.conn, audit.AuditFilter(action="restriction.set"))] == [str(maja)]
    wait_until(qtbot, lambda: detail.restriction.isVisible())
    assert "Contests the postal address we hold" in detail.restriction.text.text()
    assert not detail.restrict_button.isEnabled()  # already restricted: the banner lifts it
    wait_until(qtbot, lambda: "Maja Lindqvist (restricted)" in _names(page))
    main.grab().save(str(tmp_path / "restricted-detail.png"))
    customers._shot(qtbot, main, "restricted-detail")
    type_into(qtbot, detail.restriction.reason, "Address checked against her ID card")
    press(qtbot, detail.restriction.lift_button)
    wait_until(qtbot, lambda: detail.restrict_button.isEnabled())
    assert not is_restricted(owner.conn, maja)


def test_the_list_filters_restricted_people(qtbot, owner: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    maja, erik = _people(owner)
    RestrictionService(owner).restrict(maja, "Contests the postal address we hold")
    contacts = ContactService(owner)
    assert [p.id for p in contacts.page(where=ContactFilter(restricted=True))] == [maja]
    assert [p.id for p in contacts.page(where=ContactFilter(restricted=False))] == [erik]
    assert [p.id for p in contacts.search("Lindqvist", where=ContactFilter(restricted=True))] == [maja]
    main, page = customers._window(qtbot, owner)
    wait_until(qtbot, lambda: len(_names(page)) == 2)
    filters = page.filters
    assert filters.restricted in filters.focus_widgets()
    filters.restricted.setCurrentIndex(filters.restricted.findData(True))
    wait_until(qtbot, lambda: _names(page) == ["Maja Lindqvist (restricted)"])
    assert filters.clear_button.isEnabled()
    main.grab().save(str(tmp_path / "restricted-filter.png"))
    customers._shot(qtbot, main, "restricted-filter")
    filters.restricted.setCurrentIndex(filters.restricted.findData(False))
    wait_until(qtbot, lambda: _names(page) == ["Erik Lindqvist"])
    press(qtbot, filters.clear_button)
    wait_until(qtbot, lambda: len(_names(page)) == 2)
    assert filters.restricted.currentData() is None


def test_staff_see_the_button_but_may_not_restrict(qtbot, new_vault: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    _maja, erik = _people(session)
    add_user(session, "Sam", Role.STAFF, "temporary-1")
    shutdown_session(session)
    sam = open_session_for_ui(new_vault[0], "Sam", "temporary-1")
    UserService(sam).change_own_password("temporary-1", "sams-password")
    try:
        _main, page = customers._window(qtbot, sam)
        wait_until(qtbot, lambda: len(_names(page)) == 2)
        customers._open(qtbot, page, "Erik Lindqvist")
        button = page.detail.restrict_button
        assert button.isVisible() and not button.isEnabled() and "may not" in button.toolTip()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # disabled: the click opens nothing, changes nothing
        assert QApplication.activeModalWidget() is None and not is_restricted(sam.conn, erik)
    finally:
        shutdown_session(sam)
