"""Read-only tables for one person's deals, activities and history (a handful of rows each), with a sentence
instead of an empty grid when there is nothing to show. Rows given ids can be opened (double-click, Enter or F2):
the table only says which; whoever owns it decides what opening means."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
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
from app.store.audit import AuditEntry
from ui.customers.text import action_text, local_moment

OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)  # as on the Pipeline and Activities pages


class RecordTable(QWidget):
    activated = Signal(int)  # the id of the row opened; only rows given an id emit it

    def __init__(
        self,
        headers: Sequence[str],
        accessible_name: str,
        empty_text: str,
        parent: QWidget | None = None,
        *,
        stretch: int = 0,
        right_aligned: Sequence[int] = (),
    ) -> None:
        super().__init__(parent)
        self.empty_text = empty_text
        self.right_aligned = set(right_aligned)
        self.hint = ""  # added to the tooltip of rows with an id: how to open them, or why they cannot be
        self._ids: list[int | None] = []
        self.table = QTableWidget(0, len(headers), self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
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
        self.table.cellDoubleClicked.connect(lambda row, _column: self._open(row))
        self.table.installEventFilter(self)  # Enter, Return or F2 opens the current row
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        self.set_rows([])

    def set_rows(self, rows: Sequence[Sequence[str]], note: str = "", ids: Sequence[int] | None = None) -> None:
        """`ids`, one per row, make the rows openable; the row with the current id stays current (after a
        refresh, the keyboard is where it was)."""
        current = self.current_id()
        self._ids = list(ids) if ids is not None else [None] * len(rows)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{text}\n{self.hint}" if self.hint and self._ids[r] is not None else text)
                if c in self.right_aligned:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if current is not None and current in self._ids:
            self.table.setCurrentCell(self._ids.index(current), 0)
        self.table.setVisible(bool(rows))
        self.note.setText(note or ("" if rows else self.empty_text))
        self.note.setVisible(bool(self.note.text()))

    def current_id(self) -> int | None:
        row = self.table.currentRow()
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def _open(self, row: int) -> bool:
        row_id = self._ids[row] if 0 <= row < len(self._ids) else None
        if row_id is None:
            return False
        self.activated.emit(row_id)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in OPEN_KEYS
            and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            and self._open(self.table.currentRow())
        ):
            return True
        return super().eventFilter(watched, event)

    def rows(self) -> list[list[str]]:
        return [
            [
                item.text() if (item := self.table.item(r, c)) is not None else ""
                for c in range(self.table.columnCount())
            ]
            for r in range(self.table.rowCount())
        ]

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
    return [
        [deal.title, deal_stage(deal, stage_names), money(deal.value_minor, deal.currency), _day(deal.expected_close)]
        for deal in deals
    ]


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
