"""The automatic backup at unlock and the status bar's word on backups."""

from __future__ import annotations

from pathlib import Path

from app.access import settings
from app.access.session import open_session
from app.vault import backup
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import make_controller, shutdown, unlock_as, wait_until


def test_unlock_makes_the_daily_backup_and_says_so(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    settings.set_backup_folder(session, folder)
    session.lock()
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(new_vault[0]), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    wait_until(qtbot, lambda: len(backup.list_backups(folder)) == 1 and not controller.context.busy)
    wait_until(qtbot, lambda: controller.main_window.backup_label.text().startswith("Last backup:"))
    assert backup.list_backups(folder)[0].reason == "daily"
    shutdown(controller)


def test_a_missing_backup_folder_is_shown(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(new_vault[0]), OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    label = controller.main_window.backup_label
    assert label.text() == "⚠ Backups need attention"  # short: the sentence was cut off beside the user's name
    assert "No backup folder" in label.toolTip() and "No backup folder" in label.accessibleName()
    shutdown(controller)
