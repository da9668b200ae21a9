"""Shared helpers for the ui tests (pytest-qt, real widgets offscreen, real vault files in tmp_path)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QFileDialog, QWidget

from app.access.roles import Role
from app.access.session import Session, open_session
from app.access.users import UserService
from app.vault import kdf
from ui.controller import AppController
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
    """Open a session here; the app opens it on a pool thread, and any thread may lock it (ui/operation.py)."""
    return open_session(path, name, password)


def shutdown_session(session: Session) -> None:
    session.lock("logout")


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


def press(qtbot: object, button: QAbstractButton) -> None:
    """Click a button as a person would: it must be on screen and enabled, or the person is stuck."""
    assert button.isVisible(), f"{button.text()!r} is not on screen"
    assert button.isEnabled(), f"{button.text()!r} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]


def choose_path(parent: QWidget, path: Path) -> None:
    """In the one file dialog open over `parent`, pick `path` (a file to open or save, or a folder) and accept,
    as a person does after pressing the button that opened it."""
    dialogs = [d for d in parent.findChildren(QFileDialog) if d.isVisible()]
    assert len(dialogs) == 1, f"{len(dialogs)} file dialogs on screen"
    dialogs[0].selectFile(str(path))
    dialogs[0].accept()


def open_import(qtbot: object, page: QWidget, path: Path) -> QWidget:
    """Press the Customers page's Import button and choose `path` in the file dialog it opens; returns the
    Import dialog (reading the file on the worker)."""
    press(qtbot, page.import_button)  # type: ignore[attr-defined]
    choose_path(page.window(), path)
    from ui.customers.import_dialog import ImportDialog

    shown = [d for d in page.window().findChildren(ImportDialog) if d.isVisible()]
    assert len(shown) == 1, f"{len(shown)} import dialogs on screen"
    return shown[0]


def type_into(qtbot: object, field: QWidget, text: str) -> None:
    """Replace a field's text by typing, so every signal a keyboard sends is sent."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    qtbot.keyClick(field, Qt.Key.Key_Delete)  # type: ignore[attr-defined]
    type_text(qtbot, field, text)


def type_text(qtbot: object, widget: QWidget, text: str) -> None:
    """Type text key by key, in any script: QTest's keyClicks aborts the process on a character outside
    ASCII ("ü", "王"), so those arrive as the key events an input method sends. A new line is Return."""
    for char in text:
        if char == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)  # type: ignore[attr-defined]
        elif char.isascii():
            qtbot.keyClicks(widget, char)  # type: ignore[attr-defined]
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def signed_in(qtbot: object, tmp_path: Path, vault: Path, name: str, password: str) -> AppController:
    """The app started on `vault` and unlocked as `name` through the real unlock screen, main window shown."""
    controller = make_controller(tmp_path)
    unlock_as(qtbot, controller.show_unlock(vault), name, password)
    wait_until(qtbot, lambda: controller.main_window is not None)
    return controller


def catalog_as_written(tmp_path: Path, monkeypatch: object, language: str) -> None:
    """The app in `language` with its catalog as the .po file has it now (compiled here, as a build does); the
    autouse fixture in conftest puts English back after the test."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from PySide6.QtCore import QLocale

    from app.locale import i18n

    target = tmp_path / "translations" / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    source = Path(__file__).resolve().parents[1] / "translations" / language / "LC_MESSAGES" / "counterpart.po"
    with source.open("rb") as handle, (target / "counterpart.mo").open("wb") as compiled:
        write_mo(compiled, read_po(handle))
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path / "translations")  # type: ignore[attr-defined]
    assert i18n.set_language(language) == language
    QLocale.setDefault(QLocale(language))


def pick_customer(qtbot: object, picker: QWidget, text: str) -> None:
    """Choose a customer in a CustomerPicker as a person does: type part of the name, wait for the list the
    typing brings, Down into it and Enter on the first match."""
    type_text(qtbot, picker.query, text)  # type: ignore[attr-defined]
    results = picker.results  # type: ignore[attr-defined]
    searched = picker._timer  # type: ignore[attr-defined]  # the pause after the last key, then the search
    wait_until(qtbot, lambda: not searched.isActive())
    assert results.count() > 0 and results.item(0).data(Qt.ItemDataRole.UserRole) is not None, "nobody matched"
    qtbot.keyClick(picker.query, Qt.Key.Key_Down)  # type: ignore[attr-defined, attr-defined]
    qtbot.keyClick(results, Qt.Key.Key_Return)  # type: ignore[attr-defined]


def sign_in(qtbot: object, window: UnlockWindow, name: str, password: str) -> None:
    """On the unlock window: click the name, type the password, press Unlock."""
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    item = window.names.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(
        window.names.viewport(),
        Qt.MouseButton.LeftButton,  # type: ignore[attr-defined]
        pos=window.names.visualItemRect(item).center(),
    )
    type_into(qtbot, window.password, password)
    press(qtbot, window.unlock_button)


def shot(widget: QWidget, name: str) -> None:
    """Save a screenshot when COUNTERPART_SHOTS names a folder (the lead looks at them; tests do not)."""
    folder = os.environ.get("COUNTERPART_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def click_row(qtbot: object, table: QAbstractItemView, row: int) -> None:
    """Select a table's row as a person does: click its first cell."""
    index = table.model().index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(  # type: ignore[attr-defined]
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )
