"""'Forgot password?': open the vault with the recovery key and give the owner a new password.

The work is app.admin.security.recover (ui/operations/vault.py), the same service `counterpart-admin recover` calls.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from app.admin.security import RecoveryResult
from app.locale import _
from ui.operation import Operation, message_for
from ui.operations.vault import recover_with_key
from ui.password_fields import NewPasswordFields
from ui.widgets import MessageLine, busy_bar, paragraph


def recovery_summary(result: RecoveryResult) -> str:
    lines = [_("Recovered: {owner} can sign in with the new password.").format(owner=result.owner)]
    if not result.keychain_bound:
        lines.append(_("The vault is protected by its password only on this computer (no usable keychain)."))
    if result.stale_users:
        lines.append(
            _("These users were set up with the old keychain and need a password reset by the owner: {users}").format(
                users=", ".join(result.stale_users)
            )
        )
    return "\n".join(lines)


class RecoveryDialog(QDialog):
    """Recovery key plus a new owner password, twice; the work runs off the UI thread."""

    recovered = Signal(object)  # RecoveryResult

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Recover the vault"))
        self.path = path
        self._operation: Operation[RecoveryResult] | None = None
        self.key = QLineEdit(self)
        self.key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.key.setPlaceholderText("xxxxxxxx-xxxxxxxx-…")
        self.key.setAccessibleName(_("Recovery key"))
        self.key.setMinimumWidth(self.key.fontMetrics().horizontalAdvance("x" * 73) + 16)  # a whole key
        self.passwords = NewPasswordFields(self, label=_("New &owner password:"))
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.recover_button = self.buttons.addButton(_("&Recover"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.recover_button.setDefault(True)
        self.buttons.accepted.connect(self._start)
        self.buttons.rejected.connect(self.reject)
        self.passwords.add_row_above(0, _("Recovery &key:"), self.key)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "Type the recovery key from the printed recovery kit (dashes and spaces do not "
                    "matter). The owner then gets a new password, and the vault is tied to this "
                    "computer's keychain."
                ),
                self,
            )
        )
        layout.addWidget(self.passwords)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _start(self) -> None:
        if self._operation is not None:
            return
        key = self.key.text().strip()
        if not key:
            self.message.show_error(_("Type the recovery key."))
            return
        if not self.passwords.show_problem():
            return
        password, path = self.passwords.password(), self.path
        self._operation = Operation(recover_with_key(path, key, password), self)
        self._operation.finished.connect(self._done)
        self._operation.failed.connect(self._failed)
        self.message.clear()
        self.busy.show()
        self.setEnabled(False)
        self._operation.start()

    def _done(self, result: RecoveryResult) -> None:
        self._operation = None
        self.busy.hide()
        self.setEnabled(True)
        self.key.clear()
        self.passwords.clear()
        self.accept()
        self.recovered.emit(result)

    def _failed(self, exc: object) -> None:
        self._operation = None
        self.busy.hide()
        self.setEnabled(True)
        self.message.show_error(message_for(exc))

    def reject(self) -> None:
        if self._operation is None:
            super().reject()
