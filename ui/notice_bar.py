"""What the window has to tell the person, above the page: chores due at unlock (a retention sweep, privacy
requests near their deadline, a restore drill) and activity reminders.

These used to be status-bar messages: the bar cut them off at its permanent labels, and they vanished after
15 to 30 seconds, so a shop owner who was serving a customer missed them. Here they wrap, stay until
dismissed, and screen readers hear each one as it comes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from app.locale import _
from ui.widgets import DismissibleBar


class NoticeBar(DismissibleBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("noticeBar", QStyle.StandardPixmap.SP_MessageBoxInformation, parent, lines=True)
        self.setAccessibleName(_("Notices"))
        self._lines = QVBoxLayout()
        self._lines.setContentsMargins(0, 0, 0, 0)
        self._lines.setSpacing(2)
        self.body.addLayout(self._lines, 1)

    def notes(self) -> list[str]:
        return [label.text() for label in self.findChildren(QLabel, "notice")]

    def add(self, text: str, go: Callable[[], object] | None = None) -> None:
        """Show `text` under the notes already shown (once: a repeated note is not added again); `go`, if
        given, is a "Show me" button beside it that opens the place the note is about."""
        if not text or text in self.notes():
            return
        row = QWidget(self)
        row.setObjectName("noticeRow")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        label = QLabel(text, row)
        label.setObjectName("notice")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        line.addWidget(label, 1)
        if go is not None:
            button = QPushButton(_("Show me"), row)
            button.setAccessibleName(_("Show me: {note}").format(note=text))
            button.clicked.connect(lambda _checked=False: go())
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self._lines.addWidget(row)
        self.setAccessibleDescription("\n".join(self.notes()))
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(label, QAccessible.Event.Alert))

    def dismiss(self) -> None:
        """Forget every note (the button, and the lock: reminders name customers)."""
        for row in self.findChildren(QWidget, "noticeRow"):
            self._lines.removeWidget(row)
            row.hide()
            row.deleteLater()
            for label in row.findChildren(QLabel, "notice"):
                label.setObjectName("")  # gone from notes() at once, before the deferred delete
        self.setAccessibleDescription("")
        self.hide()
