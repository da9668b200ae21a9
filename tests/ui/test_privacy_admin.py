"""Privacy administration tabs: requests, retention, backups, breaches — real vault files, real widgets offscreen."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QWidget

from app.access import settings
from app.access.roles import Role
from app.access.users import UserService
from app.admin import security
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import PermissionDenied
from app.privacy.breach import BreachService
from app.privacy.reminders import requests_reminder
from app.privacy.requests import RequestService
from app.privacy.retention import RetentionService
from app.vault import backup, kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    catalog_as_written,
    click_row,
    open_session_for_ui,
    pick_customer,
    press,
    shot,
    shutdown_session,
    type_into,
    wait_until,
)
from ui.privacy.backups_tab import BackupsTab
from ui.privacy.breach_dialogs import qdatetime
from ui.privacy.breach_tab import BreachTab
from ui.privacy.common import ALERT, ProgressPanel, RowsModel
from ui.privacy.request_dialogs import ExportDialog, IdentityDialog, NewRequestDialog
from ui.privacy.requests_tab import RequestsTab
from ui.privacy.retention_tab import RetentionTab
from ui.session_context import SessionContext

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone().date()


def person(context: SessionContext, given: str, family: str, email: str = "") -> int:
    points = [ContactPointInput("email", email)] if email else []
    return ContactService(context.session).create(ContactInput(given_name=given, family_name=family, points=points))


def sized(widget: QWidget) -> QWidget:
    widget.resize(1100, 720)
    widget.show()
    return widget


def row_of(model: RowsModel, key: object) -> int:
    return next(i for i in range(model.rowCount()) if model.row(i).key == key)


def accept_box(qtbot, box: QMessageBox) -> None:  # type: ignore[no-untyped-def]
    """Press the box's named (accept) button, as a person would."""
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    press(qtbot, yes)


# --- requests -----------------------------------------------------------------------------------------------


def test_requests_are_sorted_by_due_date_and_overdue_is_said_in_words(qtbot, context: SessionContext) -> None:
    service = RequestService(context.session)
    late = service.create("access", "gdpr", requester="Lena Fischer", received=TODAY - timedelta(days=40))
    later = service.create("opt_out_sale_sharing", "ccpa", requester="Sam Ortiz", received=TODAY)
    soon = service.create("erasure", "uk_gdpr", requester="Owen Price", received=TODAY - timedelta(days=27))
    tab = sized(RequestsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    assert isinstance(tab, RequestsTab)
    ids = [tab.model.row(i).key for i in range(tab.model.rowCount())]
    assert ids == [late, soon, later]
    due_column = 5
    assert "Overdue" in tab.model.text(0, due_column)
    assert all("Overdue" not in tab.model.text(i, due_column) for i in (1, 2))
    assert "days left" in tab.model.text(1, due_column)
    index = tab.model.index(0, due_column)
    assert tab.model.data(index, Qt.ItemDataRole.ForegroundRole).color() == ALERT
    assert tab.model.data(tab.model.index(1, due_column), Qt.ItemDataRole.ForegroundRole) is None
    assert "1 is overdue" in tab.summary.text()
    assert requests_reminder(context.session, TODAY) == (
        "1 privacy request is overdue; 1 is due within 7 days. See Privacy › Requests."
    )
    assert requests_reminder(context.session, TODAY - timedelta(days=60)) is None
    shot(tab, "privacy-requests-sorted")


def test_the_new_request_dialog_registers_a_linked_request(qtbot, context: SessionContext) -> None:
    mara = person(context, "Mara", "Lindqvist", "mara@example.com")
    tab = sized(RequestsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    press(qtbot, tab.new_button)
    dialog = tab.findChild(NewRequestDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.type.setCurrentIndex(dialog.type.findData("erasure"))
    dialog.jurisdiction.setCurrentIndex(dialog.jurisdiction.findData("ccpa"))
    dialog.received.setDate(dialog.received.date().addDays(-3))
    assert (TODAY - timedelta(days=3) + timedelta(days=45)).isoformat() in dialog.due.text()
    press(qtbot, dialog.ok_button)  # neither a customer nor a name: refused, the dialog stays
    assert dialog.isVisible() and "Name the person" in dialog.message.text()
    pick_customer(qtbot, dialog.customer, "Mara")
    assert dialog.customer.contact_id() == mara
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    [request] = RequestService(context.session).open_requests()
    assert (request.type, request.jurisdiction, request.contact_id) == ("erasure", "ccpa", mara)
    assert request.received_at == (TODAY - timedelta(days=3)).isoformat()
    assert tab.model.rowCount() == 1 and tab.model.text(0, 2) == f"Mara Lindqvist (customer no. {mara})"
    assert "registered" in tab.message.text()


def test_completing_an_erasure_request_in_the_ui_erases_the_customer(qtbot, context: SessionContext) -> None:
    zed = person(context, "Zed", "Quarry", "zed.quarry@example.com")
    request_id = RequestService(context.session).create("erasure", "gdpr", contact_id=zed, channel="email")
    tab = sized(RequestsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    assert not tab.complete_button.isEnabled() and "identity" in tab.complete_button.toolTip()

    press(qtbot, tab.identity_button)
    identity = tab.dialog
    assert isinstance(identity, IdentityDialog) and identity.isVisible()
    identity.method.setCurrentText("Replied from the email address we hold")
    press(qtbot, identity.ok_button)
    assert RequestService(context.session).get(request_id).identity_method
    assert tab.complete_button.isEnabled() and tab.model.text(0, 6).startswith("Yes")

    press(qtbot, tab.complete_button)
    dialog = tab.dialog
    assert "erased everywhere" in dialog.warning.text() and "cannot be undone" in dialog.warning.text()
    assert dialog.warning.text().startswith(f"Zed Quarry (customer no. {zed}) will be erased")
    assert not dialog.ok_button.isDefault()  # Enter does not erase anyone
    shot(dialog, "privacy-complete-erasure")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not context.busy)
    assert ContactService(context.session).search("Quarry") == []
    assert ContactService(context.session).search("zed.quarry") == []
    assert RequestService(context.session).get(request_id).status == "completed"
    assert tab.model.rowCount() == 0 and "erased" in tab.message.text()


def test_extend_and_refuse_ask_for_a_reason(qtbot, context: SessionContext) -> None:
    service = RequestService(context.session)
    first = service.create("access", "gdpr", requester="Ida Berg", received=TODAY)
    second = service.create("objection", "gdpr", requester="Tom Ash", received=TODAY)
    tab = sized(RequestsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    click_row(qtbot, tab.table, 0)
    press(qtbot, tab.extend_button)
    extend = tab.dialog
    press(qtbot, extend.ok_button)
    assert "reason" in extend.message.text()
    extend.field.setPlainText("Many years of records to gather")
    press(qtbot, extend.ok_button)
    assert service.get(first).extended and "(extended)" in tab.model.text(row_of(tab.model, first), 5)
    assert row_of(tab.model, first) == 1  # the later deadline moves it down
    assert tab.selected().id == first and not tab.extend_button.isEnabled()
    click_row(qtbot, tab.table, row_of(tab.model, second))
    press(qtbot, tab.refuse_button)
    refuse = tab.dialog
    refuse.field.setPlainText("Manifestly unfounded: a repeat of last week's request")
    press(qtbot, refuse.ok_button)
    assert service.get(second).status == "refused"
    assert [tab.model.row(i).key for i in range(tab.model.rowCount())] == [first]


# --- retention ----------------------------------------------------------------------------------------------


def test_retention_preview_shows_who_and_why_and_confirm_applies_it(qtbot, context: SessionContext) -> None:
    contacts = ContactService(context.session)
    binned = person(context, "Bea", "Binned")
    kept = person(context, "Carl", "Kept")
    contacts.delete(binned)
    later = NOW + timedelta(days=31)  # the bin keeps people 30 days under the GDPR template
    tab = sized(RetentionTab(context, clock=lambda: later))
    qtbot.addWidget(tab)
    assert tab.policy_model.rowCount() == 7
    assert any(tab.policy_model.text(i, 1) == "24 months (730 days)" for i in range(7))

    press(qtbot, tab.preview_button)
    wait_until(qtbot, lambda: not context.busy)
    rows = [tab.preview_model.row(i).cells for i in range(tab.preview_model.rowCount())]
    assert [f"Customer no. {binned}", "Customers in the bin", "Delete"] in [r[:3] for r in rows]
    assert all(f"Customer no. {kept}" != r[0] for r in rows)
    assert "kept 30 days" in rows[0][4]
    assert tab.apply_button.isEnabled()
    shot(tab, "privacy-retention-preview")

    press(qtbot, tab.apply_button)
    box = tab.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    accept_box(qtbot, box)
    wait_until(qtbot, lambda: not context.busy)
    assert RetentionService(context.session).preview(later) == []
    assert "Customers in the bin: 1" in tab.message.text()
    assert re.search(
        r"Erased people's words removed from the search index at \d{4}-\d\d-\d\d \d\d:\d\d\.$", tab.message.text()
    ), tab.message.text()  # the step after the erasure, and when it ended
    assert RetentionService(context.session).traces_pending() == []
    assert "Customers in the bin: 1" in tab.last_run.text()
    assert tab.preview_model.rowCount() == 0 and not tab.apply_button.isEnabled()
    shot(tab, "privacy-retention-done")


def test_the_sweep_reports_its_trace_removal_in_german(
    qtbot, context: SessionContext, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    catalog_as_written(tmp_path, monkeypatch, "de")
    contacts = ContactService(context.session)
    contacts.delete(person(context, "Bea", "Binned"))
    later = NOW + timedelta(days=31)
    tab = sized(RetentionTab(context, clock=lambda: later))
    qtbot.addWidget(tab)
    press(qtbot, tab.preview_button)
    wait_until(qtbot, lambda: not context.busy and tab.apply_button.isEnabled())
    press(qtbot, tab.apply_button)
    accept_box(qtbot, tab.dialog)
    wait_until(qtbot, lambda: not context.busy and tab.message.text() != "")
    assert "Die Wörter der gelöschten Personen wurden um " in tab.message.text()
    assert tab.message.text().endswith(" aus dem Suchindex entfernt.")
    shot(tab, "privacy-retention-done-de")


def test_the_sweeps_last_step_shows_it_cannot_be_cancelled(qtbot, context: SessionContext) -> None:
    """After the batches (Cancel answered between them), the trace removal cannot stop: the panel says so and
    offers no Cancel that would do nothing."""
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.show()
    steps = [threading.Event(), threading.Event()]

    def work(progress, cancelled):  # type: ignore[no-untyped-def]
        progress(1, 2)  # a batch done
        steps[0].wait(5)
        progress(0, 0)  # the trace removal
        steps[1].wait(5)

    panel.follow(context.run(work, description="sweeping"), "Sweeping…", cancellable=True)
    wait_until(qtbot, lambda: panel.bar.maximum() == 2)
    assert panel.cancel_button.isVisible() and panel.label.text() == "Sweeping…"
    steps[0].set()
    wait_until(qtbot, lambda: panel.bar.maximum() == 0)
    assert not panel.cancel_button.isVisible()
    assert panel.label.text() == "Finishing (this step cannot be cancelled)…"
    panel.resize(700, 40)
    shot(panel, "progress-last-step")
    steps[1].set()
    wait_until(qtbot, lambda: not context.busy and not panel.isVisible())


def test_owner_edits_a_policy_and_applies_a_template(qtbot, context: SessionContext) -> None:
    tab = sized(RetentionTab(context))
    qtbot.addWidget(tab)
    row = row_of(tab.policy_model, "lead")
    click_row(qtbot, tab.policy_table, row)
    press(qtbot, tab.edit_button)
    dialog = tab.dialog
    dialog.unit.setCurrentIndex(1)
    dialog.amount.setValue(18)
    dialog.action.setCurrentIndex(dialog.action.findData("anonymise"))
    press(qtbot, dialog.ok_button)
    lead = next(p for p in RetentionService(context.session).policies() if p.category == "lead")
    assert (lead.period_days, lead.action) == (548, "anonymise")
    assert tab.policy_model.text(row, 1) == "548 days" and tab.policy_model.text(row, 2) == "Anonymise"
    tab.template.setCurrentIndex(tab.template.findData("pipl"))
    press(qtbot, tab.template_button)
    box = tab.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "Leads (never bought) with no activity: 12 months (365 days), then delete" in box.informativeText()
    accept_box(qtbot, box)
    lead = next(p for p in RetentionService(context.session).policies() if p.category == "lead")
    assert (lead.period_days, lead.action) == (365, "delete")


# --- backups ------------------------------------------------------------------------------------------------


def test_backups_tab_backs_up_lists_drills_and_asks_for_a_restore(
    qtbot, tmp_path: Path, context: SessionContext
) -> None:
    person(context, "Una", "Backup")
    tab = sized(BackupsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    tab.show()
    assert "No backup folder" in tab.status.text() and not tab.backup_button.isEnabled()
    assert "Settings › Backups" not in tab.status.text()  # it said so while on that very tab
    assert "Choose folder" in tab.status.text()
    assert "No restore drill" in tab.drill_reminder.text()
    folder = tmp_path / "backups"
    folder.mkdir()
    press(qtbot, tab.folder_button)
    chooser = tab.window().findChild(QFileDialog)
    assert chooser is not None and chooser.isVisible()
    chooser.setDirectory(str(tmp_path))
    chooser.selectFile(str(folder))
    press(qtbot, chooser.findChild(QDialogButtonBox).buttons()[0])
    wait_until(qtbot, lambda: "Backups now go to" in tab.message.text())
    assert tab.backup_button.isEnabled() and "No backup has been made" in tab.status.text()
    press(qtbot, tab.backup_button)
    wait_until(qtbot, lambda: not context.busy)
    assert tab.model.rowCount() == 1
    assert tab.model.text(0, 1) == "Made by hand" and tab.model.text(0, 2) == "1"
    assert tab.model.text(0, 5) == "Today's passwords"
    assert "Last backup" in tab.status.text() and "Backup made" in tab.message.text()

    click_row(qtbot, tab.table, 0)
    press(qtbot, tab.drill_button)
    drill = tab.dialog
    drill.password.setText(OWNER_PASSWORD)
    press(qtbot, drill.ok_button)
    wait_until(qtbot, lambda: not context.busy)
    assert "Drill passed" in tab.message.text(), tab.message.text()
    assert not settings.drill_due(context.session) and tab.drill_reminder.text() == ""

    press(qtbot, tab.restore_button)
    restore = tab.dialog
    assert restore is not drill and restore.isVisible()
    assert any("kept, not deleted" in label.text() for label in restore.findChildren(QLabel))
    restore.password.setText(OWNER_PASSWORD)
    with qtbot.assertNotEmitted(tab.restore_requested):
        press(qtbot, restore.ok_button)  # the "I understand" box is not ticked
    assert "Tick the box" in restore.message.text()
    restore.understood.setChecked(True)
    with qtbot.waitSignal(tab.restore_requested) as signal:
        press(qtbot, restore.ok_button)
    path, user, password, key = signal.args
    assert Path(path).parent == folder and (user, password, key) == (OWNER, OWNER_PASSWORD, None)
    assert restore.password.text() == ""  # the typed secret does not stay in the widget
    assert context.is_open  # the tab never restores the open vault itself


# --- breaches -----------------------------------------------------------------------------------------------


def test_breach_clock_counts_hours_then_says_late(qtbot, context: SessionContext) -> None:
    discovered = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    moment = {"now": discovered + timedelta(hours=10)}
    tab = sized(BreachTab(context, clock=lambda: moment["now"]))
    qtbot.addWidget(tab)
    assert "No breach recorded" in tab.banner.text()
    press(qtbot, tab.record_button)
    dialog = tab.dialog
    dialog.discovered.setDateTime(qdatetime(discovered))
    dialog.nature.setPlainText("The shop laptop was stolen from the car.")
    dialog.data.boxes[0].setChecked(True)
    dialog.high_risk.setChecked(True)
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    [breach] = BreachService(context.session).all()
    assert breach.discovered_at == discovered and breach.high_risk and breach.data_categories == ["Names"]
    authority = 3
    assert tab.model.text(0, authority).startswith("62 hours left")
    assert "62 hours left" in tab.banner.text() and "LATE" not in tab.banner.text()
    assert tab.model.data(tab.model.index(0, authority), Qt.ItemDataRole.ForegroundRole) is None

    moment["now"] = discovered + timedelta(hours=73)
    tab.tick()
    assert tab.model.text(0, authority).startswith("LATE — deadline was ")
    assert "LATE" in tab.banner.text()
    assert tab.model.data(tab.model.index(0, authority), Qt.ItemDataRole.ForegroundRole).color() == ALERT

    press(qtbot, tab.authority_button)
    notified = tab.dialog
    notified.at.setDateTime(qdatetime(moment["now"]))
    notified.reference.setText("ICO-2026-118")
    press(qtbot, notified.ok_button)
    assert "delay" in notified.message.text() and "required" in notified.delay_label.text()
    notified.delay.setPlainText("We learned of the theft only when the police called.")
    press(qtbot, notified.ok_button)
    assert not notified.isVisible()
    assert tab.model.text(0, authority).startswith("Told ") and "ICO-2026-118" in tab.model.text(0, authority)
    assert "LATE" not in tab.banner.text()


def test_breach_affected_people_are_chosen_by_rule(qtbot, context: SessionContext) -> None:
    for given in ("Ann", "Ben", "Cy"):
        person(context, given, "Shopper")
    breach_id = BreachService(context.session).record(discovered_at=NOW - timedelta(hours=2), nature="Email to all")
    tab = sized(BreachTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    assert not tab.letters_button.isEnabled() and "affected people first" in tab.letters_button.toolTip()
    press(qtbot, tab.select_button)
    dialog = tab.dialog
    press(qtbot, dialog.ok_button)  # "matching" with no rule ticked
    assert "Choose who is affected" in dialog.message.text()
    dialog.everyone.setChecked(True)
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not context.busy)
    assert len(BreachService(context.session).affected_ids(breach_id)) == 3
    assert tab.model.text(0, 5) == "3" and tab.letters_button.isEnabled()


# --- permissions ----------------------------------------------------------------------------------------------


def test_staff_sees_the_tabs_disabled_with_the_reason(qtbot, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    RequestService(owner).create("access", "gdpr", requester="Someone", received=TODAY - timedelta(days=60))
    shutdown_session(owner)
    session = open_session_for_ui(new_vault[0], "Bea Staff", "temporary-1")
    UserService(session, kdf.CHEAP).change_own_password("temporary-1", "staff-pass-22")
    context = SessionContext(session)
    requests, backups, breaches = RequestsTab(context), BackupsTab(context), BreachTab(context)
    retention = RetentionTab(context)
    for tab in (requests, backups, breaches, retention):
        qtbot.addWidget(tab)
        sized(tab)
    for tab, buttons in ((requests, requests._buttons[1:]), (backups, backups._buttons), (breaches, breaches._buttons)):
        assert not tab.allowed and tab.model.rowCount() == 0 and tab.table.isHidden()
        for push in buttons:
            assert not push.isEnabled() and "Your role (Staff) may not" in push.toolTip()
    assert requests_reminder(session, TODAY) is None  # an overdue request exists, but staff cannot act on it
    assert retention.policy_model.rowCount() == 7  # everyone may read the policies
    for push in (retention.edit_button, retention.template_button, retention.preview_button):
        assert not push.isEnabled() and "may not" in push.toolTip()
    shot(requests, "privacy-requests-staff")
    shutdown_session(session)


def test_staff_at_the_counter_register_a_request_and_are_told_who_answers_it(
    qtbot, new_vault: tuple[Path, str]
) -> None:
    """Staff saw "may not handle privacy requests" and nothing to do; the customer is standing in front of them."""
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    add_user(owner, "Max Manager", Role.MANAGER, "temporary-2")
    mara = person(SessionContext(owner), "Mara", "Lindqvist", "mara@example.com")
    shutdown_session(owner)
    session = open_session_for_ui(new_vault[0], "Bea Staff", "temporary-1")
    UserService(session, kdf.CHEAP).change_own_password("temporary-1", "staff-pass-22")
    tab = sized(RequestsTab(SessionContext(session), clock=lambda: NOW))
    qtbot.addWidget(tab)
    notice = " ".join(label.text() for label in tab.findChildren(QLabel) if label.isVisible())
    assert "You may register a request" in notice and f"{OWNER}, Max Manager" in notice
    press(qtbot, tab.new_button)
    dialog = tab.findChild(NewRequestDialog)
    assert dialog is not None and dialog.isVisible()
    pick_customer(qtbot, dialog.customer, "Mara")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    assert "is registered" in tab.message.text() and "Max Manager" in tab.message.text()
    assert tab.table.isHidden()  # the register itself stays for those who answer requests
    with pytest.raises(PermissionDenied):
        RequestService(session).open_requests()  # the service refuses whatever the screen shows
    shot(tab, "privacy-requests-staff-registered")
    shutdown_session(session)
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    [request] = RequestService(owner).open_requests()
    assert request.contact_id == mara and request.type == "access"
    shutdown_session(owner)


def test_clear_forgets_what_the_tabs_show(qtbot, context: SessionContext) -> None:
    RequestService(context.session).create("access", "gdpr", requester="Lena Fischer", received=TODAY)
    BreachService(context.session).record(discovered_at=NOW, nature="Lost USB stick")
    requests, breaches = RequestsTab(context), BreachTab(context)
    for tab in (requests, breaches):
        qtbot.addWidget(tab)
        assert tab.model.rowCount() == 0  # nothing read while the tab is not shown (built at every unlock)
        tab.show()
    assert requests.model.rowCount() == 1 and breaches.model.rowCount() == 1
    requests.clear()
    breaches.clear()
    context.changed.emit()  # a late refresh after clearing must not read again
    assert requests.model.rowCount() == 0 and breaches.model.rowCount() == 0
    assert "Lena" not in requests.detail.text() and not breaches.timer.isActive()


# --- the look -------------------------------------------------------------------------------------------------


def test_look_of_each_tab_with_realistic_data(qtbot, tmp_path: Path, context: SessionContext) -> None:
    """Screenshots for people to look at (COUNTERPART_SHOTS); the asserts check the data reached the screen."""
    people = {
        name: person(context, *name.split(), f"{name.split()[0].lower()}@example.com")
        for name in ("Lena Fischer", "Owen Price", "Mei Chen", "Sam Ortiz", "Ida Berg", "Tom Ash")
    }
    service = RequestService(context.session)
    service.create(
        "access", "gdpr", contact_id=people["Lena Fischer"], channel="email", received=TODAY - timedelta(days=35)
    )
    erase = service.create(
        "erasure", "uk_gdpr", contact_id=people["Owen Price"], channel="post", received=TODAY - timedelta(days=26)
    )
    service.verify_identity(erase, "Signed letter from the address we hold")
    extended = service.create("portability", "gdpr", contact_id=people["Mei Chen"], received=TODAY - timedelta(days=50))
    service.extend(extended, "Records in three systems")
    service.create(
        "opt_out_sale_sharing",
        "ccpa",
        requester="Sam Ortiz (by phone)",
        channel="phone",
        received=TODAY - timedelta(days=2),
    )
    service.create("access", "pipl", requester="Wang Fang", channel="web form", received=TODAY)
    requests = sized(RequestsTab(context, clock=lambda: NOW))
    qtbot.addWidget(requests)
    click_row(qtbot, requests.table, 0)
    assert requests.model.rowCount() == 5
    shot(requests, "privacy-requests")
    press(qtbot, requests.new_button)
    new = requests.dialog
    assert isinstance(new, NewRequestDialog) and new.isVisible()
    shot(new, "privacy-new-request")
    new.reject()

    contacts = ContactService(context.session)
    for name in ("Ida Berg", "Tom Ash"):
        contacts.delete(people[name])
    retention = sized(RetentionTab(context, clock=lambda: NOW + timedelta(days=40)))
    qtbot.addWidget(retention)
    press(qtbot, retention.preview_button)
    wait_until(qtbot, lambda: not context.busy)
    assert retention.preview_model.rowCount() == 2
    shot(retention, "privacy-retention")

    folder = tmp_path / "usb"
    folder.mkdir()
    settings.set_backup_folder(context.session, folder)
    for days, why in ((8, "before-rekey"), (1, "daily")):
        backup.make_backup(context.session.vault, folder, why, now=NOW - timedelta(days=days))
    security.backup_now(context.session, folder, "daily")
    backups = sized(BackupsTab(context, clock=lambda: NOW))
    qtbot.addWidget(backups)
    click_row(qtbot, backups.table, 0)
    assert backups.model.rowCount() == 3
    shot(backups, "privacy-backups")
    press(qtbot, backups.restore_button)
    restore = backups.dialog
    assert restore is not None and restore.isVisible()
    shot(restore, "privacy-restore")
    restore.reject()

    breaches = BreachService(context.session)
    old = breaches.record(
        discovered_at=NOW - timedelta(days=20),
        nature="Order confirmations sent to the wrong customer for two days",
        data_categories=["Names", "Postal addresses"],
        people_categories=["Customers"],
        approx_affected=14,
        consequences="Addresses seen by other customers",
        measures="Mail template fixed; recipients asked to delete",
    )
    breaches.authority_notified(old, "ICO-2025-0042", at=NOW - timedelta(days=18))
    late = breaches.record(
        discovered_at=NOW - timedelta(hours=80),
        nature="USB stick with an export lost",
        data_categories=["Names", "Email addresses and phone numbers"],
        approx_affected=230,
    )
    assert late
    fresh = breaches.record(
        discovered_at=NOW - timedelta(hours=5),
        nature="Shop laptop stolen from the car",
        data_categories=["Names", "Email addresses and phone numbers", "Purchases and deals"],
        people_categories=["Customers", "Leads (prospective customers)"],
        approx_affected=1200,
        consequences="Possible phishing using purchase details",
        measures="Vault is encrypted; password changed; keychain revoked",
        high_risk=True,
    )
    breaches.select_affected(fresh, everyone=True)
    tab = sized(BreachTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    assert tab.selected() is not None and tab.selected().id == late  # the most urgent is shown first
    shot(tab, "privacy-breaches-late")
    tab.table.selectRow(row_of(tab.model, fresh))
    assert "hours left" in tab.banner.text()
    shot(tab, "privacy-breaches")
    press(qtbot, tab.record_button)
    record = tab.dialog
    assert record is not None and record.isVisible()
    shot(record, "privacy-record-breach")
    record.reject()


def test_export_for_a_request_writes_the_files_and_records_their_fingerprints(
    qtbot, tmp_path: Path, context: SessionContext
) -> None:
    lena = person(context, "Lena", "Fischer", "lena@example.com")
    request_id = RequestService(context.session).create("portability", "gdpr", contact_id=lena)
    tab = sized(RequestsTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    tab.table.selectRow(0)
    # Not before the identity check: the data may go only to the person it is about (it gave no warning)
    assert not tab.export_button.isEnabled() and not tab.print_button.isEnabled()
    assert "identity first" in tab.export_button.toolTip()
    press(qtbot, tab.identity_button)
    identity = tab.findChild(IdentityDialog)
    type_into(qtbot, identity.method.lineEdit(), "Replied from the email address we hold")
    press(qtbot, identity.ok_button)
    wait_until(qtbot, lambda: tab.export_button.isEnabled())
    press(qtbot, tab.export_button)
    dialog = tab.findChild(ExportDialog)
    assert dialog.zip.isChecked()  # a portability request wants the machine-readable file
    dialog.password.setText("pdf-secret-1")
    dialog.repeat.setText("pdf-secret-2")
    press(qtbot, dialog.ok_button)
    assert "differ" in dialog.message.text() and dialog.choice is None
    dialog.repeat.setText("pdf-secret-1")
    press(qtbot, dialog.ok_button)
    choice = dialog.choice
    assert choice is not None and choice.pdf and choice.zip and choice.password == "pdf-secret-1"
    assert dialog.password.text() == ""  # the password does not stay in the widget
    assert isinstance(tab.dialog, QFileDialog) and tab.dialog.isVisible()  # save as…: the test names the file
    tab.dialog.reject()
    tab.export(RequestService(context.session).get(request_id), choice, tmp_path / "lena.pdf")
    wait_until(qtbot, lambda: not context.busy)
    assert "Saved" in tab.message.text(), tab.message.text()
    assert (tmp_path / "lena.pdf").stat().st_size > 0 and (tmp_path / "lena.zip").stat().st_size > 0
    files = RequestService(context.session).get(request_id).files
    assert sorted(f["name"] for f in files) == ["lena.pdf", "lena.zip"]


def test_letters_and_report_are_written_once_each_and_audited_once(
    qtbot, tmp_path: Path, context: SessionContext
) -> None:
    """The buttons write real PDFs through the one place that builds them (app/documents/breach_letters.py, from
    app/privacy/breach.py's data), and that place alone records them in the audit log."""
    from pypdf import PdfReader

    from app.access.shop import ShopService

    ShopService(context.session).update(name="Café Ünal", privacy_contact="privacy@cafe-unal.de")
    lena = person(context, "Lena", "Fischer", "lena@example.com")
    breaches = BreachService(context.session)
    breach_id = breaches.record(discovered_at=NOW - timedelta(hours=5), nature="Shop laptop stolen", high_risk=True)
    breaches.select_affected(breach_id, everyone=True)
    tab = sized(BreachTab(context, clock=lambda: NOW))
    qtbot.addWidget(tab)
    tab.table.selectRow(row_of(tab.model, breach_id))
    letters = tmp_path / "letters"
    letters.mkdir()
    press(qtbot, tab.letters_button)
    chooser = tab.dialog
    assert isinstance(chooser, QFileDialog)
    chooser.selectFile(str(letters))
    chooser.accept()
    wait_until(qtbot, lambda: not context.busy and "Wrote" in tab.message.text())
    written = sorted(letters.iterdir())
    assert [path.name for path in written] == [f"breach-{breach_id}-letter-{lena:06d}.pdf"]
    assert "Lena Fischer" in "".join(page.extract_text() for page in PdfReader(written[0]).pages)
    press(qtbot, tab.report_button)
    saver = tab.dialog
    assert isinstance(saver, QFileDialog)
    saver.selectFile(str(tmp_path / "report.pdf"))
    saver.accept()
    wait_until(qtbot, lambda: not context.busy and "draft report" in tab.message.text())
    assert "DRAFT" in PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    actions = [
        str(row[0])
        for row in context.session.conn.execute(
            "SELECT action FROM audit_event WHERE action IN ('breach.letters', 'breach.report') ORDER BY id"
        )
    ]
    assert actions == ["breach.letters", "breach.report"]


def test_list_tabs_fit_their_headings_without_scrolling_sideways(qtbot, context: SessionContext) -> None:
    """At the main window's narrowest the empty Requests table scrolled and read "Identity ch…"."""
    for tab in (RequestsTab(context, clock=lambda: NOW), BackupsTab(context, clock=lambda: NOW), BreachTab(context)):
        qtbot.addWidget(tab)
        tab.resize(860, 600)  # the Privacy page's room in an 1100 px window
        tab.show()
        qtbot.wait(10)
        table, header = tab.table, tab.table.horizontalHeader()
        assert table.horizontalScrollBar().maximum() == 0, type(tab).__name__
        for column in range(tab.model.columnCount()):
            heading = str(tab.model.headerData(column, Qt.Orientation.Horizontal))
            assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(heading), heading
    shot(tab, "privacy-breaches-narrow")
