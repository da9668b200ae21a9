"""The table view of a pipeline's deals: a lazy model over `DealService.page` (newest first, keyset paging),
fetching 256 rows at a time so a shop with many deals never loads them all.

Like ui/models/audit_model.py it reads on the UI thread only while no operation holds the connection, and it
forgets everything when cleared at lock time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.crm.deals import Deal, DealService
from app.errors import CounterpartError
from app.locale import _
from app.locale.formatting import day, money
from ui.sales.text import customer_label, status_label
from ui.session_context import SessionContext

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
BATCH = 256
TITLE, CUSTOMER, STAGE, VALUE, CLOSE, STATUS = range(6)


class DealsTableModel(QAbstractTableModel):
    def __init__(self, context: SessionContext, parent: Any = None) -> None:
        super().__init__(parent)
        self._context: SessionContext | None = context
        self._rows: list[Deal] = []
        self._exhausted = True  # nothing to fetch until a query is set
        self._pipeline_id: int | None = None
        self._status: str | None = None
        self._stages: dict[int, str] = {}

    # --- paging --------------------------------------------------------------------------------------------

    def set_query(self, pipeline_id: int | None, status: str | None, stage_names: dict[int, str]) -> None:
        self.beginResetModel()
        self._pipeline_id, self._status, self._stages = pipeline_id, status, dict(stage_names)
        self._rows = []
        self._exhausted = False
        self.endResetModel()

    def query(self) -> tuple[int | None, str | None]:
        return self._pipeline_id, self._status

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
        try:
            page = DealService(self._context.session).page(pipeline_id=self._pipeline_id, status=self._status,
                                                           after_id=after, limit=BATCH)
        except CounterpartError:
            page = []
        if len(page) < BATCH:
            self._exhausted = True
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def reload(self) -> None:
        """Deals change in place (stage, status), so read again as far as we had read (the scroll depth)."""
        wanted = max(len(self._rows), 1)
        self.set_query(self._pipeline_id, self._status, self._stages)
        while len(self._rows) < wanted and self.canFetchMore():
            self.fetchMore()

    def clear(self) -> None:
        """Forget every row and the session (lock)."""
        self.beginResetModel()
        self._rows = []
        self._stages = {}
        self._exhausted = True
        self._context = None
        self.endResetModel()

    def deal(self, row: int) -> Deal:
        return self._rows[row]

    def row_of(self, deal_id: int) -> int | None:
        return next((row for row, deal in enumerate(self._rows) if deal.id == deal_id), None)

    # --- the table -----------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole \
                or not 0 <= section < 6:
            return None
        return (_("Deal"), _("Customer"), _("Stage"), _("Value"), _("Expected close"), _("Status"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        deal, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(deal, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return deal.id
        return None

    def text(self, deal: Deal, column: int) -> str:
        if column == TITLE:
            return deal.title
        if column == CUSTOMER:
            return customer_label(deal.contact_name)
        if column == STAGE:
            return self._stages.get(deal.stage_id, "")
        if column == VALUE:
            return money(deal.value_minor, deal.currency)
        if column == CLOSE:
            return day(date.fromisoformat(deal.expected_close[:10])) if deal.expected_close else ""
        return status_label(deal)
