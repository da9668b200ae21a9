"""Saving to the place Counterpart suggests works on a new account (no ~/Documents yet), and a save that
fails says in words what went wrong and where."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from app.access.session import Session
from app.fileio import describe_file_error
from app.vault import location
from tests.ui_helpers import press, wait_until
from ui.operation import message_for
from ui.recovery_key_panel import RecoveryKeyPanel


@pytest.fixture
def new_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh Linux account: a home folder with nothing in it, no user-dirs configuration."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


def test_the_documents_folder_is_made_when_the_account_has_none(new_home: Path) -> None:
    folder = location.documents_folder()
    assert folder == new_home / "Documents" and folder.is_dir()


def test_an_unwritable_home_falls_back_to_the_home_folder(new_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert location.documents_folder() == new_home


def test_the_recovery_kit_saves_to_the_suggested_place_on_a_new_account(
    qtbot, new_home: Path, owner_session: Session
) -> None:
    panel = RecoveryKeyPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_key(owner_session, owner_session.vault.recovery_key())
    press(qtbot, panel.save_button)
    dialog = panel.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    suggested = Path(dialog.selectedFiles()[0])
    assert suggested.parent == new_home / "Documents"
    press(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))
    wait_until(qtbot, lambda: "Saved to" in panel.message.text())  # failed: FileNotFoundError
    assert suggested.is_file() and suggested.read_bytes().startswith(b"%PDF")


def test_a_save_into_a_missing_folder_says_which_folder(qtbot, tmp_path: Path, owner_session: Session) -> None:
    panel = RecoveryKeyPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_key(owner_session, owner_session.vault.recovery_key())
    usb = tmp_path / "usb"
    usb.mkdir()
    missing = usb / "kit.pdf"
    press(qtbot, panel.save_button)
    dialog = panel.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(missing))  # chosen while the stick was in
    usb.rmdir()  # and pulled out before Save
    press(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))
    wait_until(qtbot, lambda: panel.save_button.isEnabled())
    assert (
        panel.message.text() == f"The folder {missing.parent} does not exist. Choose another folder, or create "
        "it first."
    )
    assert "unexpected" not in panel.message.text()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (FileNotFoundError(errno.ENOENT, "No such file", "/media/usb/out.pdf"), "The folder /media/usb does not exist"),
        (PermissionError(errno.EACCES, "Permission denied", "/srv/out.pdf"), "may not read or write /srv/out.pdf"),
        (OSError(errno.ENOSPC, "No space left on device", "/mnt/full/out.pdf"), "The disk is full"),
    ],
)
def test_file_errors_are_told_in_words(error: OSError, words: str) -> None:
    assert words in describe_file_error(error)
    assert message_for(error) == describe_file_error(error)
