"""User administration through the Settings page, and what other roles see of it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.access.roles import Role
from app.access.users import UserService
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
from ui.controller import AppController
from ui.user_dialogs import AddUserDialog


def _signed_in(qtbot, tmp_path: Path, vault: Path, name: str, password: str) -> AppController:
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(vault), name, password)
    wait_until(qtbot, lambda: controller.main_window is not None)
    return controller


def test_the_owner_adds_a_staff_user_through_the_dialog(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = _signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main = controller.main_window
    main.show_page("settings")
    settings = main.settings
    settings.tabs.setCurrentIndex(settings.users_tab)
    users = settings.users
    assert users is not None and users.model.names() == [OWNER]
    dialog = users.add_user()
    assert isinstance(dialog, AddUserDialog)
    dialog.name.setText("Bea Staff")
    dialog.passwords.first.setText("temporary-1")
    dialog.passwords.again.setText("temporary-1")
    assert dialog.role.role() == Role.STAFF  # the least powerful working role is the default
    shot(dialog, "users-add-dialog")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: "Bea Staff" in users.model.names())
    assert not dialog.isVisible()
    users.select("Bea Staff")
    shot(main, "main-owner-users")
    row = users.model.names().index("Bea Staff")
    assert users.model.user(row).role == Role.STAFF and users.model.user(row).must_change_password
    assert users.reset_button.isEnabled() and users.remove_button.isEnabled()
    shutdown(controller)


def test_a_duplicate_name_is_refused_with_the_services_message(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str]
) -> None:
    controller = _signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    dialog = controller.main_window.settings.users.add_user()
    dialog.name.setText(OWNER.upper())
    dialog.passwords.first.setText("temporary-1")
    dialog.passwords.again.setText("temporary-1")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: bool(dialog.message.text()))
    assert "already a user" in dialog.message.text() and dialog.isVisible()
    dialog.reject()
    shutdown(controller)


def test_removing_a_user_offers_a_rekey(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    shutdown_session(owner)
    controller = _signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    users = controller.main_window.settings.users
    users.select("Bea Staff")
    box = users.remove_user()
    assert isinstance(box, QMessageBox) and "rekey" in box.informativeText()
    only = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    press(qtbot, only)
    wait_until(qtbot, lambda: "Bea Staff" not in users.model.names())
    assert [u.name for u in UserService(controller.context.session).list()] == [OWNER]
    shutdown(controller)


def test_staff_cannot_reach_users_security_or_the_audit_log(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    shutdown_session(owner)
    staff = open_session_for_ui(new_vault[0], "Bea Staff", "temporary-1")
    UserService(staff).change_own_password("temporary-1", "bea-own-password")
    shutdown_session(staff)

    controller = _signed_in(qtbot, tmp_path, new_vault[0], "Bea Staff", "bea-own-password")
    main = controller.main_window
    settings = main.settings
    assert settings.users is None and settings.security is None  # never built: nothing to leak
    for tab in (settings.users_tab, settings.security_tab):
        assert not settings.tabs.isTabEnabled(tab)
        assert "Staff" in settings.tabs.tabToolTip(tab) and "may not" in settings.tabs.tabToolTip(tab)
    assert settings.tabs.isTabEnabled(0)  # My account: everyone may change their own password
    assert main.privacy.audit_view is None
    assert "Password only" not in main.protection_label.text()
    main.show_page("privacy")
    shot(main, "main-staff-privacy")
    main.show_page("settings")
    shot(main, "main-staff-settings")
    shutdown(controller)
