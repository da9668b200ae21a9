"""A restricted customer (GDPR Art. 18) is marked in the list and bannered in the detail; an owner lifts it there."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt

from app.access.session import Session
from app.consent.restriction import RestrictionService, is_restricted
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.locale import i18n
from tests.ui import test_customers as customers
from tests.ui_helpers import press, type_into, wait_until
from ui.customers.page import CustomersPage


def _names(page: CustomersPage) -> list[str]:
    return [page.model.index(row, 0).data() for row in range(page.model.rowCount())]


def _people(session: Session) -> int:
    contacts = ContactService(session)
    maja = contacts.create(
        ContactInput(given_name="Maja", family_name="Lindqvist", points=[ContactPointInput("email", "maja@example.se")])
    )
    contacts.create(ContactInput(given_name="Erik", family_name="Lindqvist"))
    RestrictionService(session).restrict(maja, "Contests the postal address we hold")
    return maja


def test_the_list_marks_the_detail_explains_and_the_owner_lifts(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    maja = _people(owner)
    _main, page = customers._window(qtbot, owner)
    wait_until(qtbot, lambda: len(_names(page)) == 2)
    assert _names(page) == ["Erik Lindqvist", "Maja Lindqvist (restricted)"]
    marked = page.model.index(1, 0)
    assert marked.data(Qt.ItemDataRole.DecorationRole) is not None
    assert page.model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is None
    assert "processing restricted" in marked.data(Qt.ItemDataRole.ToolTipRole)
    customers._open(qtbot, page, "Maja Lindqvist")
    banner = page.detail.restriction
    assert banner.isVisible() and "Contests the postal address we hold" in banner.text.text()
    assert "left out of marketing lists, exports and the retention sweep" in banner.text.text()
    assert banner.lift_button.isEnabled()
    customers._shot(qtbot, page, "customer-restricted")

    press(qtbot, banner.lift_button)  # no reason typed: refused, and said so
    assert banner.message.text().startswith("Say why the restriction ends")
    assert is_restricted(owner.conn, maja)
    type_into(qtbot, banner.reason, "Address checked against her ID card")
    press(qtbot, banner.lift_button)
    wait_until(qtbot, lambda: not banner.isVisible())
    assert not is_restricted(owner.conn, maja)
    wait_until(qtbot, lambda: _names(page) == ["Maja Lindqvist"])  # the search for her still shown, unmarked
    page.search.setText("")
    wait_until(qtbot, lambda: _names(page) == ["Erik Lindqvist", "Maja Lindqvist"])
    customers._open(qtbot, page, "Erik Lindqvist")
    assert not banner.isVisible()


def test_the_banner_in_german(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    _people(owner)
    assert i18n.set_language("de") == "de"
    QLocale.setDefault(QLocale("de"))
    try:
        _main, page = customers._window(qtbot, owner)
        wait_until(qtbot, lambda: len(_names(page)) == 2)
        customers._open(qtbot, page, "Maja Lindqvist")
        assert page.detail.restriction.isVisible()
        customers._shot(qtbot, page, "customer-restricted-de")
    finally:
        i18n.set_language("en")


def test_completing_a_restriction_request_in_the_requests_tab_restricts_and_names_whom_to_tell(  # type: ignore[no-untyped-def]
    qtbot, owner: Session
) -> None:
    from app.privacy.requests import RequestService
    from app.privacy.ropa import RopaService
    from ui.privacy.request_dialogs import CompleteDialog
    from ui.privacy.requests_tab import RequestsTab
    from ui.session_context import SessionContext

    contacts = ContactService(owner)
    noor = contacts.create(ContactInput(given_name="Noor", family_name="Haddad"))
    RopaService(owner).set_fact("ropa.recipients", "Kanzlei Weber (accountant)\nDHL Paket (deliveries)")
    requests = RequestService(owner)
    request = requests.create("restriction", "gdpr", contact_id=noor, channel="email")
    requests.verify_identity(request, "Replied from the email address we hold")
    context = SessionContext(owner)
    tab = RequestsTab(context)
    qtbot.addWidget(tab)
    tab.resize(900, 500)
    tab.show()
    tab.table.selectRow(0)
    press(qtbot, tab.complete_button)
    dialog = next(w for w in tab.findChildren(CompleteDialog) if w.isVisible())
    assert "will be restricted" in dialog.warning.text()
    type_into(qtbot, dialog.response, "Contests the address; restricted while we check it")
    customers._shot(qtbot, dialog, "privacy-complete-restriction")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not context.busy and "completed" in tab.message.text())
    assert (
        "Tell these recipients (GDPR Art. 19): Kanzlei Weber (accountant); DHL Paket (deliveries)" in tab.message.text()
    )
    assert is_restricted(owner.conn, noor)
    current = RestrictionService(owner).current(noor)
    assert current is not None and current.reason == "Contests the address; restricted while we check it"
    assert requests.get(request).recipients == ["Kanzlei Weber (accountant)", "DHL Paket (deliveries)"]


def test_the_retention_preview_says_who_it_keeps_for_restriction(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from ui.privacy.retention_tab import RetentionTab
    from ui.session_context import SessionContext

    contacts = ContactService(owner)
    binned = contacts.create(ContactInput(given_name="Bea", family_name="Binned"))
    restricted = contacts.create(ContactInput(given_name="Rita", family_name="Restricted"))
    RestrictionService(owner).restrict(restricted, "Asked us to keep it for her claim")
    contacts.delete(binned)
    contacts.delete(restricted)  # in the bin too, but restricted: kept
    later = datetime.now(UTC) + timedelta(days=31)
    context = SessionContext(owner)
    tab = RetentionTab(context, clock=lambda: later)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    press(qtbot, tab.preview_button)
    wait_until(qtbot, lambda: not context.busy and tab.preview_model.rowCount() == 1)
    assert tab.preview_model.row(0).cells[0] == f"Customer no. {binned}"
    assert "1 person is kept: their processing is restricted (GDPR Art. 18)." in tab.preview_summary.text()
