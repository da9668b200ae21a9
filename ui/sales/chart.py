"""A horizontal bar chart drawn with QPainter (PySide6-Essentials has no QtCharts): one bar per stage, its
amount written beside it, and the same figures as the widget's accessible description."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFocusEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QStyle, QStyleOptionFocusRect, QWidget

from app.locale import _
from app.locale.formatting import money

ROW = 30
GAP = 8


class StageBarChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, int]] = []  # stage name, amount in minor units
        self.currency = ""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a screen reader can reach the text alternative
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_data([], "")

    def set_data(self, bars: list[tuple[str, int]], currency: str) -> None:
        self.bars, self.currency = list(bars), currency
        self.setAccessibleName(
            _("Open value per stage in {currency}").format(currency=currency) if currency else _("Open value per stage")
        )
        self.setAccessibleDescription(self.text_alternative())
        self.setToolTip(self.text_alternative())
        self.updateGeometry()
        self.update()

    def text_alternative(self) -> str:
        if not self.bars:
            return _("No open deals.")
        return "; ".join(
            _("{stage}: {amount}").format(stage=name, amount=money(minor, self.currency)) for name, minor in self.bars
        )

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(400, max(len(self.bars), 1) * (ROW + GAP) + GAP)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = painter.fontMetrics()
        area = self.rect().adjusted(GAP, GAP, -GAP, -GAP)
        if not self.bars:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), self.text_alternative())
            painter.end()
            return
        label_width = min(max(metrics.horizontalAdvance(name) for name, _minor in self.bars) + 12, area.width() // 3)
        amounts = [money(minor, self.currency) for _name, minor in self.bars]
        amount_width = max(metrics.horizontalAdvance(text) for text in amounts) + 12
        bar_room = max(area.width() - label_width - amount_width, 10)
        largest = max((minor for _name, minor in self.bars), default=0) or 1
        for row, ((name, minor), amount) in enumerate(zip(self.bars, amounts, strict=True)):
            top = area.top() + row * (ROW + GAP)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRect(area.left(), top, label_width - 8, ROW),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(name, Qt.TextElideMode.ElideRight, label_width - 8),
            )
            width = round(bar_room * minor / largest)
            bar = QRect(area.left() + label_width, top + 4, max(width, 2 if minor else 0), ROW - 8)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(bar, 3, 3)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRect(bar.right() + 6, top, amount_width, ROW),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                amount,
            )
        if self.hasFocus():
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, self)
        painter.end()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.update()
