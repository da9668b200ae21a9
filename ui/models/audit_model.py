"""The audit log as a table model that fetches 256 entries at a time (keyset paging), never the whole log.

It reads on the UI thread only while no operation holds the connection (`context.busy`), and forgets
everything it holds when cleared at lock time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.locale import _
from app.privacy import audit, audit_service
from ui.session_context import SessionContext

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: these are flat tables

BATCH = 256
_ID, _TIME, _USER, _ACTION, _ENTITY, _SUMMARY = range(6)


def local_time(at: str) -> str:
    """The entry's UTC time shown in this computer's time zone, to the second (the log's own order)."""
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


class AuditTableModel(QAbstractTableModel):
    def __init__(self, context: SessionContext, parent: Any = None) -> None:
        super().__init__(parent)
        self._context: SessionContext | None = context
        self._filter = audit.AuditFilter()
        self._rows: list[audit.AuditEntry] = []
        self._exhausted = False

    # --- paging --------------------------------------------------------------------------------------------

    @property
    def filter(self) -> audit.AuditFilter:
        return self._filter

    def set_filter(self, flt: audit.AuditFilter) -> None:
        self.beginResetModel()
        self._filter = flt
        self._rows = []
        self._exhausted = False
        self.endResetModel()

    def _readable(self) -> bool:
        context = self._context
        return context is not None and context.is_open and not context.busy

    def canFetchMore(self, parent: Index = ROOT) -> bool:  # noqa: N802 - Qt override
        return not parent.isValid() and not self._exhausted and self._readable()

    def fetchMore(self, parent: Index = ROOT) -> None:  # noqa: N802 - Qt override
        if not self.canFetchMore(parent):
            return
        assert self._context is not None
        after = self._rows[-1].id if self._rows else 0
        page = audit_service.page(self._context.session, self._filter, after_id=after, limit=BATCH)
        if len(page) < BATCH:
            self._exhausted = True
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def refresh(self) -> None:
        """New entries are appended at the end (ids only grow): fetch them if we had reached the end."""
        if self._exhausted:
            self._exhausted = False
            self.fetchMore()

    def clear(self) -> None:
        """Forget every row and the session (lock)."""
        self.beginResetModel()
        self._rows = []
        self._exhausted = True
        self._context = None
        self.endResetModel()

    def entry(self, row: int) -> audit.AuditEntry:
        return self._rows[row]

    # --- the table -----------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (_("No."), _("Time"), _("User"), _("Action"), _("Record"), _("Summary"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == _TIME:
            return _("{time} (UTC)").format(time=entry.at)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == _ID:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def text(entry: audit.AuditEntry, column: int) -> str:
        if column == _ID:
            return str(entry.id)
        if column == _TIME:
            return local_time(entry.at)
        if column == _USER:
            return entry.user_name or _("(none)")
        if column == _ACTION:
            return entry.action
        if column == _ENTITY:
            return " ".join(part for part in (entry.entity_type, entry.entity_id) if part)
        return entry.summary
