"""Shared helpers for the ui tests (pytest-qt, real widgets offscreen, real vault files in tmp_path)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from app.access.roles import Role
from app.access.session import Session, open_session
from app.access.users import UserService
from app.vault import kdf
from ui.controller import AppController
from ui.operation import run_on_vault_thread
from ui.unlock import UnlockWindow

WAIT_MS = 10_000  # worker threads run argon2 (cheap in tests) and SQLCipher; generous for slow CI


def settings_in(tmp_path: Path) -> QSettings:
    """QSettings in a file of the test's own, never the developer's real settings."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_controller(tmp_path: Path, **kwargs: object) -> AppController:
    default = kwargs.pop("default_path", tmp_path / "default" / "counterpart.vault")
    return AppController(settings_in(tmp_path), default_path=default, **kwargs)  # type: ignore[arg-type]


def shutdown(controller: AppController) -> None:
    """End the session (closing the database) and drop every window, so tmp files are free."""
    if controller.context is not None:
        if controller.context.busy:
            raise AssertionError("a test left an operation running")
        controller._end_session("logout")
    for window in (controller.unlock_window, controller.wizard):
        if window is not None:
            window.hide()
            window.deleteLater()
    controller.idle.stop()


def open_session_for_ui(path: Path, name: str, password: str) -> Session:
    """Open a session the way the app does: on the vault thread (see ui/operation.py on the file lock)."""
    return run_on_vault_thread(lambda: open_session(path, name, password))  # type: ignore[no-any-return]


def shutdown_session(session: Session) -> None:
    run_on_vault_thread(lambda: session.lock("logout"))


def add_user(session: Session, name: str, role: Role, password: str) -> None:
    UserService(session, kdf.CHEAP).add(name, role, password)


def unlock_as(qtbot: object, window: UnlockWindow, name: str, password: str) -> None:
    """Pick a name and type a password like a person would, then press Enter."""
    from PySide6.QtCore import Qt

    items = window.names.findItems(name, Qt.MatchFlag.MatchExactly)
    assert items, f"{name} is not on the unlock screen"
    window.names.setCurrentItem(items[0])
    window.password.setText(password)
    qtbot.keyClick(window.password, Qt.Key.Key_Return)  # type: ignore[attr-defined]


def wait_until(qtbot: object, condition: Callable[[], bool], timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(condition, timeout=timeout)  # type: ignore[attr-defined]


def shot(widget: QWidget, name: str) -> None:
    """Save a screenshot when COUNTERPART_SHOTS names a folder (the lead looks at them; tests do not)."""
    folder = os.environ.get("COUNTERPART_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))
