"""Recording consent for a child in the consent panel: the parent who gives it is asked for and recorded; for a
customer PIPL covers, a purpose on legitimate interests is offered too (PIPL has no such basis)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.access.shop import ShopService
from app.consent.jurisdiction import set_birth_date
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import open_session_for_ui, press, shot, shutdown_session, type_into, wait_until
from ui.consent.panel import ConsentPanel
from ui.consent.record_dialog import RecordConsentDialog
from ui.session_context import SessionContext


@pytest.fixture
def owner(qtbot, new_vault: tuple[Path, str]) -> Iterator[SessionContext]:  # type: ignore[no-untyped-def]
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    context = SessionContext(session)
    yield context
    wait_until(qtbot, lambda: not context.busy)
    shutdown_session(session)


def _dialog(qtbot, context: SessionContext, contact_id: int) -> RecordConsentDialog:  # type: ignore[no-untyped-def]
    panel = ConsentPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    panel.show_contact(contact_id)
    press(qtbot, panel.record_button)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, RecordConsentDialog) and w.isVisible())
    qtbot.addWidget(dialog)
    return dialog


def test_a_childs_consent_names_the_parent(qtbot, owner: SessionContext) -> None:  # type: ignore[no-untyped-def]
    ShopService(owner.session).update(country="DE")
    today = datetime.now(UTC).date()
    mia = ContactService(owner.session).create(ContactInput(given_name="Mia", family_name="Schulz"))
    set_birth_date(owner.session, mia, date(today.year - 12, 1, 1))
    dialog = _dialog(qtbot, owner, mia)
    assert dialog.parent_name.isVisible() and dialog.parent_relation.isVisible()
    dialog.boxes["email_marketing"].setFocus()
    qtbot.keyClick(dialog.boxes["email_marketing"], Qt.Key.Key_Space)  # ticked from the keyboard, as at a counter
    assert dialog.boxes["email_marketing"].isChecked()
    shot(dialog, "consent-record-child")
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "Name the parent or guardian" in dialog.message.text()
    assert ConsentService(owner.session).history(mia) == []
    type_into(qtbot, dialog.parent_name, "Julia Schulz")
    type_into(qtbot, dialog.parent_relation, "mother")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    event = ConsentService(owner.session).history(mia)[-1]
    assert (event.action, event.guardian_name, event.guardian_relation) == ("grant", "Julia Schulz", "mother")
    panel = next(w for w in QApplication.allWidgets() if isinstance(w, ConsentPanel) and w.isVisible())
    wait_until(qtbot, lambda: panel.history_table.rowCount() == 1)
    assert panel.history_table.item(0, 3).text() == "Told us in person, given by Julia Schulz (mother)"


def test_an_adult_is_not_asked_for_a_parent_and_pipl_people_are_asked_about_postal_mail(  # type: ignore[no-untyped-def]
    qtbot, owner: SessionContext
) -> None:
    ShopService(owner.session).update(country="DE")
    contacts = ContactService(owner.session)
    anna = contacts.create(ContactInput(given_name="Anna", family_name="Schulz"))
    wang = contacts.create(
        ContactInput(given_name="Wei", family_name="Zhang", points=[ContactPointInput("phone", "+86 139 1234 5678")])
    )
    adult = _dialog(qtbot, owner, anna)
    assert not adult.parent_name.isVisible() and "postal_mail" not in adult.boxes  # legitimate interests: not asked
    adult.reject()
    pipl = _dialog(qtbot, owner, wang)
    assert "postal_mail" in pipl.boxes  # PIPL: postal mail needs his consent
    pipl.boxes["postal_mail"].setFocus()
    qtbot.keyClick(pipl.boxes["postal_mail"], Qt.Key.Key_Space)  # ticked from the keyboard, as at a counter
    assert pipl.boxes["postal_mail"].isChecked()
    press(qtbot, pipl.ok_button)
    wait_until(qtbot, lambda: not pipl.isVisible())
    state = next(s for s in ConsentService(owner.session).states(wang) if s.purpose.key == "postal_mail")
    assert state.granted and state.reason.startswith("granted on")


def test_the_kiosk_asks_a_child_for_the_parent_who_decides(qtbot, owner: SessionContext) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.test_consent import _kiosk, _sign

    ShopService(owner.session).update(country="CN")  # PIPL: under 14; no legitimate interests
    today = datetime.now(UTC).date()
    xiaoming = ContactService(owner.session).create(ContactInput(given_name="小明", family_name="李", language="zh_CN"))
    set_birth_date(owner.session, xiaoming, date(today.year - 10, 6, 1))
    kiosk = _kiosk(qtbot, owner, xiaoming)
    assert kiosk.parent_box.isVisible() and "postal_mail" in kiosk.choices  # postal mail: asked, not assumed
    press(qtbot, kiosk.choices["postal_mail"].box)
    _sign(kiosk.signature)
    press(qtbot, kiosk.save_button)
    assert kiosk.pages.currentIndex() == 0 and kiosk.message.text()  # the parent is not named yet
    assert ConsentService(owner.session).history(xiaoming) == []
    type_into(qtbot, kiosk.parent_name, "李华")
    type_into(qtbot, kiosk.parent_relation, "父亲")
    shot(kiosk, "kiosk-child-zh")
    kiosk.set_language("en")
    shot(kiosk, "kiosk-child-en")
    press(qtbot, kiosk.save_button)
    assert kiosk.pages.currentIndex() == 1
    event = ConsentService(owner.session).history(xiaoming)[-1]
    assert (event.purpose_key, event.guardian_name, event.guardian_relation) == ("postal_mail", "李华", "父亲")
    assert kiosk.parent_name.text() == ""  # off the screen once stored
