"""The Customers page's filters (tag, owner, consent state) and the edit dialog's organisation rows, with real
widgets on a real vault."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from app.access.session import Session
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactFilter, ContactInput, ContactService
from tests.ui.test_customers import KNOWN, _edit, _fill, _names, _open, _overview_value, _shot, _window
from tests.ui_helpers import press, wait_until
from ui.customers.page import CustomersPage
from ui.models.contacts_model import BATCH, ContactListModel
from ui.session_context import SessionContext


def _consent_every_third(session: Session) -> set[int]:
    """Every third person said yes to email marketing, every third but one said no; returns who said yes."""
    contacts = ContactService(session)
    everyone = [s.id for s in contacts.page(limit=100_000)]
    facts = [
        (contact_id, "email_marketing", n % 3 == 0, "test.csv") for n, contact_id in enumerate(everyone) if n % 3 != 2
    ]
    ConsentService(session).record_imported(facts)
    return {contact_id for contact_id, _key, granted, _source in facts if granted}


def _choose(page: CustomersPage, state: str | None, purpose: str = "email_marketing") -> None:
    filters = page.filters
    filters.purpose.setCurrentIndex(filters.purpose.findData(purpose))
    filters.consent.setCurrentIndex(filters.consent.findData(state))


# --- the model ---------------------------------------------------------------------------------------------


def test_the_filtered_model_passes_the_qt_model_tester(qtbot, qtmodeltester, qtlog, owner) -> None:
    _fill(owner, 900 - len(KNOWN))
    granted = _consent_every_third(owner)
    assert len(granted) == 300
    model = ContactListModel(SessionContext(owner))
    qtmodeltester.check(model)
    model.set_filter(ContactFilter(consent_purpose="email_marketing", consent_state="granted"))
    assert model.filtering and model.rowCount() == BATCH and model.canFetchMore()
    model.fetchMore()  # across the page boundary, with the filter on
    assert model.rowCount() == 300 and not model.canFetchMore()
    assert {model.contact_id(row) for row in range(300)} == granted
    in_order = ContactService(owner).page(limit=1000, where=model.filter)
    assert _names(model) == [summary.name for summary in in_order]  # in name order, as the service walks it
    model.set_query("example")  # a search keeps the filter
    assert 0 < model.rowCount() <= 300 and {model.contact_id(r) for r in range(model.rowCount())} <= granted
    model.set_filter(ContactFilter(consent_purpose="email_marketing", consent_state="never_asked"))
    assert {model.contact_id(r) for r in range(model.rowCount())}.isdisjoint(granted)
    model.set_query("")
    model.refresh()
    assert model.rowCount() == BATCH and model.canFetchMore()  # 300 never asked: one more page to read
    model.fetchMore()
    assert model.rowCount() == 300
    model.set_filter(ContactFilter())
    assert not model.filtering and model.rowCount() == BATCH
    model.set_filter(ContactFilter(consent_purpose="email_marketing", consent_state="expired"))
    assert model.rowCount() == 0 and not model.canFetchMore()
    model.clear()
    assert model.filter == ContactFilter()
    assert [record.message for record in qtlog.records if "FAIL" in record.message] == []


def test_a_page_let_go_is_read_again_through_the_filter(qtbot, owner, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.models import contacts_model

    monkeypatch.setattr(contacts_model, "CACHE_BLOCKS", 1)
    _fill(owner, 3 * BATCH * 3)
    granted = _consent_every_third(owner)
    model = ContactListModel(SessionContext(owner))
    model.set_filter(ContactFilter(consent_purpose="email_marketing", consent_state="granted"))
    while model.canFetchMore():
        model.fetchMore()
    assert 0 not in model._cache  # the first page's text was let go
    assert {model.summary(row).id for row in range(model.rowCount())} == granted  # read again, filtered


def test_a_rare_match_is_looked_for_a_stretch_at_a_time(
    qtbot, qtmodeltester, qtlog, owner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each read looks through at most SCAN_SPAN people, so the window never waits for a whole walk."""
    from ui.models import contacts_model

    monkeypatch.setattr(contacts_model, "SCAN_SPAN", 50)
    _fill(owner, 600)
    contacts = ContactService(owner)
    everyone = [s.id for s in contacts.page(limit=10_000)]
    rare = everyone[10::60]  # one in sixty, the first near the top, the last near the end
    ConsentService(owner).record_imported([(contact_id, "sms_marketing", True, "test") for contact_id in rare])
    model = ContactListModel(SessionContext(owner))
    qtmodeltester.check(model)
    looking: list[bool] = []
    model.looking_changed.connect(lambda: looking.append(model.looking))
    reads: list[int] = []
    original = ContactService.page
    monkeypatch.setattr(ContactService, "page", lambda self, **kw: reads.append(1) or original(self, **kw))
    model.set_filter(ContactFilter(consent_purpose="sms_marketing", consent_state="granted"))
    assert len(reads) == 1 and model.rowCount() == 1 and model.looking and model.canFetchMore()  # one stretch
    wait_until(qtbot, lambda: not model.looking)
    assert [model.contact_id(row) for row in range(model.rowCount())] == rare  # all of them, in name order
    assert not model.canFetchMore() and looking == [True, False]
    assert len(reads) == len(everyone) // 50 + 1  # a read per stretch
    model.refresh()
    assert model.rowCount() == 1 and model.looking
    wait_until(qtbot, lambda: not model.looking)
    assert model.rowCount() == len(rare)
    assert [record.message for record in qtlog.records if "FAIL" in record.message] == []


# --- the page ----------------------------------------------------------------------------------------------


def test_choosing_a_consent_state_narrows_the_list(qtbot, owner) -> None:
    names = _fill(owner, 800 - len(KNOWN))
    granted = _consent_every_third(owner)
    main, page = _window(qtbot, owner)
    filters = page.filters
    assert filters.isVisible() and not filters.purpose.isEnabled() and not filters.clear_button.isEnabled()
    assert [filters.consent.itemText(i) for i in range(filters.consent.count())] == [
        "Any consent",
        "Consented to",
        "Withdrew consent to",
        "Consent expired for",
        "Never asked about",
    ]
    purposes = [filters.purpose.itemData(i) for i in range(filters.purpose.count())]
    assert "email_marketing" in purposes and "postal_mail" not in purposes  # only purposes asked for consent
    _choose(page, "granted")
    assert filters.purpose.isEnabled() and filters.clear_button.isEnabled()
    assert page.model.filtering and set(page.model._ids) <= granted and page.model.rowCount() == BATCH
    assert page.count_label.text() == f"{BATCH} matching customers shown, in name order; scroll down for more."
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert set(page.model._ids) == granted
    assert page.count_label.text() == f"{len(granted)} customers match the filters."
    _shot(qtbot, main, "customers-filter-consent")

    page.search.setText("Lima")  # the search looks only among the people the filter lets through
    page.apply_search()
    assert set(page.model._ids) <= granted
    ana_granted = names["Ana Lima"] in granted
    assert (names["Ana Lima"] in page.model._ids) == ana_granted

    ConsentService(owner).record(names["Ana Lima"], "email_marketing", False, "verbal")
    page.context.changed.emit()  # a withdrawal elsewhere: the filtered list follows
    assert names["Ana Lima"] not in page.model._ids
    _choose(page, "withdrawn")
    assert names["Ana Lima"] in page.model._ids

    page.search.clear()
    page.apply_search()
    _choose(page, "expired")
    assert page.model.rowCount() == 0 and page.count_label.text() == "No customer matches the filters."
    page.search.setText("Lima")
    page.apply_search()
    assert page.count_label.text() == "No customer matches this search and the filters."
    press(qtbot, filters.clear_button)
    assert not page.model.filtering and not filters.clear_button.isEnabled()
    assert filters.consent.currentData() is None and page.model.query == "Lima"
    assert {"Ana Lima", "Ana Maria Lima"} <= set(_names(page.model))


def test_the_page_says_while_it_is_still_looking(qtbot, owner, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.models import contacts_model

    monkeypatch.setattr(contacts_model, "SCAN_SPAN", 40)
    _fill(owner, 400)
    everyone = [s.id for s in ContactService(owner).page(limit=10_000)]
    ConsentService(owner).record_imported([(i, "sms_marketing", True, "test") for i in everyone[5::100]])
    main, page = _window(qtbot, owner)
    _choose(page, "granted", "sms_marketing")
    assert page.count_label.text() == "Looking through the customers… 1 found so far."
    assert page.table.accessibleDescription() == page.count_label.text()
    qtbot.keyClick(page.search, Qt.Key.Key_A)  # the window answers meanwhile
    assert page.search.text() == "a"
    page.search.clear()
    wait_until(qtbot, lambda: page.count_label.text() == "5 customers match the filters.")
    assert page.model.rowCount() == 5


def test_tag_and_owner_filters(qtbot, owner) -> None:
    names = _fill(owner, 50)
    main, page = _window(qtbot, owner)
    filters = page.filters
    tags = [filters.tag.itemText(i) for i in range(filters.tag.count())]
    assert tags[0] == "Any tag" and "Tag: vip" in tags and "Tag: wholesale" in tags
    assert [filters.owner.itemText(i) for i in range(filters.owner.count())] == ["Any owner", "Owner: me"]
    filters.tag.setCurrentIndex(tags.index("Tag: wholesale"))
    assert page.model.rowCount() >= 1 and names["Ana Lima"] in page.model._ids
    assert all("wholesale" in ContactService(owner).get(contact_id).tags for contact_id in page.model._ids)
    filters.owner.setCurrentIndex(1)
    assert names["Ana Lima"] in page.model._ids
    ContactService(owner).create(ContactInput(given_name="Nia", family_name="Tag", tags=["brand-new"]))
    page.context.changed.emit()  # a new tag appears in the list to choose from, the choice stays
    assert "Tag: brand-new" in [filters.tag.itemText(i) for i in range(filters.tag.count())]
    assert filters.tag.currentText() == "Tag: wholesale"


def test_the_filters_are_reached_by_keyboard_and_named(qtbot, owner) -> None:
    _fill(owner, 20)
    main, page = _window(qtbot, owner)
    filters = page.filters
    qtbot.keyClick(page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)  # "Show onl&y"
    assert QApplication.focusWidget() is filters.tag
    for widget in filters.focus_widgets():
        assert widget.accessibleName()
    label = next(w for w in filters.findChildren(QLabel) if w.buddy() is filters.tag)
    assert label.text() == "Show onl&y:"
    page.search.setFocus()
    order = [page.search]
    for _ in range(8):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    # the purpose and Clear filters are skipped while no consent state is chosen (disabled)
    assert order[1:7] == [page.new_button, filters.tag, filters.owner, filters.restricted, filters.consent, page.table]
    filters.consent.setFocus()
    qtbot.keyClick(filters.consent, Qt.Key.Key_Down)  # arrow keys choose in a closed combo box
    assert filters.consent.currentData() == "granted" and page.model.filtering
    qtbot.keyClick(filters.consent, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # Clear filters
    wait_until(qtbot, lambda: not page.model.filtering)  # a mnemonic presses the button visibly first
    assert filters.consent.currentData() is None


def test_lock_forgets_the_filters(qtbot, owner) -> None:
    _fill(owner, 20)
    main, page = _window(qtbot, owner)
    page.filters.tag.setCurrentIndex(1)
    assert page.model.filtering
    main.clear()
    assert page.filters.tag.count() == 0 and page.filters.owner.count() == 0
    assert not page.filters.current().active and not page.model.filtering


# --- several organisations in the edit dialog --------------------------------------------------------------


def test_the_dialog_edits_every_organisation(qtbot, owner) -> None:
    names = _fill(owner, 10)
    main, page = _window(qtbot, owner)
    ana = _open(qtbot, page, "Ana Lima")
    assert ana == names["Ana Lima"]
    dialog = _edit(qtbot, page)
    rows = dialog.organisations.rows
    assert [(r.name.text(), r.job_title.text()) for r in rows] == [("Corner Bakery", "Buyer")]
    press(qtbot, dialog.organisations.add_button)
    assert len(rows) == 2 and dialog.focusWidget() is rows[1].name
    qtbot.keyClicks(rows[1].name, "Flower Guild")
    qtbot.keyClicks(rows[1].job_title, "Treasurer")
    _shot(qtbot, dialog, "customers-edit-two-organisations")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    record = ContactService(owner).get(ana)
    assert [(n, t) for _id, n, t in record.organisations] == [("Corner Bakery", "Buyer"), ("Flower Guild", "Treasurer")]
    wait_until(qtbot, lambda: page.detail.record is not None and len(page.detail.record.organisations) == 2)
    form = page.detail.overview.form
    texts = [form.itemAt(i).widget().text() for i in range(form.count())]
    assert "Corner Bakery, Buyer" in texts and "Flower Guild, Treasurer" in texts
    assert _overview_value(page, "Given name") == "Ana"
    assert [s.id for s in ContactService(owner).search("guild", 5)] == [ana]

    dialog = _edit(qtbot, page)  # both come back; removing one keeps the other
    rows = dialog.organisations.rows
    assert [(r.name.text(), r.job_title.text()) for r in rows] == [
        ("Corner Bakery", "Buyer"),
        ("Flower Guild", "Treasurer"),
    ]
    assert not [w for w in dialog.findChildren(QLabel) if "also linked" in w.text()]  # no more warning
    press(qtbot, rows[0].remove_button)
    assert dialog.focusWidget() is dialog.organisations.rows[0].name
    press(qtbot, dialog.ok_button)
    assert [(n, t) for _id, n, t in ContactService(owner).get(ana).organisations] == [("Flower Guild", "Treasurer")]
    assert ana not in {s.id for s in ContactService(owner).search("bakery", 50)}


def test_a_job_title_without_an_organisation_is_refused_at_its_row(qtbot, owner) -> None:
    _fill(owner, 5)
    main, page = _window(qtbot, owner)
    dialog = page.new_customer()
    dialog.given.setText("Nameless")
    row = dialog.organisations.rows[0]
    row.job_title.setText("Buyer")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "name of the organisation" in row.message.text()
    assert dialog.focusWidget() is row.name
    row.name.setText("Corner Bakery")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    found = ContactService(owner).search("Nameless", 5)
    assert [(n, t) for _id, n, t in ContactService(owner).get(found[0].id).organisations] == [
        ("Corner Bakery", "Buyer")
    ]
