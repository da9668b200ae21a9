"""The table view of a pipeline's deals: a lazy model over `DealService.page` (newest first, keyset paging),
fetching 256 rows at a time so a shop with many deals never loads them all.

Like every ui/models/keyset_model.py model it reads on the UI thread only while no operation holds the
connection, and it forgets everything when cleared at lock time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from app.access.session import Session
from app.crm.deals import Deal, DealService
from app.errors import CounterpartError
from app.locale import N_
from app.locale.formatting import day, money
from ui.models.keyset_model import BATCH as BATCH  # callers and tests take it from here
from ui.models.keyset_model import KeysetTableModel
from ui.sales.text import customer_label, status_label
from ui.session_context import SessionContext

TITLE, CUSTOMER, STAGE, VALUE, CLOSE, STATUS = range(6)


class DealsTableModel(KeysetTableModel[Deal]):
    HEADERS = (N_("Deal"), N_("Customer"), N_("Stage"), N_("Value"), N_("Expected close"), N_("Status"))
    NUMBER_COLUMNS = frozenset({VALUE})

    def __init__(self, context: SessionContext, parent: Any = None) -> None:
        super().__init__(context, parent)
        self._exhausted = True  # nothing to fetch until a query is set
        self._pipeline_id: int | None = None
        self._status: str | None = None
        self._stages: dict[int, str] = {}

    def set_query(self, pipeline_id: int | None, status: str | None, stage_names: dict[int, str]) -> None:
        with self._new_query():
            self._pipeline_id, self._status, self._stages = pipeline_id, status, dict(stage_names)

    def query(self) -> tuple[int | None, str | None]:
        return self._pipeline_id, self._status

    def _read_page(self, session: Session, after_id: int, limit: int) -> list[Deal]:
        try:
            return DealService(session).page(
                pipeline_id=self._pipeline_id, status=self._status, after_id=after_id, limit=limit
            )
        except CounterpartError:
            return []

    def clear(self) -> None:
        """Forget the stage names too (lock)."""
        super().clear()
        self._stages = {}

    def deal(self, row: int) -> Deal:
        return self._rows[row]

    def row_of(self, deal_id: int) -> int | None:
        return next((row for row, deal in enumerate(self._rows) if deal.id == deal_id), None)

    # --- the cells -----------------------------------------------------------------------------------------

    def _other_data(self, deal: Deal, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.text(deal, column)
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
