"""Read-only tables for one person's deals, activities and history (a handful of rows each), with a sentence
instead of an empty grid when there is nothing to show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.crm.activities import Activity
from app.crm.deals import Deal
from app.locale import _
from app.locale.formatting import day, money
from app.privacy.audit import AuditEntry
from ui.customers.text import action_text, local_moment


class RecordTable(QWidget):
    def __init__(self, headers: Sequence[str], accessible_name: str, empty_text: str, parent: QWidget | None = None,
                 *, stretch: int = 0, right_aligned: Sequence[int] = ()) -> None:
        super().__init__(parent)
        self.empty_text = empty_text
        self.right_aligned = set(right_aligned)
        self.table = QTableWidget(0, len(headers), self)
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setAccessibleName(accessible_name)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)  # the column that takes the rest
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        self.set_rows([])

    def set_rows(self, rows: Sequence[Sequence[str]], note: str = "") -> None:
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c in self.right_aligned:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.setVisible(bool(rows))
        self.note.setText(note or ("" if rows else self.empty_text))
        self.note.setVisible(bool(self.note.text()))

    def rows(self) -> list[list[str]]:
        return [[item.text() if (item := self.table.item(r, c)) is not None else ""
                 for c in range(self.table.columnCount())] for r in range(self.table.rowCount())]

    def clear(self) -> None:
        self.set_rows([])


def status_text(status: str) -> str:
    return {"open": _("Open"), "won": _("Won"), "lost": _("Lost")}.get(status, status)


def deal_stage(deal: Deal, stage_names: dict[int, str]) -> str:
    """An open deal's stage; a closed deal's outcome (its last stage no longer matters)."""
    if deal.status == "open":
        return stage_names.get(deal.stage_id, "")
    return status_text(deal.status) + (f" ({deal.lost_reason})" if deal.lost_reason else "")


def deal_rows(deals: list[Deal], stage_names: dict[int, str]) -> list[list[str]]:
    return [[deal.title, deal_stage(deal, stage_names), money(deal.value_minor, deal.currency),
             _day(deal.expected_close)] for deal in deals]


def _day(stored: str | None) -> str:
    try:
        return day(date.fromisoformat(stored)) if stored else ""
    except ValueError:
        return stored or ""


def activity_kind(kind: str) -> str:
    return {"call": _("Call"), "meeting": _("Meeting"), "email": _("Email"), "task": _("Task")}.get(kind, kind)


def activity_state(activity: Activity, now: datetime) -> str:
    """In words, so an overdue task is not marked by colour alone."""
    if activity.done_at:
        return _("Done {time}").format(time=local_moment(activity.done_at))
    if activity.due_at and datetime.fromisoformat(activity.due_at) < now:
        return _("Overdue")
    return _("To do")


def activity_rows(activities: list[Activity]) -> list[list[str]]:
    now = datetime.now(UTC)
    return [[activity_kind(a.kind), a.subject, local_moment(a.due_at), activity_state(a, now)] for a in activities]


def history_rows(entries: list[AuditEntry]) -> list[list[str]]:
    return [[local_moment(e.at), e.user_name or _("(none)"), action_text(e.action)] for e in entries]
