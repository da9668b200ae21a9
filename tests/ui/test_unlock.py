"""The start screen choice, the unlock screen, forced password changes and recovery, on real vault files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit

from app.access.roles import Role
from app.errors import CounterpartError
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
    sign_in,
    type_into,
    unlock_as,
    wait_until,
)
from ui.change_password import ChangePasswordDialog
from ui.recovery import RecoveryDialog

STAFF, STAFF_TEMP = "Bea Staff", "temporary-1"


def test_start_shows_the_unlock_screen_for_the_remembered_vault(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str]
) -> None:
    controller = make_controller(tmp_path)
    assert controller.start_path() is None  # nothing remembered, no default vault: the wizard
    controller.settings.setValue("vault/last_path", str(new_vault[0]))
    controller.start()
    assert controller.wizard is None
    window = controller.unlock_window
    assert window is not None and window.isVisible()
    assert str(new_vault[0]) in window.path_label.text()
    assert [window.names.item(i).text() for i in range(window.names.count())] == [OWNER]
    shutdown(controller)


def test_a_wrong_password_shows_an_error_and_stays(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path)
    window = controller.show_unlock(new_vault[0])
    unlock_as(qtbot, window, OWNER, "not-the-password")
    wait_until(qtbot, lambda: bool(window.message.text()))
    shot(window, "unlock-wrong-password")
    assert "not right" in window.message.text()
    assert "try again in" in window.message.text()  # the lockout delay is counted down, in words
    assert controller.main_window is None and controller.context is None
    assert window.isVisible() and window.password.text() == ""
    shutdown(controller)


def test_the_right_password_opens_the_main_window(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path)
    window = controller.show_unlock(new_vault[0])
    shot(window, "unlock")
    unlock_as(qtbot, window, OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    main = controller.main_window
    assert main.isVisible() and not window.isVisible()
    assert controller.context.session.user.name == OWNER
    assert OWNER in main.user_label.text()
    assert main.current_page() == "dashboard"
    assert main.findChild(QLabel, "placeholderNotice") is None  # every page is real now
    shot(main, "main-owner-dashboard")
    assert controller.remembered_path() == new_vault[0]
    shutdown(controller)


def test_first_sign_in_asks_only_for_the_new_password(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    """Issue #15: the forced change asked again for the temporary password typed a moment before."""
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, STAFF, Role.STAFF, STAFF_TEMP)
    shutdown_session(owner)
    controller = make_controller(tmp_path)
    window = controller.show_unlock(new_vault[0])
    sign_in(qtbot, window, STAFF, STAFF_TEMP)
    wait_until(qtbot, lambda: controller.context is not None)
    dialog = controller._forced_dialog
    assert isinstance(dialog, ChangePasswordDialog) and dialog.isVisible()
    assert controller.main_window is None  # nothing else until the password is the person's own
    fields = [field for field in dialog.findChildren(QLineEdit) if field.isVisible()]
    assert fields == [dialog.passwords.first, dialog.passwords.again]  # no field for the temporary password
    labels = " ".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())
    assert "Temporary" not in labels and "Current" not in labels
    assert window._typed == ""  # the unlock screen let go of it
    type_into(qtbot, dialog.passwords.first, "my-own-password")
    type_into(qtbot, dialog.passwords.again, "my-own-passwor")
    press(qtbot, dialog.save_button)
    assert dialog.isVisible() and "not the same" in dialog.passwords.message.text()
    type_into(qtbot, dialog.passwords.again, "my-own-password")
    assert dialog.message.text() == "" and dialog.passwords.message.text() == ""
    qtbot.wait(20)  # the layout settles, as on screen
    shot(dialog, "change-password-forced")
    press(qtbot, dialog.save_button)
    wait_until(qtbot, lambda: controller.main_window is not None)
    assert controller.main_window.isVisible() and STAFF in controller.main_window.user_label.text()
    assert not controller.context.session.user.must_change_password
    assert dialog._known_current == ""  # dropped once used
    shutdown(controller)
    again = open_session_for_ui(new_vault[0], STAFF, "my-own-password")
    assert not again.user.must_change_password
    shutdown_session(again)
    with pytest.raises(CounterpartError):
        open_session_for_ui(new_vault[0], STAFF, STAFF_TEMP)


def test_signing_out_of_the_forced_change_locks_again(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, STAFF, Role.STAFF, STAFF_TEMP)
    shutdown_session(owner)
    controller = make_controller(tmp_path)
    window = controller.show_unlock(new_vault[0])
    unlock_as(qtbot, window, STAFF, STAFF_TEMP)
    wait_until(qtbot, lambda: controller._forced_dialog is not None)
    session = controller.context.session
    controller._forced_dialog.reject()  # "Sign out"
    assert controller.context is None and not session.vault.is_open
    assert controller.main_window is None and window.isVisible()
    shutdown(controller)


def test_the_recovery_key_sets_a_new_owner_password(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    path, recovery_key = new_vault
    controller = make_controller(tmp_path)
    window = controller.show_unlock(path)
    dialog = window.open_recovery()
    assert isinstance(dialog, RecoveryDialog)
    dialog.key.setText(recovery_key.upper().replace("-", " "))  # as typed from paper
    dialog.passwords.first.setText("a-brand-new-one")
    dialog.passwords.again.setText("a-brand-new-one")
    shot(dialog, "recovery-dialog")
    press(qtbot, dialog.recover_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    assert "Recovered" in window.notice.text()
    assert window.selected_name() == OWNER
    unlock_as(qtbot, window, OWNER, "a-brand-new-one")
    wait_until(qtbot, lambda: controller.main_window is not None)
    shutdown(controller)


def test_a_wrong_recovery_key_is_refused_in_words(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    window = make_controller(tmp_path).show_unlock(new_vault[0])
    dialog = window.open_recovery()
    dialog.key.setText("-".join(["0" * 8] * 8))
    dialog.passwords.first.setText("a-brand-new-one")
    dialog.passwords.again.setText("a-brand-new-one")
    press(qtbot, dialog.recover_button)
    wait_until(qtbot, lambda: bool(dialog.message.text()))
    assert "does not belong to this vault" in dialog.message.text()
    assert dialog.isVisible()
    dialog.reject()
    window.close()
    with Vault.unlock(new_vault[0], OWNER, OWNER_PASSWORD):  # the old password still works
        pass


def test_a_vault_open_elsewhere_is_reported_as_busy(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    elsewhere = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    controller = make_controller(tmp_path)
    window = controller.show_unlock(new_vault[0])
    unlock_as(qtbot, window, OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: bool(window.message.text()))
    assert "already open" in window.message.text() and controller.context is None
    shutdown_session(elsewhere)
    shutdown(controller)


def test_a_lost_keychain_secret_points_to_the_recovery_key(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str], memory_keyring
) -> None:
    memory_keyring.secrets.clear()
    controller = make_controller(tmp_path)
    window = controller.show_unlock(new_vault[0])
    unlock_as(qtbot, window, OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: bool(window.message.text()))
    assert "recovery key" in window.message.text() and controller.context is None
    shutdown(controller)
