"""The one way out of customer mode: the signed-in staff member's password (checked against their key slot).

Checking derives the slot key (argon2, about half a second), so it runs on a worker; it does not touch the
database connection. After three wrong tries each further try waits longer, so a customer cannot guess.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.access.session import Session
from app.locale import _, ngettext
from ui.operation import Operation, message_for
from ui.operations.vault import check_password
from ui.widgets import MessageLine, busy_bar, heading

FREE_TRIES = 3
MAX_WAIT_SECONDS = 60


class StaffPasswordDialog(QDialog):
    """Accepted only after the right password; Escape or Cancel keep customer mode on."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.failures = 0
        self._wait_until = 0.0
        self._operation: Operation[object] | None = None
        self.setWindowTitle(_("Staff only"))
        self.setModal(True)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Password"))
        self.password.setMinimumWidth(260)
        self.password.returnPressed.connect(self.submit)
        label = QLabel(_("&Password of {user}:").format(user=session.user.name), self)
        label.setBuddy(self.password)
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.leave_button = self.buttons.addButton(_("&Leave customer mode"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.leave_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Back to the shop's screen"), self))
        layout.addWidget(QLabel(_("Customers: please hand the screen back to the staff."), self))
        layout.addWidget(label)
        layout.addWidget(self.password)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        password = self.password.text()
        if self._operation is not None or time.monotonic() < self._wait_until:
            return
        if not password:
            self.message.show_error(_("Type your password."))
            return
        vault, name = self.session.vault, self.session.user.name
        self._operation = Operation(check_password(vault, name, password), self)
        self._operation.finished.connect(lambda _result: self._checked(True, None))
        self._operation.failed.connect(lambda exc: self._checked(False, exc))
        self.busy.show()
        self.leave_button.setEnabled(False)
        self._operation.start()

    def _checked(self, right: bool, exc: object) -> None:
        self._operation = None
        self.busy.hide()
        self.password.clear()
        self.leave_button.setEnabled(True)
        if right:
            self.accept()
            return
        self.failures += 1
        self.password.setFocus()
        self.message.show_error(message_for(exc))
        if self.failures >= FREE_TRIES:
            wait = min(2 ** (self.failures - FREE_TRIES), MAX_WAIT_SECONDS)
            self._wait_until = time.monotonic() + wait
            self._countdown.start()
            self._tick()

    def _tick(self) -> None:
        left = int(self._wait_until - time.monotonic() + 0.999)
        if left <= 0:
            self._countdown.stop()
            self.leave_button.setEnabled(True)
            return
        self.leave_button.setEnabled(False)
        self.message.show_error(
            ngettext(
                "Wrong password. Try again in {seconds} second.",
                "Wrong password. Try again in {seconds} seconds.",
                left,
            ).format(seconds=left)
        )
