"""Message boxes and file pickers that never block in a nested event loop.

The app can lock itself at any moment (idle timer), which closes and deletes the main window. A dialog
inside `exec()` would then return into a deleted window, so every dialog here is opened with `open()`
(window-modal, asynchronous) and answers through a callback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.locale import _


def _box(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str, detail: str = "") -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("messageBox")
    if detail:
        box.setInformativeText(detail)
    box.setAccessibleName(title)
    return box


def inform(parent: QWidget, title: str, text: str, detail: str = "") -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Information, title, text, detail)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.open()
    return box


def warn(parent: QWidget, title: str, text: str, detail: str = "") -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Warning, title, text, detail)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.open()
    return box


def confirm(
    parent: QWidget,
    title: str,
    text: str,
    yes_text: str,
    on_yes: Callable[[], None],
    detail: str = "",
    *,
    destructive: bool = False,
) -> QMessageBox:
    """Ask once; `on_yes` runs only when the person presses the named button (Escape means no)."""
    box = _box(parent, QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question, title, text, detail)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(no if destructive else yes)
    box.setEscapeButton(no)

    def answered() -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(answered)
    box.open()
    return box


def ask_save_path(
    parent: QWidget,
    title: str,
    suggested: Path,
    name_filter: str,
    on_chosen: Callable[[Path], None],
    default_suffix: str = "",
) -> QFileDialog:
    dialog = QFileDialog(parent, title, str(suggested), name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    if default_suffix:
        dialog.setDefaultSuffix(default_suffix)
    dialog.selectFile(str(suggested))
    dialog.fileSelected.connect(lambda path: on_chosen(Path(path)) if path else None)
    dialog.open()
    return dialog


def ask_open_path(
    parent: QWidget, title: str, start: Path, name_filter: str, on_chosen: Callable[[Path], None]
) -> QFileDialog:
    dialog = QFileDialog(parent, title, str(start), name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.fileSelected.connect(lambda path: on_chosen(Path(path)) if path else None)
    dialog.open()
    return dialog


def vault_filter() -> str:
    return _("Counterpart vaults (*.vault);;All files (*)")


def export_failed_or_stopped(parent: QWidget, exc: object) -> None:
    """An export that failed says so as a warning; one the person stopped, as the plain news it is."""
    # Only after unlocking (ui.operation brings SQLCipher), so kept off the unlock screen's start
    from ui.operation import OperationCancelled, message_for

    if isinstance(exc, OperationCancelled):
        inform(parent, _("Export stopped"), message_for(exc))
    else:
        warn(parent, _("Export failed"), message_for(exc))
