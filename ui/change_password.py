"""Choosing your own password: forced after a temporary one, or any time from Settings › My account."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from app.access.users import UserService
from app.locale import _
from ui.operation import message_for
from ui.password_fields import NewPasswordFields
from ui.session_context import SessionContext
from ui.widgets import MessageLine, busy_bar, clear_on_user_edit, paragraph


class ChangePasswordDialog(QDialog):
    """`forced`: the temporary password must be replaced; Cancel then means signing out (the caller's job)."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, forced: bool = False) -> None:
        super().__init__(parent)
        self.context = context
        self.forced = forced
        self._running = False
        user = context.session.user
        self.setWindowTitle(_("Choose your password") if forced else _("Change your password"))
        if forced:
            intro = _("Welcome, {user}. Your password was set by the owner and is temporary: choose your own "
                      "password to continue. Only you will know it.").format(user=user.name)
        else:
            intro = _("Choose a new password for {user}. It works from your next sign-in; nobody else needs to "
                      "know it.").format(user=user.name)
        self.passwords = NewPasswordFields(self, label=_("New &password:"))
        self.current = QLineEdit(self)
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setAccessibleName(_("Current password"))
        self.passwords.add_row_above(0, _("&Temporary password:") if forced else _("C&urrent password:"), self.current)
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        cancel = QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(cancel, self)
        if forced:
            self.buttons.button(cancel).setText(_("Sign &out"))
        self.save_button = self.buttons.addButton(_("&Change password"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self._start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(intro, self))
        layout.addWidget(self.passwords)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        clear_on_user_edit(self, self.message)

    def _start(self) -> None:
        if self._running or not self.passwords.show_problem():
            return
        current = self.current.text()
        if not current:
            self.message.show_error(_("Type your temporary password first.") if self.forced
                                    else _("Type your current password first."))
            self.current.setFocus()
            return
        password = self.passwords.password()
        session = self.context.session
        self._running = True
        self.busy.show()
        self.setEnabled(False)
        self.context.run(lambda progress, cancelled: UserService(session).change_own_password(current, password),
                         description=_("Changing your password…"), on_done=self._done, on_error=self._failed)

    def _done(self, _result: object) -> None:
        self._running = False
        self.busy.hide()
        self.setEnabled(True)
        self.passwords.clear()
        self.current.clear()
        self.accept()

    def _failed(self, exc: object) -> None:
        self._running = False
        self.busy.hide()
        self.setEnabled(True)
        self.message.show_error(message_for(exc))

    def reject(self) -> None:
        if not self._running:
            super().reject()
