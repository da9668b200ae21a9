"""Settings › Users: the vault's logins and what the owner can do with them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.access import rekey_due
from app.access.roles import Permission
from app.access.session import User
from app.access.users import UserService
from app.errors import CounterpartError
from app.locale import _
from ui.models.users_model import UsersTableModel
from ui.rekey import rekey_explanation, start_rekey
from ui.session_context import SessionContext
from ui.user_dialogs import AddUserDialog, ChangeRoleDialog, EnableUserDialog, ResetPasswordDialog
from ui.widgets import MessageLine


class UsersPage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = UsersTableModel(self)
        self.table = QTableView(self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Users"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.change_role())
        self.add_button = QPushButton(_("&Add…"), self)
        self.reset_button = QPushButton(_("Reset &password…"), self)
        self.role_button = QPushButton(_("Change &role…"), self)
        self.active_button = QPushButton(_("&Disable"), self)
        self.remove_button = QPushButton(_("Remo&ve…"), self)
        for button, name, slot in (
            (self.add_button, _("Add a user"), self.add_user),
            (self.reset_button, _("Reset the selected user's password"), self.reset_password),
            (self.role_button, _("Change the selected user's role"), self.change_role),
            (self.active_button, _("Disable or enable the selected user"), self.toggle_active),
            (self.remove_button, _("Remove the selected user"), self.remove_user),
        ):
            button.setAccessibleName(name)
            button.clicked.connect(lambda _checked=False, act=slot: act())
        self.message = MessageLine(self)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.reset_button, self.role_button, self.active_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_buttons())
        context.changed.connect(self.reload)
        self.reload()

    # --- state ---------------------------------------------------------------------------------------------

    def reload(self) -> None:
        if not self.context.is_open or self.context.busy:
            return
        selected = self.selected()
        try:
            users = UserService(self.context.session).list()
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            users = []
        self.model.set_users(users, self.context.session.user.id)
        if selected is not None and selected.name in self.model.names():
            self.table.selectRow(self.model.names().index(selected.name))
        self._update_buttons()

    def selected(self) -> User | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.user(rows[0].row()) if rows else None

    def select(self, name: str) -> None:
        if name in self.model.names():
            self.table.selectRow(self.model.names().index(name))

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.reset_button, self.role_button, self.active_button, self.remove_button):
            button.setEnabled(user is not None)
        self.active_button.setText(_("&Enable") if user is not None and not user.active else _("&Disable"))

    def clear(self) -> None:
        self.model.clear()

    # --- actions -------------------------------------------------------------------------------------------

    def add_user(self) -> AddUserDialog:
        dialog = AddUserDialog(self.context, self.window())
        dialog.open()
        return dialog

    def reset_password(self) -> ResetPasswordDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = ResetPasswordDialog(self.context, user, self.window())
        dialog.open()
        return dialog

    def change_role(self) -> ChangeRoleDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = ChangeRoleDialog(self.context, user, self.window())
        dialog.open()
        return dialog

    def toggle_active(self) -> EnableUserDialog | None:
        """Disable at once (their login is deleted and a rekey is due); enable through a dialog that asks for a
        new temporary password."""
        user = self.selected()
        if user is None or self.context.busy:
            return None
        if not user.active:
            dialog = EnableUserDialog(self.context, user, self.window())
            dialog.open()
            return dialog
        if self._quick(lambda service: service.disable(user.name)):
            self.message.show_warning(rekey_due.rekey_due_notice(self.context.session))
        return None

    def _quick(self, change: object) -> bool:
        """A change with no key derivation: done on the UI thread, then every view refreshes."""
        self.message.clear()
        try:
            change(UserService(self.context.session))  # type: ignore[operator]
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return False
        self.context.changed.emit()
        return True

    def remove_user(self) -> QMessageBox | None:
        """Ask, explaining why a rekey should follow; the owner can remove and rekey in one go."""
        user = self.selected()
        if user is None or self.context.busy:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Remove {user}").format(user=user.name),
            _("Remove the login of {user}? Their past actions stay in the audit log.").format(user=user.name),
            QMessageBox.StandardButton.NoButton,
            self.window(),
        )
        box.setInformativeText(
            _(
                "Someone who could open the vault may have kept a copy of its key. After removing "
                "a person, rekey the vault so that copy stops working."
            )
            + " "
            + rekey_explanation()
        )
        and_rekey = box.addButton(_("Remove and &rekey"), QMessageBox.ButtonRole.AcceptRole)
        only = box.addButton(_("Remove &only"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        if not self.context.can(Permission.MANAGE_SECURITY):
            and_rekey.setEnabled(False)
            and_rekey.setToolTip(self.context.why_not(Permission.MANAGE_SECURITY))

        def answered() -> None:
            clicked = box.clickedButton()
            if clicked not in (and_rekey, only):
                return
            if self._quick(lambda service: service.remove(user.name)) and clicked is and_rekey:
                start_rekey(self.context, self.window())

        box.finished.connect(answered)
        box.open()
        return box
