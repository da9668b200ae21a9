"""A bar that says what was just deleted and offers to undo it (Ctrl+Z), instead of asking "are you sure?"
before every delete. It stays until it is used, dismissed or replaced: no timer takes the chance away."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QWidget

from app.locale import _


class UndoBar(QFrame):
    undo_requested = Signal(int)  # the contact id to restore
    available = Signal(bool)  # whether there is something to undo (the page turns Ctrl+Z on and off)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        self._contact_id: int | None = None
        self.icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_TrashIcon).pixmap(size, size))
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton(_("&Undo"), self)
        self.undo_button.setToolTip(_("Bring the customer back (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.undo)
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAccessibleName(_("Dismiss"))
        self.dismiss_button.setToolTip(_("Dismiss"))
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    @property
    def contact_id(self) -> int | None:
        return self._contact_id

    def offer(self, contact_id: int, name: str) -> None:
        self._contact_id = contact_id
        self.text.setText(_("Deleted {name}.").format(name=name))
        self.undo_button.setAccessibleName(_("Undo deleting {name}").format(name=name))
        self.setAccessibleName(self.text.text())
        self.show()
        self.available.emit(True)
        QAccessible.updateAccessibility(QAccessibleEvent(self.text, QAccessible.Event.Alert))

    def undo(self) -> None:
        if self._contact_id is not None and self.isVisible():
            self.undo_requested.emit(self._contact_id)

    def dismiss(self) -> None:
        self._contact_id = None
        self.text.clear()
        self.hide()
        self.available.emit(False)
