"""The kanban board: one column per stage, deal cards you can drag to another column or move with
Ctrl+Left / Ctrl+Right, and open to edit with a double-click or Enter. The widgets only report what the person
asked for; the pipeline page does the move or opens the editor."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.crm.deals import Deal, StageColumn
from app.locale import _, ngettext
from app.locale.formatting import day, money, percent
from ui.sales.text import customer_label, totals_text

MIME = "application/x-counterpart-deal"
ID_ROLE = Qt.ItemDataRole.UserRole
CUSTOMER_ROLE = Qt.ItemDataRole.UserRole + 1
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
# A right-to-left name (Arabic, Hebrew) still starts at the card's left edge, away from the amount; the words
# of the name keep their own order (the bidi algorithm orders runs inside the line).
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextForceLeftToRight)


def card_text(deal: Deal) -> str:
    """What a screen reader says for a card, and what the tooltip shows."""
    return _("{title}, {customer}, {value}").format(
        title=deal.title, customer=customer_label(deal.contact_name), value=money(deal.value_minor, deal.currency)
    )


class CardDelegate(QStyledItemDelegate):
    """Paints a deal as a card: the title in bold, then the customer and the value on one line."""

    PAD = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802 - Qt override
        height = option.fontMetrics.height()
        return QSize(160, 2 * height + 2 * self.PAD + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        rect: QRect = option.rect.adjusted(4, 3, -4, -3)
        state = option.state
        palette: QPalette = option.palette
        selected = bool(state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base))
        border = QPen(palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Mid))
        border.setWidthF(2.0 if state & QStyle.StateFlag.State_HasFocus else 1.0)
        painter.setPen(border)
        painter.drawRoundedRect(rect, 5, 5)
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        inner = rect.adjusted(self.PAD, self.PAD - 2, -self.PAD, -self.PAD + 2)
        metrics = option.fontMetrics
        line = metrics.height()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setPen(text_color)
        painter.setFont(bold)
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width(), line),
            LEFT,
            painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, inner.width()),
        )
        value = str(index.data(VALUE_ROLE) or "")
        value_width = painter.fontMetrics().horizontalAdvance(value)
        second = QRect(inner.left(), inner.top() + line + 4, inner.width(), line)
        painter.drawText(second, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), value)
        painter.setFont(option.font)
        customer = str(index.data(CUSTOMER_ROLE) or "")
        room = max(inner.width() - value_width - 8, 0)
        painter.drawText(
            QRect(second.left(), second.top(), room, line),
            LEFT,
            metrics.elidedText(customer, Qt.TextElideMode.ElideRight, room),
        )
        painter.restore()


class DealList(QListWidget):
    """One column's cards. Drops and Ctrl+arrow keys become signals; plain Left/Right go to the next column."""

    dropped = Signal(int, int)  # deal id, this column's stage id
    step = Signal(int, int)  # deal id, -1 (previous stage) or +1 (next stage)
    neighbour = Signal(int)  # -1 or +1: move the focus to that column
    edit_requested = Signal(int)  # deal id: double-click, Enter or Return on a card

    def __init__(self, stage_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage_id = stage_id
        self.editable = False
        self.setItemDelegate(CardDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.set_editable(False)
        self.itemDoubleClicked.connect(lambda item: self.edit_requested.emit(int(item.data(ID_ROLE))))

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.setDragEnabled(editable)
        self.setAcceptDrops(editable)
        self.viewport().setAcceptDrops(editable)

    def deal_id(self, item: QListWidgetItem | None = None) -> int | None:
        item = item or self.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    # --- drag and drop -------------------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [MIME]

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # type: ignore[override]  # noqa: N802
        data = QMimeData()
        if items:
            data.setData(MIME, QByteArray(str(int(items[0].data(ID_ROLE))).encode()))
        return data

    @staticmethod
    def dragged_deal(data: QMimeData) -> int | None:
        if not data.hasFormat(MIME):
            return None
        try:
            return int(bytes(data.data(MIME).data()).decode())
        except ValueError:
            return None

    def _acceptable(self, event: QDropEvent) -> bool:
        return self.editable and self.dragged_deal(event.mimeData()) is not None and event.source() is not self

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self._acceptable(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        if self._acceptable(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Report the drop after the drag has finished: the board is rebuilt by the move, and the source
        column must not be cleared while Qt is still inside its drag. Copy, so Qt removes nothing itself."""
        deal_id = self.dragged_deal(event.mimeData())
        if not self._acceptable(event) or deal_id is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        stage_id = self.stage_id
        QTimer.singleShot(0, self, lambda: self.dropped.emit(deal_id, stage_id))  # dropped if the list goes

    # --- keyboard ------------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, modifiers = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            direction = -1 if key == Qt.Key.Key_Left else 1
            if modifiers & Qt.KeyboardModifier.ControlModifier:
                deal_id = self.deal_id()
                if deal_id is not None:
                    self.step.emit(deal_id, direction)
            else:
                self.neighbour.emit(direction)
            event.accept()
            return
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            deal_id = self.deal_id()
            if deal_id is not None:
                self.edit_requested.emit(deal_id)
                event.accept()
                return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.count() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.viewport().rect().adjusted(8, 12, -8, -8),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                _("No open deals") if not self.editable else _("No open deals. Drop a deal here."),
            )
            painter.end()


class StageColumnWidget(QFrame):
    """A stage's header (name, probability, count, totals per currency), its cards, and "and N more"."""

    def __init__(self, stage_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(190)
        self.name = QLabel(self)
        font = QFont(self.name.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.name.setFont(font)
        self.name.setWordWrap(True)
        self.summary = QLabel(self)
        self.totals = QLabel(self)
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.deals = DealList(stage_id, self)
        self.more = QLabel(self)
        self.more.setWordWrap(True)
        self.more.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(2)
        layout.addWidget(self.name)
        layout.addWidget(self.summary)
        layout.addWidget(self.totals)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        layout.addWidget(self.deals, 1)
        layout.addWidget(self.more)

    @property
    def stage_id(self) -> int:
        return self.deals.stage_id

    def show_column(self, column: StageColumn, editable: bool) -> None:
        stage = column.stage
        self.name.setText(stage.name)
        count = ngettext("{n} deal", "{n} deals", column.count).format(n=column.count)
        self.summary.setText(_("{probability} · {count}").format(probability=percent(stage.probability), count=count))
        self.totals.setText(totals_text(column.totals, empty=_("No value yet")))
        self.deals.set_editable(editable)
        self.deals.clear()
        for deal in column.deals:
            item = QListWidgetItem(deal.title, self.deals)
            item.setData(ID_ROLE, deal.id)
            item.setData(CUSTOMER_ROLE, customer_label(deal.contact_name))
            item.setData(VALUE_ROLE, money(deal.value_minor, deal.currency))
            text = card_text(deal)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            tip = (
                text
                if not deal.expected_close
                else _("{card}; expected to close {day}").format(card=text, day=day(_iso_day(deal.expected_close)))
            )
            item.setToolTip(tip)
        hidden = column.count - len(column.deals)
        self.more.setVisible(hidden > 0)
        self.more.setText(_("and {n} more (see the table view)").format(n=hidden) if hidden > 0 else "")
        totals = totals_text(column.totals, separator=", ", empty=_("no value yet"))
        self.deals.setAccessibleName(_("{stage} column").format(stage=stage.name))
        self.deals.setAccessibleDescription(
            _("{stage}: {probability} win probability, {count}, worth {totals}").format(
                stage=stage.name, probability=percent(stage.probability), count=count, totals=totals
            )
        )
        self.totals.setAccessibleName(_("Total in {stage}: {totals}").format(stage=stage.name, totals=totals))

    def clear(self) -> None:
        for label in (self.name, self.summary, self.totals, self.more):
            label.clear()
        self.deals.clear()
        self.deals.setAccessibleDescription("")


def _iso_day(text: str) -> date:
    return date.fromisoformat(text[:10])


class Board(QWidget):
    """The columns side by side; rebuilt when the pipeline (its stages) changes, otherwise refilled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns: list[StageColumnWidget] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(8)

    def rebuild(self, stage_ids: list[int]) -> bool:
        """Make one column per stage; returns True when the columns were replaced."""
        if [c.stage_id for c in self.columns] == stage_ids:
            return False
        for column in self.columns:
            self._row.removeWidget(column)
            column.deleteLater()
        self.columns = [StageColumnWidget(stage_id, self) for stage_id in stage_ids]
        for column in self.columns:
            self._row.addWidget(column, 1)
        return True

    def align_headers(self) -> None:
        """Give every totals block the height of the tallest, so the first cards line up across columns."""
        lines = max((len(c.totals.text().splitlines()) for c in self.columns), default=1)
        for column in self.columns:
            column.totals.setMinimumHeight(column.totals.fontMetrics().lineSpacing() * lines)
            column.totals.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def column_of(self, stage_id: int) -> StageColumnWidget | None:
        return next((c for c in self.columns if c.stage_id == stage_id), None)

    def locate(self, deal_id: int) -> tuple[StageColumnWidget, QListWidgetItem] | None:
        for column in self.columns:
            for row in range(column.deals.count()):
                item = column.deals.item(row)
                if int(item.data(ID_ROLE)) == deal_id:
                    return column, item
        return None

    def clear(self) -> None:
        for column in self.columns:
            column.clear()
