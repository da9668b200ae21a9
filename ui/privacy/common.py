"""Pieces the privacy tabs share: a plain rows model, a table, a progress row with Cancel, a reason prompt.

The tabs hold only what they show, in these models, so `clear()` at lock time forgets it all in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.errors import CounterpartError
from app.locale import _, formatting, ngettext
from ui.form_dialog import SubmitDialog
from ui.operation import Operation, message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
Clock = Callable[[], datetime]
ALERT = QColor("#b3261e")  # a red that reads on light and dark rows; always paired with a word and an icon


def system_clock() -> datetime:
    return datetime.now(UTC)


def local_time(moment: datetime | str) -> str:
    """A UTC moment in this computer's time zone, to the minute, in the same unambiguous form as the audit log
    (a moment without a zone is taken as UTC, as the vault stores them)."""
    if isinstance(moment, datetime) and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    shown = formatting.local_time(moment)
    return shown.strftime("%Y-%m-%d %H:%M") if shown is not None else str(moment)


def error_text(exc: object) -> str:
    """Like message_for, but a part another build step has not delivered yet is named, not called a bug."""
    if isinstance(exc, ImportError):
        return _("This part of Counterpart is not available in this build yet ({detail}).").format(detail=exc)
    return message_for(exc)


@dataclass
class Row:
    """One table row: its texts, the record it stands for, and which cells are alerts (red, bold, icon)."""

    cells: list[str]
    key: Any = None
    alerts: set[int] = field(default_factory=set)
    tips: dict[int, str] = field(default_factory=dict)


class RowsModel(QAbstractTableModel):
    """A read-only table of prepared rows; lists here are short (open requests, policies, backups, breaches)."""

    def __init__(
        self,
        headers: Sequence[str],
        parent: Any = None,
        *,
        right: Sequence[int] = (),
        header_tips: dict[int, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._header_tips = header_tips or {}
        self._right = set(right)
        self._rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row(self, number: int) -> Row:
        return self._rows[number]

    def rows(self) -> list[Row]:
        return list(self._rows)

    def text(self, row: int, column: int) -> str:
        return self._rows[row].cells[column]

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt override
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tips.get(section, self._headers[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        alert = column in row.alerts
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.cells[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tips.get(column) or row.cells[column] or None
        if role == Qt.ItemDataRole.ForegroundRole and alert:
            return QBrush(ALERT)
        if role == Qt.ItemDataRole.FontRole and alert:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and alert:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self._right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def make_table(model: RowsModel, name: str, parent: QWidget, widths: Sequence[int] = ()) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons; arrows move between rows
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    if widths:
        _FitToWidth(table, widths)
    return table


class _FitToWidth(QObject):
    """Columns share the table's width in the proportions of `widths`, each at least as wide as its heading, so
    a list neither scrolls sideways nor cuts its headings ("Identity ch…") while there is room for them. Only
    when even the headings do not fit does the table scroll."""

    def __init__(self, table: QTableView, widths: Sequence[int]) -> None:
        super().__init__(table)
        self.table = table
        self.weights = list(widths)
        table.viewport().installEventFilter(self)
        table.model().headerDataChanged.connect(self.fit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        table, header = self.table, self.table.horizontalHeader()
        count = table.model().columnCount()
        if count == 0:
            return
        spare = 2 * table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 4
        headings = [
            header.fontMetrics().horizontalAdvance(
                str(table.model().headerData(column, Qt.Orientation.Horizontal) or "")
            )
            + spare
            for column in range(count)
        ]
        weights = [*self.weights, *[max(self.weights) // 2] * (count - len(self.weights))][:count]
        room = max(0, table.viewport().width() - sum(headings))
        extras = [room * weight // max(1, sum(weights)) for weight in weights]
        extras[-1] += room - sum(extras)  # what rounding left over goes to the last column
        header.setStretchLastSection(False)
        for column in range(count):
            header.resizeSection(column, headings[column] + extras[column])


def selected_key(table: QTableView, model: RowsModel) -> Any:
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    return model.row(rows[0].row()).key if rows else None


def select_key(table: QTableView, model: RowsModel, key: Any) -> None:
    """Keep the same record selected across a refresh (or select the first row)."""
    for number, row in enumerate(model.rows()):
        if row.key == key:
            table.selectRow(number)
            return
    if model.rowCount():
        table.selectRow(0)


def forbid(reason: str, *widgets: QWidget) -> None:
    """Disable what this role may not use, with the reason as the tooltip (the services refuse it anyway)."""
    for widget in widgets:
        widget.setEnabled(False)
        widget.setToolTip(reason)


def not_allowed(reason: str, parent: QWidget) -> MessageLine:
    """The line a role sees instead of data it may not see: the reason, in words, with an icon."""
    line = MessageLine(parent)
    line.show_info(reason)
    return line


def button(text: str, name: str, parent: QWidget, slot: Callable[[], object]) -> QPushButton:
    push = QPushButton(text, parent)
    push.setAccessibleName(name)
    push.clicked.connect(lambda _checked=False: slot())
    return push


class ProgressPanel(QWidget):
    """What long work is doing: words, a bar (indeterminate when the total is unknown) and Cancel if it can stop."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName(_("Progress"))
        self.bar.setMaximumHeight(16)
        self.cancel_button = QPushButton(_("Cance&l"), self)
        self.cancel_button.setAccessibleName(_("Cancel the running work"))
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self._operation: Operation[object] | None = None
        self.hide()

    def follow(self, operation: Operation[object], text: str, *, cancellable: bool = False) -> None:
        self._operation = operation
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        operation.progressed.connect(self._progress)
        operation.ended.connect(self._ended)
        self.show()

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        elif done == 0:  # a last step of unknown length that cannot stop (the sweep's trace removal)
            self.bar.setRange(0, 0)
            self.cancel_button.hide()
            self.label.setText(_("Finishing (this step cannot be cancelled)…"))

    def _cancel(self) -> None:
        if self._operation is not None:
            self._operation.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(_("Stopping after the current step…"))

    def _ended(self) -> None:
        self._operation = None
        self.hide()


class TextPromptDialog(SubmitDialog):
    """Ask for one piece of text (a reason, a reference) and hand it to `submit_text`, which may refuse it.

    `submit_text` runs a quick service call on the UI thread; a CounterpartError it raises stays in the dialog.
    """

    def __init__(
        self,
        parent: QWidget,
        title: str,
        intro: str,
        label: str,
        ok_text: str,
        submit: Callable[[str], object],
        *,
        multiline: bool = True,
        placeholder: str = "",
    ) -> None:
        super().__init__(title, ok_text, parent)
        self._submit = submit
        self.field: QPlainTextEdit | QLineEdit
        if multiline:
            self.field = QPlainTextEdit(self)
            self.field.setTabChangesFocus(True)
            self.field.setMaximumHeight(self.fontMetrics().height() * 6)
        else:
            self.field = QLineEdit(self)
        self.field.setPlaceholderText(placeholder)
        self.field.setAccessibleName(label.replace("&", "").rstrip(":"))
        field_label = QLabel(label, self)
        field_label.setBuddy(self.field)
        self.body = QVBoxLayout(self)
        self.body.addWidget(paragraph(intro, self))
        self.body.addWidget(field_label)
        self.body.addWidget(self.field)
        self.body.addWidget(self.message)
        self.body.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def text(self) -> str:
        return self.field.toPlainText() if isinstance(self.field, QPlainTextEdit) else self.field.text()

    def submit(self) -> None:
        try:
            self._submit(self.text())
        except CounterpartError as exc:
            self.refuse(str(exc), self.field)
            return
        self.accept()


DialogT = TypeVar("DialogT", bound=QDialog)


class RefreshedWhenShown(QWidget):
    """A tab that reads again on every data change while it is shown, and otherwise when it is next shown
    (data changes all the time elsewhere in the app; hidden tabs should not query for nothing).

    It also holds what every such tab starts with: the session context, an injectable clock, whether the
    signed-in role has the tab's `permission` (the services refuse anyway; this only shapes the screen), and
    the one dialog it has open, which `close_dialog()` closes at lock (dialogs hold names and reasons)."""

    permission = Permission.VIEW_CUSTOMERS
    message: MessageLine  # each tab makes its own message line, which `lay_out` puts last

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(parent)
        self.context = context
        self.clock = clock
        self.allowed = context.can(self.permission)
        self._stale = True  # nothing read yet: read when first shown
        self._cleared = False
        self.dialog: QDialog | None = None

    def why_not_allowed(self) -> str:
        """What the notice and the disabled buttons say to a role without the tab's permission."""
        return self.context.why_not(self.permission)

    def lay_out(
        self,
        parts: Sequence[QWidget | QLayout],
        *,
        buttons: Sequence[QWidget],
        data: Sequence[QWidget],
        grows: QWidget,
        lead: Sequence[QWidget] = (),
        foot: Sequence[QWidget] = (),
    ) -> None:
        """The layout every list tab shares: `lead` (an intro); without the permission, a notice, the `buttons`
        disabled with the reason (still visible) and the `data` widgets hidden; then `parts`, `grows` taking the
        room; then `foot` (a progress line) and `self.message`. Also follows data changes from here on."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        for widget in lead:
            layout.addWidget(widget)
        if not self.allowed:
            reason = self.why_not_allowed()
            layout.addWidget(not_allowed(reason, self))
            forbid(reason, *buttons)
            for widget in data:
                widget.hide()
        for part in parts:
            if isinstance(part, QLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part, 1 if part is grows else 0)
        layout.addStretch(0 if self.allowed else 1)
        for widget in (*foot, self.message):
            layout.addWidget(widget)
        self.context.changed.connect(self._changed)

    def open_dialog(self, dialog: DialogT) -> DialogT:
        """Open a window-modal dialog and remember it until the next one, so that locking closes it."""
        self.dialog = dialog
        dialog.open()
        return dialog

    def close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None

    def refresh(self) -> None:
        raise NotImplementedError

    def _may_read(self) -> bool:
        """Whether refresh() may query now; if not, it reads when next possible (after a busy task, when shown)."""
        if not self.allowed or self._cleared or not self.context.is_open or self.context.busy:
            self._stale = True
            return False
        self._stale = False
        return True

    def _changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()


def show_letters_written(message: MessageLine, result: tuple[int, int], folder: object) -> None:
    """The outcome of writing letters (Art. 14 notices, breach letters): how many, or how far it got when
    stopped (the letters written stay)."""
    written, total = result
    if written < total:
        message.show_warning(
            ngettext(
                "Stopped: wrote {n} of {total} letter to {path}.",
                "Stopped: wrote {n} of {total} letters to {path}.",
                total,
            ).format(n=written, total=total, path=folder)
        )
    else:
        message.show_info(
            ngettext("Wrote {n} letter to {path}.", "Wrote {n} letters to {path}.", written).format(
                n=written, path=folder
            )
        )
