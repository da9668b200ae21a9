"""Issue #17 in the app: a disabled login is deleted, the owner hears at every unlock that a rekey is due, and
enabling someone again asks for a new temporary password."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from app.access.roles import Role
from app.access.users import UserService
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    open_session_for_ui,
    press,
    shot,
    shutdown,
    shutdown_session,
    signed_in,
    wait_until,
)
from ui.user_dialogs import EnableUserDialog


def test_disable_then_the_rekey_due_notice_until_enabled_and_rekeyed(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    shutdown_session(owner)
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main = controller.main_window
    assert not any("rekey" in note for note in main.notices.notes())
    users = main.settings.users
    main.show_page("settings")
    main.settings.tabs.setCurrentWidget(users)
    users.select("Bea Staff")
    assert users.active_button.text() == "&Disable"
    press(qtbot, users.active_button)  # disabling needs no dialog
    assert "A rekey is due: Bea Staff was disabled on" in users.message.text()
    assert controller.context.session.vault.keyfile.find_slot("Bea Staff") is None
    shutdown(controller)

    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main = controller.main_window
    notes = [note for note in main.notices.notes() if note.startswith("A rekey is due: Bea Staff was disabled on")]
    assert notes, main.notices.notes()
    shot(main, "main-rekey-due")
    row = next(
        r for r in main.notices.findChildren(QWidget, "noticeRow") if r.findChild(QLabel, "notice").text() == notes[0]
    )
    press(qtbot, row.findChild(QPushButton))
    assert main.current_page() == "settings" and main.settings.tabs.currentWidget() is main.settings.security
    assert main.settings.security.rekey_due.text() == notes[0]
    shot(main, "settings-security-rekey-due")

    users = main.settings.users
    main.show_page("settings")
    main.settings.tabs.setCurrentWidget(users)
    users.select("Bea Staff")
    assert users.active_button.text() == "&Enable"
    press(qtbot, users.active_button)
    dialog = main.findChild(EnableUserDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.passwords.first.setText("temporary-2")
    dialog.passwords.again.setText("temporary-2")
    shot(dialog, "users-enable-dialog")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    bea = next(u for u in UserService(controller.context.session).list() if u.name == "Bea Staff")
    assert bea.active and bea.must_change_password
    shutdown(controller)
    bea_session = open_session_for_ui(new_vault[0], "Bea Staff", "temporary-2")
    assert bea_session.user.must_change_password
    shutdown_session(bea_session)
