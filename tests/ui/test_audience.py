"""Privacy › Lists: who may be contacted for a purpose, why others are left out, and the export."""

from __future__ import annotations

import csv
from pathlib import Path

from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from tests.ui_helpers import choose_path, press, wait_until
from ui.consent.audience import AudienceView
from ui.session_context import SessionContext


def test_counts_reasons_and_export(qtbot, owner_session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    yes = contacts.create(
        ContactInput(given_name="Yes", family_name="P", points=[ContactPointInput("email", "yes@example.org")])
    )
    no = contacts.create(ContactInput(given_name="No", family_name="P"))
    consent.record(yes, "email_marketing", True, "verbal")
    consent.record(no, "email_marketing", True, "verbal")
    consent.record(no, "email_marketing", False, "verbal")
    view = AudienceView(SessionContext(owner_session))
    qtbot.addWidget(view)
    view.show()  # counted when shown
    view.purpose.setCurrentIndex(view.purpose.findData("email_marketing"))
    assert "1 person may be contacted" in view.summary.text()
    assert "1 person withdrew their consent" in view.summary.text()
    assert view.export_button.isEnabled()
    view.purpose.setCurrentIndex(view.purpose.findData("sms_marketing"))  # nobody said yes to texts
    assert "0 people may be contacted" in view.summary.text()
    assert not view.export_button.isEnabled() and view.export_button.toolTip()  # nothing to export, and why
    view.purpose.setCurrentIndex(view.purpose.findData("email_marketing"))
    out = tmp_path / "list.csv"
    press(qtbot, view.export_button)  # asks where to save: the file dialog
    choose_path(view, out)
    wait_until(qtbot, lambda: out.exists() and not view.context.busy)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["email"] for r in rows] == ["yes@example.org"]
    view.clear()
    assert view.summary.text() == ""
