"""Dialogs for managing logins: add a user, reset a password, change a role.

Each sends one UserService call through the session's operation runner (new passwords mean argon2 work)
and shows the service's own message when it refuses.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import ROLE_PERMISSIONS, Permission, Role
from app.access.session import User
from app.access.users import UserService
from app.locale import _
from ui.form_dialog import FormDialog
from ui.operation import Work, message_for
from ui.operations.users import add_user, enable_user, reset_password, set_role
from ui.password_fields import NewPasswordFields
from ui.session_context import SessionContext
from ui.widgets import busy_bar, paragraph


def role_summary(role: Role) -> str:
    """What a role may do, in words, from the permission table (for choosing, not for deciding)."""
    allowed = [permission.label() for permission in Permission if permission in ROLE_PERMISSIONS[role]]
    return _("{role} may: {actions}.").format(role=role.label(), actions=", ".join(allowed))


class RolePicker(QWidget):
    """A role combo box with a line saying what the chosen role may do."""

    def __init__(self, initial: Role, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(_("Role"))
        for role in Role:
            self.combo.addItem(role.label(), role)
        self.combo.setCurrentIndex(list(Role).index(initial))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.summary)
        self.setFocusProxy(self.combo)  # the "Role" label's mnemonic lands in the combo box
        self.combo.currentIndexChanged.connect(lambda _i: self.summary.setText(role_summary(self.role())))
        self.summary.setText(role_summary(initial))

    def role(self) -> Role:
        return Role(self.combo.currentData())


class _UserDialog(FormDialog):
    """A form with a busy bar that runs one operation on OK (new passwords mean argon2 work, off the UI thread)."""

    def __init__(self, context: SessionContext, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(title, ok_text, parent, minimum_width=480)
        self.context = context
        self.service = UserService(context.session)
        self._running = False
        self.busy = busy_bar(self)

    def finish_layout(self, *above_message: QWidget) -> None:
        super().finish_layout(*above_message, self.busy)

    def run(self, work: Work[object], description: str) -> None:
        if self._running or self.context.busy:
            return
        self._running = True
        self.busy.show()
        self.message.clear()
        self.setEnabled(False)
        self.context.run(work, description=description, on_done=self._done, on_error=self._failed)

    def _done(self, _result: object) -> None:
        self._running = False
        self.busy.hide()
        self.setEnabled(True)
        self.accept()

    def _failed(self, exc: object) -> None:
        self._running = False
        self.busy.hide()
        self.setEnabled(True)
        self.message.show_error(message_for(exc))

    def reject(self) -> None:
        if not self._running:
            super().reject()


class AddUserDialog(_UserDialog):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, _("Add a user"), _("Add &user"), parent)
        self.name = QLineEdit(self)
        self.name.setMaxLength(80)
        self.name.setAccessibleName(_("Name of the new user"))
        self.role = RolePicker(Role.STAFF, self)
        self.passwords = NewPasswordFields(self, label=_("&Temporary password:"))
        self.passwords.add_row_above(0, _("&Name:"), self.name)
        self.passwords.add_row_above(1, _("&Role:"), self.role)
        self.body.addWidget(self.passwords)
        self.body.addWidget(
            paragraph(
                _(
                    "Tell them the temporary password in person. They must choose their own "
                    "password when they first sign in."
                ),
                self,
            )
        )
        self.finish_layout()

    def submit(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.message.show_error(_("Type the new user's name."))
            return
        if not self.passwords.show_problem():
            return
        role, password = self.role.role(), self.passwords.password()
        self.run(add_user(self.context.session, name, role, password), _("Adding {user}…").format(user=name))


class _TemporaryPasswordDialog(_UserDialog):
    """A new temporary password for `user`, typed twice, which they must change at their next sign-in."""

    def __init__(
        self, context: SessionContext, user: User, title: str, button: str, explanation: str, parent: QWidget | None
    ) -> None:
        super().__init__(context, title, button, parent)
        self.user = user
        self.body.addWidget(paragraph(explanation, self))
        self.passwords = NewPasswordFields(self, label=_("&Temporary password:"))
        self.body.addWidget(self.passwords)
        self.finish_layout()

    def submit(self) -> None:
        if self.passwords.show_problem():
            self.apply(self.user.name, self.passwords.password())

    def apply(self, name: str, password: str) -> None:
        raise NotImplementedError


class ResetPasswordDialog(_TemporaryPasswordDialog):
    def __init__(self, context: SessionContext, user: User, parent: QWidget | None = None) -> None:
        super().__init__(
            context,
            user,
            _("Reset password of {user}").format(user=user.name),
            _("&Reset password"),
            _("{user} gets a temporary password and must choose a new one at their next sign-in.").format(
                user=user.name
            ),
            parent,
        )

    def apply(self, name: str, password: str) -> None:
        self.run(reset_password(self.context.session, name, password), _("Resetting a password…"))


class EnableUserDialog(_TemporaryPasswordDialog):
    """Enabling a disabled user gives them a new login: a temporary password they must change."""

    def __init__(self, context: SessionContext, user: User, parent: QWidget | None = None) -> None:
        super().__init__(
            context,
            user,
            _("Enable {user}").format(user=user.name),
            _("&Enable"),
            _(
                "Disabling {user} deleted their login. To let them sign in again, give them a temporary "
                "password; they must choose a new one at their next sign-in."
            ).format(user=user.name),
            parent,
        )

    def apply(self, name: str, password: str) -> None:
        self.run(enable_user(self.context.session, name, password), _("Enabling {user}…").format(user=name))


class ChangeRoleDialog(_UserDialog):
    def __init__(self, context: SessionContext, user: User, parent: QWidget | None = None) -> None:
        super().__init__(context, _("Change the role of {user}").format(user=user.name), _("&Change role"), parent)
        self.user = user
        self.role = RolePicker(user.role, self)
        self.form.addRow(_("&Role:"), self.role)
        self.finish_layout()

    def submit(self) -> None:
        name, role = self.user.name, self.role.role()
        self.run(set_role(self.context.session, name, role), _("Changing a role…"))
