"""The vault's logins as a small table (a shop has a handful of staff: loaded whole, refreshed on change)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.access.session import User
from app.locale import _

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: these are flat tables


def status_text(user: User) -> str:
    if not user.active:
        return _("Disabled: cannot sign in")
    if user.must_change_password:
        return _("Active, temporary password")
    return _("Active")


class UsersTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._users: list[User] = []
        self._me: int | None = None

    def set_users(self, users: list[User], me: int | None = None) -> None:
        self.beginResetModel()
        self._users = list(users)
        self._me = me
        self.endResetModel()

    def clear(self) -> None:
        self.set_users([])

    def user(self, row: int) -> User | None:
        return self._users[row] if 0 <= row < len(self._users) else None

    def names(self) -> list[str]:
        return [user.name for user in self._users]

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._users)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else 3

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt override
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (_("Name"), _("Role"), _("Status"))[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        user = self.user(index.row()) if index.isValid() else None
        if user is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if index.column() == 0:
            return _("{user} (you)").format(user=user.name) if user.id == self._me else user.name
        if index.column() == 1:
            return user.role.label()
        return status_text(user)
