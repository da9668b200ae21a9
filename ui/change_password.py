"""Choosing your own password: forced after a temporary one, or any time from Settings › My account."""

from __future__ import annotations

from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from app.locale import _
from ui.operation import message_for
from ui.operations.users import change_own_password
from ui.password_fields import NewPasswordFields
from ui.session_context import SessionContext
from ui.widgets import MessageLine, busy_bar, clear_on_user_edit, paragraph


class ChangePasswordDialog(QDialog):
    """`forced`: the temporary password must be replaced; Cancel then means signing out (the caller's job).

    `current_password`: the password the person typed a moment ago to sign in (the unlock screen passes a
    temporary one on). Given, the dialog asks only for the new password, twice; it keeps the old one just until
    the change is made or the dialog goes away."""

    def __init__(
        self,
        context: SessionContext,
        parent: QWidget | None = None,
        *,
        forced: bool = False,
        current_password: str = "",
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.forced = forced
        self._known_current = current_password
        self._running = False
        user = context.session.user
        self.setWindowTitle(_("Choose your password") if forced else _("Change your password"))
        if forced:
            intro = _(
                "Welcome, {user}. Your password was set by the owner and is temporary: choose your own "
                "password to continue. Only you will know it."
            ).format(user=user.name)
        else:
            intro = _(
                "Choose a new password for {user}. It works from your next sign-in; nobody else needs to know it."
            ).format(user=user.name)
        self.passwords = NewPasswordFields(self, label=_("New &password:"))
        self.current = QLineEdit(self)
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setAccessibleName(_("Current password"))
        if current_password:
            self.current.hide()  # typed at the unlock screen a moment ago: not asked again
        else:
            self.passwords.add_row_above(
                0, _("&Temporary password:") if forced else _("C&urrent password:"), self.current
            )
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
        current = self._known_current or self.current.text()
        if not current:
            self.message.show_error(
                _("Type your temporary password first.") if self.forced else _("Type your current password first.")
            )
            self.current.setFocus()
            return
        password = self.passwords.password()
        session = self.context.session
        self._running = True
        self.busy.show()
        self.setEnabled(False)
        self.context.run(
            change_own_password(session, current, password),
            description=_("Changing your password…"),
            on_done=self._done,
            on_error=self._failed,
        )

    def _done(self, _result: object) -> None:
        self._running = False
        self.busy.hide()
        self.setEnabled(True)
        self.passwords.clear()
        self.current.clear()
        self._known_current = ""
        self.accept()

    def _failed(self, exc: object) -> None:
        self._running = False
        self.busy.hide()
        self.setEnabled(True)
        self.message.show_error(message_for(exc))

    def reject(self) -> None:
        if not self._running:
            super().reject()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """Gone from the screen (changed, signed out, or locked): the password typed at sign-in is not needed."""
        if not event.spontaneous():  # not merely minimised with its parent
            self._known_current = ""
        super().hideEvent(event)
