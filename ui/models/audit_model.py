"""The audit log as a table model that fetches 256 entries at a time (keyset paging), never the whole log.

It reads on the UI thread only while no operation holds the connection (`context.busy`), and forgets
everything it holds when cleared at lock time (see ui/models/keyset_model.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.access.session import Session
from app.locale import N_, _, formatting
from app.privacy import audit_service
from app.privacy.audit_actions import SummaryNames, action_text, record_text, summary_text
from app.store import audit
from ui.models.keyset_model import BATCH as BATCH  # callers and tests take it from here
from ui.models.keyset_model import KeysetTableModel
from ui.session_context import SessionContext

_ID, _TIME, _USER, _ACTION, _ENTITY, _SUMMARY = range(6)


class AuditTableModel(KeysetTableModel[audit.AuditEntry]):
    HEADERS = (N_("No."), N_("Time"), N_("User"), N_("Action"), N_("Record"), N_("Summary"))
    NUMBER_COLUMNS = frozenset({_ID})

    def __init__(self, context: SessionContext, parent: Any = None) -> None:
        super().__init__(context, parent)
        self._filter = audit.AuditFilter()
        self._names: SummaryNames | None = None  # stage and purpose names, read with the first page

    @property
    def filter(self) -> audit.AuditFilter:
        return self._filter

    def set_filter(self, flt: audit.AuditFilter) -> None:
        with self._new_query():
            self._filter = flt

    def _read_page(self, session: Session, after_id: int, limit: int) -> list[audit.AuditEntry]:
        if after_id == 0 or self._names is None:  # a new query: names may have changed since the last one
            self._names = audit_service.summary_names(session)
        return audit_service.page(session, self._filter, after_id=after_id, limit=limit)

    def refresh(self) -> None:
        """New entries are appended at the end (ids only grow): fetch them if we had reached the end."""
        if self._exhausted:
            self._exhausted = False
            self.fetchMore()

    def entry(self, row: int) -> audit.AuditEntry:
        return self._rows[row]

    # --- the cells -----------------------------------------------------------------------------------------

    def _other_data(self, entry: audit.AuditEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == _TIME:
            return _("{time} (UTC)").format(time=entry.at)
        if role == Qt.ItemDataRole.ToolTipRole and column == _ACTION:
            return entry.action  # the id the log stores, its CSV export shows and the CLI filters by
        return None

    def text(self, entry: audit.AuditEntry, column: int) -> str:
        if column == _ID:
            return str(entry.id)
        if column == _TIME:
            return formatting.clock_time(entry.at)
        if column == _USER:
            return entry.user_name or _("(none)")
        if column == _ACTION:
            return action_text(entry.action)
        if column == _ENTITY:
            return record_text(entry.entity_type, entry.entity_id)
        names = self._names or SummaryNames({}, {})
        return summary_text(entry.action, entry.summary, names)
