"""Locking: idle timer, Ctrl+L, switch user, the clipboard, and never closing under a running operation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton

from app.access.roles import Role
from app.access.session import Session, open_session
from app.crm.contacts import ContactInput, ContactService
from app.privacy.retention import RetentionService
from app.store import audit
from app.vault.vault import Vault
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
from ui import clipboard
from ui.controller import AppController


def _signed_in(qtbot, tmp_path: Path, vault: Path, **kwargs: object) -> AppController:
    controller = make_controller(tmp_path, **kwargs)
    unlock_as(qtbot, controller.show_unlock(vault), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    return controller


def _actions(path: Path) -> list[str]:
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault:
        return [entry.action for entry in audit.iter_entries(vault.db)]


def test_idle_lock_closes_the_vault_and_shows_the_unlock_screen(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str]
) -> None:
    controller = _signed_in(qtbot, tmp_path, new_vault[0], idle_timeout_ms=2000)  # longer than signing in
    session = controller.context.session
    assert controller.idle.active
    wait_until(qtbot, lambda: controller.context is None, timeout=5000)
    assert not session.vault.is_open and session.vault.data_key() == bytes(32)  # connection closed, key wiped
    assert controller.main_window is None
    unlock = controller.unlock_window
    assert unlock.isVisible() and unlock.selected_name() == OWNER
    assert "without use" in unlock.notice.text()
    shot(unlock, "unlock-after-idle-lock")
    shutdown(controller)
    assert "session.idle_lock" in _actions(new_vault[0])


def test_input_keeps_the_session_open(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    # Input every 150 ms against a 1.5 s timeout: a wide margin, so a busy machine cannot fake idleness.
    controller = _signed_in(qtbot, tmp_path, new_vault[0], idle_timeout_ms=1500)
    main = controller.main_window
    for _ in range(12):
        qtbot.wait(150)
        qtbot.keyClick(main.sidebar, Qt.Key.Key_Down)  # someone is working
    assert controller.context is not None and controller.context.session.vault.is_open
    wait_until(qtbot, lambda: controller.context is None, timeout=10000)  # and then they stop
    shutdown(controller)


def test_ctrl_l_locks_and_unlocking_returns_to_the_same_page(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str]
) -> None:
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    main = controller.main_window
    main.show_page("privacy")
    main.activateWindow()
    qtbot.waitActive(main)
    qtbot.keyClick(main.sidebar, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert controller.context is None and controller.main_window is None
    unlock_as(qtbot, controller.unlock_window, OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    assert controller.main_window.current_page() == "privacy"
    shutdown(controller)


def test_switch_user_returns_to_a_neutral_unlock_screen(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    shutdown_session(owner)
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    controller.main_window.show_page("settings")
    controller.main_window.switch_action.trigger()
    unlock = controller.unlock_window
    assert controller.context is None and unlock.isVisible()
    assert unlock.selected_name() is None  # nobody preselected: the next person picks their own name
    assert unlock.names.count() == 2
    shutdown(controller)


def test_locking_clears_text_the_app_copied(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    clipboard.copy_text("an audit row")
    controller.lock()
    assert QGuiApplication.clipboard().text() == ""
    QGuiApplication.clipboard().setText("copied elsewhere")
    clipboard.clear_if_ours()
    assert QGuiApplication.clipboard().text() == "copied elsewhere"  # not ours: left alone
    shutdown(controller)


def test_locking_waits_for_a_running_operation(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    context = controller.context
    release = threading.Event()
    context.run(lambda progress, cancelled: release.wait(5), description="holding the connection")
    assert context.busy and not controller.main_window.centralWidget().isEnabled()
    controller.lock()
    assert controller.context is context and context.session.vault.is_open  # not closed under the worker
    release.set()
    wait_until(qtbot, lambda: controller.context is None)
    assert not context.session.vault.is_open
    shutdown(controller)


def _binned_long_ago(vault: Path) -> None:
    """A customer put in the bin 40 days ago: the GDPR template removes binned people after 30."""
    session = open_session(vault, OWNER, OWNER_PASSWORD)
    contacts = ContactService(session)
    contact_id = contacts.create(ContactInput(given_name="Old", family_name="Record"))
    contacts.delete(contact_id)
    session.conn.execute(
        "UPDATE contact SET deleted_at = ? WHERE id = ?",
        ((datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds"), contact_id),
    )
    session.lock("logout")


LESSON_DUE = "Your privacy lesson is due: a few minutes of reading, once a year."


def test_a_new_vault_has_no_chores_to_show(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    """A brand-new owner is not sent to an empty retention preview: the one note is their own privacy lesson."""
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    notices = controller.main_window.notices
    assert notices.notes() == [LESSON_DUE]
    shutdown(controller)


def test_unlock_chores_show_above_the_page_until_dismissed_and_go_at_lock(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str]
) -> None:
    _binned_long_ago(new_vault[0])
    controller = _signed_in(qtbot, tmp_path, new_vault[0])
    main = controller.main_window
    notices = main.notices
    assert notices.isVisible()
    assert notices.notes() == ["A retention sweep is due: review it in Privacy › Retention.", LESSON_DUE]
    show_me = next(b for b in notices.findChildren(QPushButton) if b.text() == "Show me")
    press(qtbot, show_me)  # the note leads to the place it is about
    assert main.current_page() == "privacy" and main.privacy.tabs.currentWidget() is main.privacy.retention
    main.show_page("dashboard")
    assert main.statusBar().currentMessage() == ""  # no longer a message the permanent labels cut off
    assert main.backup_label.text() == "⚠ Backups need attention"  # said once, in the status bar's own label,
    assert "No backup folder" in main.backup_label.toolTip()  # the whole sentence where it has room
    notices.add("Call “Order” is due in 5 minutes, at 10:00.")
    notices.add("Call “Order” is due in 5 minutes, at 10:00.")  # a note is shown once
    assert len(notices.notes()) == 3
    wait_until(qtbot, lambda: all(label.isVisible() for label in notices.findChildren(QLabel, "notice")))
    shot(main, "main-owner-notices")
    press(qtbot, notices.dismiss_button)
    assert not notices.isVisible() and notices.notes() == []
    notices.add("Call “Order” is due in 5 minutes, at 10:00.")
    main.lock_action.trigger()
    wait_until(qtbot, lambda: controller.main_window is None)
    assert notices.notes() == []  # reminders name customers: forgotten at lock
    shutdown(controller)


def test_a_sweep_cut_short_before_its_trace_removal_finishes_at_the_next_sign_in(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str]
) -> None:
    """The app closed between a sweep's erasure and the removal of the erased people's words from the search
    index: whoever signs in next (here a staff member, who may not erase) finishes it in the background."""
    _binned_long_ago(new_vault[0])
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(session, "Sam", Role.STAFF, "sams-password-1")
    session.conn.execute("UPDATE user SET must_change_password = 0 WHERE name = 'Sam'")  # past their first day
    RetentionService(session).erase_due()  # and then the app was closed
    assert RetentionService(session).traces_pending() != []
    assert b"record" in _name_index(session)  # the erased "Old Record": still in the index's segments
    session.lock("logout")

    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(new_vault[0]), "Sam", "sams-password-1")
    wait_until(qtbot, lambda: controller.main_window is not None)
    context = controller.context
    wait_until(qtbot, lambda: not context.busy)

    assert RetentionService(context.session).traces_pending() == []
    assert b"record" not in _name_index(context.session)
    shutdown(controller)
    assert "sweep.traces_removed" in _actions(new_vault[0])


def _name_index(session: Session) -> bytes:
    """The name index's segments as stored (a deleted row's words stay there until the index is merged)."""
    return b"".join(bytes(r[0]) for r in session.conn.execute("SELECT block FROM contact_search_data"))
