"""Ask for the credentials a backup opens with: a password of its time, or the recovery key of its time.

A backup keeps the key slots it was made with, so after a password change or a rekey the old password or
the old recovery key is what opens it. The same dialog serves the drill (test) and the restore.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.locale import _
from app.vault.backup import BackupInfo
from ui.privacy.common import local_time
from ui.widgets import MessageLine, paragraph


def restore_explanation() -> str:
    return _(
        "Restoring replaces the vault with this backup. First the backup is checked (checksums, the key, the "
        "database's integrity); only if it is sound are the current vault files moved aside into a folder "
        "next to the vault — they are kept, not deleted. Everyone erased since the backup is erased again. "
        "Counterpart then locks, and everyone signs in again with the passwords that were valid when the "
        "backup was made. Changes made after the backup are not in it."
    )


class BackupCredentialsDialog(QDialog):
    def __init__(
        self, info: BackupInfo, user_name: str, *, current_key: bool, restore: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        made = local_time(info.created)
        self.setWindowTitle(_("Restore a backup") if restore else _("Test a backup (drill)"))
        self.restore = restore
        intro = (
            restore_explanation()
            if restore
            else _(
                "A drill opens the backup in a temporary place, checks it and counts what is in it, then throws the "
                "copy away. Your vault is not touched. The result is recorded, so you know your backups work."
            )
        )
        self.password_mode = QRadioButton(_("A user's &password from {time}").format(time=made), self)
        self.key_mode = QRadioButton(_("The recovery &key from {time}").format(time=made), self)
        group = QButtonGroup(self)
        group.addButton(self.password_mode)
        group.addButton(self.key_mode)
        self.user = QLineEdit(user_name, self)
        self.user.setAccessibleName(_("User name"))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Password valid when the backup was made"))
        self.key = QLineEdit(self)
        self.key.setAccessibleName(_("Recovery key valid when the backup was made"))
        self.key.setPlaceholderText("XXXX-XXXX-…")
        form = QFormLayout()
        form.addRow(self.password_mode)
        form.addRow(_("&User:"), self.user)
        form.addRow(_("Pass&word:"), self.password)
        form.addRow(self.key_mode)
        form.addRow(_("Recovery ke&y:"), self.key)
        self.understood = QCheckBox(_("I under&stand: the vault is replaced and Counterpart locks."), self)
        self.understood.setVisible(restore)
        self.message = MessageLine(self)
        key_note = MessageLine(self)
        if current_key:
            key_note.show_info(
                _(
                    "This backup was made under today's encryption key: today's passwords open it "
                    "unless they were changed since."
                )
            )
        else:
            key_note.show_warning(
                _(
                    "This backup was made before the last rekey: it opens only with the passwords "
                    "or the recovery key of that time."
                )
            )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton(
            _("&Restore and lock") if restore else _("&Run drill"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        if restore:  # Enter must not replace the vault
            self.ok_button.setAutoDefault(False)
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        else:
            self.ok_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(intro, self))
        layout.addWidget(paragraph(_("Backup: {time}").format(time=made), self))
        layout.addWidget(key_note)
        layout.addLayout(form)
        layout.addWidget(self.understood)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.password_mode.toggled.connect(lambda _on: self._update())
        self.password_mode.setChecked(True)
        self._update()

    def _update(self) -> None:
        by_password = self.password_mode.isChecked()
        self.user.setEnabled(by_password)
        self.password.setEnabled(by_password)
        self.key.setEnabled(not by_password)

    def credentials(self) -> tuple[str | None, str | None, str | None]:
        """(user, password, recovery key): a user with a password, or the recovery key alone."""
        if self.password_mode.isChecked():
            return self.user.text().strip(), self.password.text(), None
        return None, None, self.key.text().strip()

    def submit(self) -> None:
        user, password, key = self.credentials()
        if key is None and (not user or not password):
            self.message.show_error(_("Give the user's name and the password of that time."))
            return
        if key is not None and not key:
            self.message.show_error(_("Type the recovery key of that time."))
            return
        if self.restore and not self.understood.isChecked():
            self.message.show_error(_("Tick the box to confirm you understand what restoring does."))
            return
        self.accept()

    def forget(self) -> None:
        """Drop the typed secrets from the widgets once they have been used."""
        self.password.clear()
        self.key.clear()
