"""A bar that says what was just deleted and offers to undo it (Ctrl+Z), instead of asking "are you sure?"
before every delete. It stays until it is used, dismissed or replaced: no timer takes the chance away."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QLabel, QPushButton, QStyle, QWidget

from app.locale import _
from ui.widgets import DismissibleBar


class UndoBar(DismissibleBar):
    undo_requested = Signal(int)  # the contact id to restore
    available = Signal(bool)  # whether there is something to undo (the page turns Ctrl+Z on and off)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("undoBar", QStyle.StandardPixmap.SP_TrashIcon, parent)
        self._contact_id: int | None = None
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton(_("&Undo"), self)
        self.undo_button.setToolTip(_("Bring the customer back (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.undo)
        self.body.addWidget(self.text, 1)
        self.body.addWidget(self.undo_button)

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
