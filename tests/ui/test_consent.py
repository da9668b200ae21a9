"""Consent capture in the UI: the customer kiosk, the signature pad, a customer's consent panel, the settings tab.

Real vault files in tmp_path; the kiosk is shown as a normal window (full screen only in the app).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCloseEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QScrollArea, QWidget

from app.access.roles import Role
from app.access.session import Session
from app.access.users import UserService
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactService
from app.errors import PermissionDenied
from app.locale.formatting import day
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    make_controller,
    open_session_for_ui,
    press,
    shot,
    shutdown,
    shutdown_session,
    unlock_as,
    wait_until,
)
from ui.consent.kiosk import KioskWindow
from ui.consent.panel import ConsentPanel
from ui.consent.print_dialog import PrintFormDialog
from ui.consent.settings_page import ConsentSettingsView, days_to_months, months_to_days
from ui.consent.signature_pad import SignaturePad
from ui.session_context import SessionContext

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STAFF, STAFF_PASSWORD = "Bea Staff", "staff-pass-1"


@pytest.fixture
def owner(qtbot, new_vault: tuple[Path, str]) -> Iterator[SessionContext]:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    context = SessionContext(session)
    yield context
    wait_until(qtbot, lambda: not context.busy)
    shutdown_session(session)


@pytest.fixture
def staff(qtbot, new_vault: tuple[Path, str]) -> Iterator[SessionContext]:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(session, STAFF, Role.STAFF, "temporary-1")
    shutdown_session(session)
    session = open_session_for_ui(new_vault[0], STAFF, "temporary-1")
    UserService(session).change_own_password("temporary-1", STAFF_PASSWORD)
    context = SessionContext(session)
    yield context
    wait_until(qtbot, lambda: not context.busy)
    shutdown_session(session)


def _customer(session: Session, name: str = "Ana Test", language: str | None = None) -> int:
    return ContactService(session).create(ContactInput(display_name=name, language=language))


def _sign(pad: SignaturePad) -> None:
    """A short stroke with the mouse, like a person would draw."""
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(30, 60))
    for x, y in ((60, 90), (100, 50), (150, 110), (200, 70)):
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(220, 80))


def _kiosk(qtbot, context: SessionContext, contact_id: int | None, language: str | None = None) -> KioskWindow:
    kiosk = KioskWindow(context, contact_id, language=language)
    qtbot.addWidget(kiosk, before_close_func=lambda widget: widget.discard())
    kiosk.resize(1280, 800)
    kiosk.start(full_screen=False)
    return kiosk


def _look(widget: QWidget, name: str) -> None:
    """A screenshot once pending layout work is done (a grab right after a change shows the old layout)."""
    for _ in range(3):
        QApplication.processEvents()
    shot(widget, name)


def _accept(qtbot, box: QMessageBox) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole))


# --- the signature pad -------------------------------------------------------------------------------------


def test_the_signature_pad_gives_a_png_after_a_stroke(qtbot) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(480, 180)
    pad.show()
    assert pad.is_empty() and pad.png_bytes() == b""
    assert pad.minimumWidth() >= 300 and pad.minimumHeight() >= 120 and pad.accessibleName()
    with qtbot.waitSignal(pad.changed):
        _sign(pad)
    data = pad.png_bytes()
    assert not pad.is_empty() and data.startswith(PNG_MAGIC)
    image = QImage.fromData(data, "PNG")
    assert image.width() == pad.width()
    inked = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if image.pixelColor(x, y).value() < 100
    )
    assert inked > 20  # the stroke is in the picture, not just a blank page
    pad.clear()
    assert pad.is_empty() and pad.png_bytes() == b""


# --- the kiosk ---------------------------------------------------------------------------------------------


def test_nothing_is_pre_ticked_and_separate_consent_stands_apart(qtbot, owner: SessionContext) -> None:
    ana = _customer(owner.session)
    service = ConsentService(owner.session)
    service.record(ana, "email_marketing", True, "verbal")  # even an earlier yes is not ticked for them
    kiosk = _kiosk(qtbot, owner, ana)
    consent_purposes = [p for p in service.purposes() if p.lawful_basis == "consent"]
    assert set(kiosk.choices) == {p.key for p in consent_purposes}
    assert "postal_mail" not in kiosk.choices  # legitimate interests: nothing to ask
    assert not any(choice.box.isChecked() for choice in kiosk.choices.values())
    for purpose in consent_purposes:
        group = kiosk.choices[purpose.key].parentWidget()
        assert group is (kiosk.separate if purpose.separate_consent else kiosk.general)
    assert kiosk.choices["email_marketing"].note.isVisibleTo(kiosk)  # the earlier yes is explained in words
    today = day(datetime.now().astimezone().date(), kiosk.language, "long")  # "November 23, 2026": not ISO
    assert kiosk.choices["email_marketing"].note.text() == f"You agreed to this on {today}."
    assert kiosk.decline_button.isVisible() and kiosk.save_button.isVisible()
    assert kiosk.decline_button.minimumHeight() == kiosk.save_button.minimumHeight()
    press(qtbot, kiosk.choices["sms_marketing"].box)
    assert kiosk.choices["sms_marketing"].box.isChecked()
    phone = kiosk.choices["phone_calls"]
    QTest.mouseClick(phone.label, Qt.MouseButton.LeftButton)  # the words are a big target for a finger
    assert phone.box.isChecked()
    QTest.mouseClick(phone.label, Qt.MouseButton.LeftButton)
    assert not phone.box.isChecked()
    order, widget = [], kiosk.language_buttons.buttons()[-1]
    for _ in range(len(kiosk.choices)):
        widget = widget.nextInFocusChain()
        order.append(widget)
    general = [c.box for c in kiosk.choices.values() if not c.purpose.separate_consent]
    assert order[: len(general)] == general  # Tab goes from the languages through the boxes, in order
    _sign(kiosk.signature)
    _look(kiosk, "consent-kiosk-en")
    bar = kiosk.choices_area.verticalScrollBar()
    assert bar.maximum() > 0 and kiosk.more_below.isVisible()  # 1280×800: the last boxes are below the fold
    assert "More choices below" in kiosk.more_below.text()
    bar.setValue(bar.maximum())
    assert not kiosk.more_below.isVisible()  # seen them all
    bar.setValue(0)
    assert kiosk.more_below.isVisible()


def test_saving_two_ticks_records_exactly_two_grants_with_notice_and_signature(qtbot, owner: SessionContext) -> None:
    ana = _customer(owner.session, language="de")
    kiosk = _kiosk(qtbot, owner, ana)
    assert kiosk.language == "de" and kiosk.notice is not None and kiosk.notice.language == "de"
    press(qtbot, kiosk.choices["email_marketing"].box)
    press(qtbot, kiosk.choices["sensitive_data"].box)
    assert kiosk.choices["email_marketing"].box.isChecked() and kiosk.choices["sensitive_data"].box.isChecked()
    press(qtbot, kiosk.save_button)
    assert kiosk.pages.currentIndex() == 0 and kiosk.message.text()  # not signed yet: asked to sign
    assert ConsentService(owner.session).history(ana) == []
    _sign(kiosk.signature)
    press(qtbot, kiosk.save_button)
    assert kiosk.pages.currentIndex() == 1  # thank you
    service = ConsentService(owner.session)
    events = service.history(ana)
    assert sorted(e.purpose_key for e in events) == ["email_marketing", "sensitive_data"]
    assert {e.action for e in events} == {"grant"} and {e.method for e in events} == {"form"}
    assert {e.notice_id for e in events} == {kiosk.notice.id}
    evidence_ids = {e.evidence_id for e in events}
    assert len(evidence_ids) == 1 and None not in evidence_ids
    media_type, data = service.evidence(evidence_ids.pop())  # type: ignore[arg-type]
    assert media_type == "image/png" and data.startswith(PNG_MAGIC) and len(data) > 200
    assert kiosk.signature.is_empty()  # what the customer drew is off the screen once stored
    granted = {s.purpose.key for s in service.states(ana) if s.granted and s.purpose.lawful_basis == "consent"}
    assert granted == {"email_marketing", "sensitive_data"}


def test_a_returning_customer_who_unticks_withdraws(qtbot, owner: SessionContext) -> None:
    ana = _customer(owner.session)
    service = ConsentService(owner.session)
    service.record(ana, "email_marketing", True, "verbal")
    kiosk = _kiosk(qtbot, owner, ana)
    press(qtbot, kiosk.choices["sms_marketing"].box)
    assert kiosk.choices["sms_marketing"].box.isChecked()
    _sign(kiosk.signature)
    assert kiosk.save()
    latest = service.history(ana)[1:]
    assert sorted((e.purpose_key, e.action) for e in latest) == [
        ("email_marketing", "withdraw"),
        ("sms_marketing", "grant"),
    ]
    assert "withdrew" in kiosk.thanks_text.text()


def test_no_thanks_stores_nothing_for_a_new_customer(qtbot, owner: SessionContext) -> None:
    kiosk = _kiosk(qtbot, owner, None)
    assert kiosk.details.isVisible()
    kiosk.name.setText("Walk In")
    press(qtbot, kiosk.decline_button)
    assert kiosk.pages.currentIndex() == 1 and kiosk.contact_id is None
    assert ContactService(owner.session).page() == []  # declining leaves no trace of the person
    assert kiosk.name.text() == ""


def test_a_new_customer_signs_up_in_their_language(qtbot, owner: SessionContext) -> None:
    kiosk = _kiosk(qtbot, owner, None, language="en")
    kiosk.set_language("zh_CN")
    assert kiosk.notice is not None and kiosk.notice.language == "zh_CN"
    assert "撤回" in kiosk.notice_body.text()
    press(qtbot, kiosk.choices["cross_border"].box)
    assert kiosk.choices["cross_border"].box.isChecked()
    _sign(kiosk.signature)
    assert not kiosk.save()  # a new customer must give a name
    _look(kiosk, "consent-kiosk-zh")
    kiosk.name.setText("王芳")
    kiosk.email.setText("not an address")
    assert not kiosk.save() and kiosk.message.text()
    kiosk.email.setText("wang.fang@example.cn")
    with qtbot.waitSignal(kiosk.saved) as saved:
        assert kiosk.save()
    contact_id = saved.args[0]
    _look(kiosk, "consent-kiosk-zh-thanks")
    contacts = ContactService(owner.session)
    assert contacts.language_of(contact_id) == "zh_CN"
    assert contacts.get(contact_id).display_name == "王芳"
    events = ConsentService(owner.session).history(contact_id)
    assert [(e.purpose_key, e.action, e.method) for e in events] == [("cross_border", "grant", "form")]


def test_customer_mode_cannot_be_left_without_the_staff_password(qtbot, owner: SessionContext) -> None:
    kiosk = _kiosk(qtbot, owner, _customer(owner.session))
    event = QCloseEvent()
    kiosk.closeEvent(event)
    assert not event.isAccepted()
    dialog = kiosk._exit_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()
    assert not kiosk.close() and kiosk.isVisible()  # the close button / Alt+F4
    QTest.keyClick(kiosk, Qt.Key.Key_Escape)
    dialog = kiosk._exit_dialog
    assert dialog is not None and dialog.isVisible() and kiosk.isVisible()
    dialog.password.setText("not-the-password")
    press(qtbot, dialog.leave_button)
    wait_until(qtbot, lambda: dialog.failures == 1)
    assert kiosk.isVisible() and dialog.isVisible() and "not right" in dialog.message.text()
    _look(dialog, "consent-kiosk-staff-password")
    with qtbot.waitSignal(kiosk.left):
        dialog.password.setText(OWNER_PASSWORD)
        press(qtbot, dialog.leave_button)
    assert not kiosk.isVisible()


def test_a_lock_discards_customer_mode_without_the_password(qtbot, owner: SessionContext) -> None:
    kiosk = _kiosk(qtbot, owner, None)
    kiosk.name.setText("Typed Name")
    kiosk.discard()
    assert not kiosk.isVisible() and kiosk.name.text() == ""


def test_repeated_wrong_passwords_make_the_next_try_wait(qtbot, owner: SessionContext) -> None:
    kiosk = _kiosk(qtbot, owner, None)
    dialog = kiosk.request_leave()
    for n in range(1, 4):
        dialog.password.setText(f"guess-{n}")
        press(qtbot, dialog.leave_button)
        wait_until(qtbot, lambda n=n: dialog.failures == n)
    assert not dialog.leave_button.isEnabled() and "Try again in" in dialog.message.text()
    dialog.password.setText(OWNER_PASSWORD)
    assert not dialog.leave_button.isEnabled()
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter is refused while waiting, even with the right password
    assert dialog._operation is None and kiosk.isVisible()


# --- the consent panel -------------------------------------------------------------------------------------


def _row(panel: ConsentPanel, key: str) -> int:
    return next(i for i, s in enumerate(panel.states) if s.purpose.key == key)


def test_the_panel_shows_withdrawn_after_withdraw(qtbot, owner: SessionContext) -> None:
    ana = _customer(owner.session)
    service = ConsentService(owner.session)
    notice = service.current_notice("en")
    assert notice is not None
    service.record(ana, "email_marketing", True, "form", notice_id=notice.id)
    service.record(ana, "profiling", True, "verbal")
    panel = ConsentPanel(owner)
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    panel.show_contact(ana)
    row = _row(panel, "email_marketing")
    assert panel.states_table.item(row, 1).text().splitlines()[0] == "Granted"
    assert panel.history_table.rowCount() == 2 and panel.history_table.item(1, 4).text() == "v1 (en)"
    button = panel.states_table.cellWidget(row, 3)
    assert isinstance(button, QPushButton)
    _look(panel, "consent-panel-before-withdraw")
    press(qtbot, button)
    box = next(b for b in panel.findChildren(QMessageBox) if b.isVisible())
    _accept(qtbot, box)
    row = _row(panel, "email_marketing")
    state = panel.states_table.item(row, 1)
    assert state.text().splitlines()[0] == "Not granted"
    assert state.data(Qt.ItemDataRole.UserRole).startswith("withdrawn on") and "withdrawn on" in state.text()
    assert panel.states_table.cellWidget(row, 3) is None  # nothing left to withdraw
    assert panel.history_table.item(0, 2).text() == "Withdrawn"
    assert not next(s for s in service.states(ana) if s.purpose.key == "email_marketing").granted
    press(qtbot, panel.opt_out)  # one click: the CCPA opt-out is recorded
    assert service.flag(ana, "opt_out_sale_sharing")
    assert (
        panel.states_table.item(_row(panel, "sale_sharing"), 1).data(Qt.ItemDataRole.UserRole)
        == "opted out of sale or sharing"
    )
    _look(panel, "consent-panel")
    panel.clear()
    assert panel.states_table.rowCount() == 0 and panel.history_table.rowCount() == 0
    assert not panel.record_button.isEnabled()


def test_the_panel_opens_the_kiosk_and_refreshes_when_staff_return(qtbot, owner: SessionContext) -> None:
    ana = _customer(owner.session)
    panel = ConsentPanel(owner)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_contact(ana)
    kiosk = panel.hand_to_customer(full_screen=False)
    assert isinstance(kiosk, KioskWindow) and kiosk.isVisible() and kiosk.contact_id == ana
    assert kiosk.parentWidget() is panel  # goes when the window behind it goes (lock)
    assert not panel.isVisible()  # the CRM is out of sight while the customer holds the screen
    press(qtbot, kiosk.choices["phone_calls"].box)
    assert kiosk.choices["phone_calls"].box.isChecked()
    _sign(kiosk.signature)
    assert kiosk.save()
    assert panel.history_table.rowCount() == 1  # refreshed through the context's `changed`
    dialog = kiosk.request_leave()
    dialog.password.setText(OWNER_PASSWORD)
    with qtbot.waitSignal(kiosk.left):
        press(qtbot, dialog.leave_button)
    assert panel.kiosk is None and panel.isVisible()


def test_staff_record_consent_but_cannot_change_purposes(qtbot, staff: SessionContext, tmp_path: Path) -> None:
    ana = _customer(staff.session)
    panel = ConsentPanel(staff)
    qtbot.addWidget(panel)
    panel.show_contact(ana)
    assert panel.record_button.isEnabled() and panel.kiosk_button.isEnabled()
    dialog = panel.record_consent()
    assert dialog is not None and not any(box.isChecked() for box in dialog.boxes.values())
    dialog.show()
    press(qtbot, dialog.ok_button)
    assert dialog.isVisible() and dialog.message.text()  # nothing ticked: nothing recorded
    dialog.boxes["email_marketing"].setChecked(True)
    dialog.boxes["sms_marketing"].setChecked(True)
    dialog.paper.setChecked(True)
    scan = tmp_path / "form.png"
    scan.write_bytes(PNG_MAGIC + b"scan")
    dialog.set_scan(scan)
    dialog.resize(620, dialog.sizeHint().height())
    _look(dialog, "consent-record-dialog")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    service = ConsentService(staff.session)
    events = service.history(ana)
    assert [(e.purpose_key, e.method, e.captured_by) for e in events] == [
        ("email_marketing", "paper", STAFF),
        ("sms_marketing", "paper", STAFF),
    ]
    assert events[0].notice_id == service.current_notice("en").id  # type: ignore[union-attr]
    assert service.evidence(events[0].evidence_id) == ("image/png", PNG_MAGIC + b"scan")  # type: ignore[arg-type]
    assert panel.history_table.rowCount() == 2

    view = ConsentSettingsView(staff)
    qtbot.addWidget(view)
    assert view.rows == []  # nothing is read until the tab is shown
    view.show()
    assert view.rows and not any(w.isEnabled() for r in view.rows for w in (r.basis, r.expiry, r.active))
    assert not view.save_button.isEnabled() and "may not" in view.save_button.toolTip()
    assert not view.publish_button.isEnabled()
    with pytest.raises(PermissionDenied):
        service.set_purpose("email_marketing", lawful_basis="consent", expires_after_days=30)


def test_printing_a_form_writes_the_pdf_on_a_worker(qtbot, owner: SessionContext, tmp_path: Path) -> None:
    ana = _customer(owner.session, language="fr")
    dialog = PrintFormDialog(owner, ana)
    qtbot.addWidget(dialog)
    assert dialog.language.currentData() == "fr"  # the customer's language by default
    out = tmp_path / "form.pdf"
    dialog.write(out)
    assert owner.busy
    wait_until(qtbot, lambda: not owner.busy)
    assert out.read_bytes().startswith(b"%PDF") and dialog.last_code
    assert dialog.saved_box is not None and dialog.saved_box.isVisible()  # offers to open it for printing
    dialog.saved_box.reject()


# --- the settings tab --------------------------------------------------------------------------------------


def test_the_owner_edits_purposes_and_publishes_a_notice(qtbot, owner: SessionContext) -> None:
    view = ConsentSettingsView(owner)
    qtbot.addWidget(view)
    view.resize(1060, 640)
    view.show()
    service = ConsentService(owner.session)
    row = next(r for r in view.rows if r.purpose.key == "sms_marketing")
    assert row.expiry.value() == 24 and row.basis.isEnabled()
    assert view.save_purposes() == 0  # nothing changed, nothing written
    row.expiry.setValue(12)
    row.active.setChecked(False)
    assert view.save_purposes() == 1
    changed = service.purpose("sms_marketing")
    assert changed.expires_after_days == 365 and not changed.active
    assert service.purpose("email_marketing").expires_after_days == 730  # untouched rows keep their days

    view.language.setCurrentIndex(view.language.findData("en"))
    assert view.version_list.count() == 1
    first = service.current_notice("en")
    assert first is not None and view.notice_hash.text() == first.sha256
    editor = view.publish()
    assert editor is not None and editor.title.text() == first.title
    editor.extra.setPlainText("We now also send a yearly newsletter.")  # the rest is composed from the records
    _look(editor, "consent-notice-editor")
    press(qtbot, editor.publish_button)
    assert not editor.isVisible()
    assert view.version_list.count() == 2 and "(current)" in view.version_list.item(0).text()
    assert view.notice_hash.text() == service.current_notice("en").sha256 != first.sha256  # type: ignore[union-attr]
    view.version_list.setCurrentRow(1)
    assert view.notice_text.toPlainText() == first.body and view.notice_hash.text() == first.sha256
    _look(view, "consent-settings-view")


def test_months_and_days_round_trip() -> None:
    assert days_to_months(730) == 24 and months_to_days(24) == 730
    assert days_to_months(None) == 0 and months_to_days(0) is None
    assert days_to_months(10) == 1


def test_the_privacy_page_has_a_consent_tab(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(new_vault[0]), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    main = controller.main_window
    main.show_page("privacy")
    privacy = main.privacy
    privacy.tabs.setCurrentIndex(privacy.consent_tab)
    view = privacy.consent_view
    assert view is not None and privacy.tabs.currentWidget() is view
    assert len(view.rows) == 8 and view.publish_button.isEnabled()
    _look(main, "consent-settings-tab")
    main.clear()  # at lock time the tab forgets what it showed
    assert view.rows == [] and view.version_list.count() == 0
    shutdown(controller)


def test_the_consent_tab_fits_a_narrow_record_pane(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    """Beside the customer list the tab is ~350 px wide: it scrolled sideways and cut "Legitimate in…"."""
    ana = ContactService(owner.session).create(ContactInput(given_name="Ana", family_name="Lima"))
    panel = ConsentPanel(owner)
    qtbot.addWidget(panel)
    panel.resize(350, 700)
    panel.show()
    panel.show_contact(ana)
    qtbot.wait(20)
    scroll = panel.findChild(QScrollArea)
    assert scroll.horizontalScrollBar().maximum() == 0
    for table in (panel.states_table, panel.history_table):
        header = table.horizontalHeader()
        used = sum(header.sectionSize(column) for column in range(table.columnCount()))
        assert used <= table.viewport().width(), (table.accessibleName(), used, table.viewport().width())
    postal = panel.states_table.item(_row(panel, "postal_mail"), 2)
    assert postal.text().startswith("Legitimate interests")
    cell = panel.states_table.visualItemRect(postal)
    metrics = panel.states_table.fontMetrics()
    needed = metrics.boundingRect(cell.adjusted(3, 0, -3, 0), int(Qt.TextFlag.TextWordWrap), postal.text())
    assert needed.height() <= cell.height(), (needed, cell)  # every wrapped line of it is in the row
    assert max(metrics.horizontalAdvance(word) for word in postal.text().split()) <= cell.width() - 6
    label = next(lbl for lbl in panel.findChildren(QLabel) if lbl.buddy() is panel.limit_sensitive)
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)  # the wrapped words tick the box, as a check box's do
    assert panel.limit_sensitive.isChecked()
    assert ConsentService(owner.session).flag(ana, "limit_sensitive")
    _look(panel, "consent-panel-narrow")
