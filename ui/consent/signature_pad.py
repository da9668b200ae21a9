"""A pad to sign on with a finger, a pen or the mouse. The signature leaves it only as PNG bytes in memory,
which go straight into the vault as evidence: never a file on disk."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.locale import _

INK = QColor(20, 20, 60)
PAPER = QColor(255, 255, 255)


class SignaturePad(QWidget):
    """Strokes are kept as paths in widget coordinates; `png_bytes()` draws them on white, black-blue ink."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, hint: str | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[QPainterPath] = []
        self._current: QPainterPath | None = None
        self._hint = hint if hint is not None else _("Sign here")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setMinimumSize(QSize(360, 140))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(150)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable by Tab, so its description is read out
        self.setAccessibleName(_("Signature pad"))
        self.setAccessibleDescription(
            _(
                "Draw your signature in this box with a finger, a pen or the mouse. "
                "The Clear button next to it starts again."
            )
        )
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, PAPER)
        self.setPalette(palette)
        self.setAutoFillBackground(True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(520, 150)

    def set_hint(self, text: str) -> None:
        """The faint words shown while the pad is empty (in the customer's language)."""
        self._hint = text
        self.update()

    # --- state ---------------------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        had = not self.is_empty()
        self._strokes.clear()
        self._current = None
        self.update()
        if had:
            self.changed.emit()

    def png_bytes(self) -> bytes:
        """The signature as a PNG, encoded in memory (QBuffer), at the pad's size; empty bytes if not signed."""
        if self.is_empty():
            return b""
        image = QImage(self.size(), QImage.Format.Format_RGB32)
        image.fill(PAPER)
        painter = QPainter(image)
        self._draw_strokes(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; only str works at run time
        buffer.close()
        return bytes(data.data())

    # --- drawing -------------------------------------------------------------------------------------------

    def _begin(self, point: QPointF) -> None:
        self._current = QPainterPath(point)
        self._current.lineTo(point + QPointF(0.1, 0.1))  # a dot is a stroke too
        self._strokes.append(self._current)
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._current is not None:
            self._current.lineTo(point)
            self.update()

    def _end(self, point: QPointF) -> None:
        if self._current is not None:
            self._current.lineTo(point)
            self._current = None
            self.update()
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
            event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt override
        """A pen: accepted here, so Qt does not also synthesise mouse events for the same stroke."""
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and self._current is not None:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end(event.position())
        event.accept()

    def event(self, event: QEvent) -> bool:
        """Touch: the first finger draws; accepting the touch stops Qt turning it into mouse events."""
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd) and isinstance(
            event, QTouchEvent
        ):
            points = event.points()
            if points:
                position = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(position)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(position)
                else:
                    self._end(position)
            event.accept()
            return True
        if kind == QEvent.Type.TouchCancel:
            self._current = None
            event.accept()
            return True
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.update()

    def _draw_strokes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(INK, 3.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for path in self._strokes:
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.fillRect(rect, PAPER)
        frame = QPen(QColor(120, 120, 120), 2 if self.hasFocus() else 1)
        painter.setPen(frame)
        painter.drawRect(rect)
        baseline = rect.bottom() - rect.height() * 0.25
        painter.setPen(QPen(QColor(150, 150, 150), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(rect.left() + 24, baseline), QPointF(rect.right() - 24, baseline))
        painter.drawText(QPointF(rect.left() + 8, baseline + 4 + painter.fontMetrics().ascent()), "×")
        if self.is_empty():
            painter.setPen(QColor(130, 130, 130))
            painter.drawText(rect.adjusted(0, 0, 0, -rect.height() * 0.3), Qt.AlignmentFlag.AlignCenter, self._hint)
        self._draw_strokes(painter)
        painter.end()
