"""Settings › Security: idle minutes, rekey with the new key shown once, the recovery kit; and About."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

from app.access.settings import SettingsService
from app.errors import AuthenticationFailed
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import make_controller, press, shot, shutdown, unlock_as, wait_until
from ui.controller import AppController
from ui.rekey import NewRecoveryKeyDialog


def _owner_on_security(qtbot, tmp_path: Path, vault: Path) -> AppController:
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(vault), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    main = controller.main_window
    main.show_page("settings")
    main.settings.tabs.setCurrentIndex(main.settings.security_tab)
    return controller


def test_the_idle_minutes_are_saved_and_applied(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = _owner_on_security(qtbot, tmp_path, new_vault[0])
    security = controller.main_window.settings.security
    shot(controller.main_window, "main-owner-security")
    security.idle.setValue(12)
    press(qtbot, security.apply_idle)
    assert SettingsService(controller.context.session).idle_minutes() == 12
    assert controller.idle.timeout_ms == 12 * 60_000
    assert "12 minutes" in security.message.text()
    shutdown(controller)


def test_rekey_shows_the_new_key_once_and_the_old_one_stops_working(
    qtbot, tmp_path: Path, new_vault: tuple[Path, str]
) -> None:
    path, old_key = new_vault
    controller = _owner_on_security(qtbot, tmp_path, path)
    main = controller.main_window
    press(qtbot, main.settings.security.rekey_button)
    box = next(b for b in main.findChildren(QMessageBox) if b.isVisible())
    press(qtbot, next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole))
    wait_until(qtbot, lambda: any(d.isVisible() for d in main.findChildren(NewRecoveryKeyDialog)))
    dialog = next(d for d in main.findChildren(NewRecoveryKeyDialog) if d.isVisible())
    new_key = dialog.panel.shown_key()
    assert new_key != old_key
    shot(dialog, "rekey-new-recovery-key")
    dialog.reject()
    assert dialog.isVisible()  # not before the owner confirms it is saved
    assert not dialog.close_button.isEnabled()
    dialog.panel.confirmed.setChecked(True)
    press(qtbot, dialog.close_button)
    assert not dialog.isVisible() and dialog.panel.shown_key() == ""  # off the screen
    shutdown(controller)
    with pytest.raises(AuthenticationFailed):
        Vault.open_with_recovery_key(path, old_key)
    with Vault.open_with_recovery_key(path, new_key):
        pass


def test_the_recovery_kit_is_saved_off_the_ui_thread(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = _owner_on_security(qtbot, tmp_path, new_vault[0])
    security = controller.main_window.settings.security
    out = tmp_path / "kit.pdf"
    press(qtbot, security.kit_button)
    dialog = controller.main_window.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(out))
    press(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))
    assert controller.context.busy
    wait_until(qtbot, lambda: not controller.context.busy)
    assert out.read_bytes().startswith(b"%PDF")
    assert "Saved to" in security.message.text()
    shutdown(controller)


def test_about_names_the_version_and_the_licences(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    from app import __version__
    from ui.about_dialog import show_about

    controller = _owner_on_security(qtbot, tmp_path, new_vault[0])
    dialog = show_about(controller.main_window)
    assert __version__ in dialog.text() and "LGPL" in dialog.text()
    dialog.accept()
    shutdown(controller)


def test_a_password_only_vault_says_so(qtbot, tmp_path: Path, no_keyring) -> None:
    from app.vault import kdf

    path = tmp_path / "shop.vault"
    Vault.create(path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP)[0].close()
    controller = _owner_on_security(qtbot, tmp_path, path)
    main = controller.main_window
    assert "Password only" in main.protection_label.text() and main.protection_label.toolTip()
    assert "password only" in main.settings.security.protection.text()
    shot(main, "main-owner-security-password-only")
    shutdown(controller)
