"""The staff privacy lesson, a screen at a time, ending with "I have read this" (app.privacy.training).

Offered at unlock while the user's lesson is due (a notice with Show me) and from Privacy › Health. Closing it
without confirming changes nothing: the notice comes again at the next unlock.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.errors import CounterpartError
from app.locale import _
from app.privacy.training import TrainingService, lesson
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading


class TrainingDialog(QDialog):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.screens = lesson()
        self.index = 0
        self.setWindowTitle(_("Privacy lesson"))
        self.setAccessibleName(_("Privacy lesson"))
        self.step = QLabel(self)
        self.title = heading("", self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = MessageLine(self)
        self.back_button = QPushButton(_("Back"), self)
        self.next_button = QPushButton(_("Next"), self)
        self.confirm_button = QPushButton(_("I have read and understood this"), self)
        self.close_button = QPushButton(_("Later"), self)
        self.back_button.clicked.connect(lambda: self.show_screen(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_screen(self.index + 1))
        self.confirm_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.confirm_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumSize(560, 380)
        self.show_screen(0)

    def show_screen(self, index: int) -> None:
        self.index = max(0, min(index, len(self.screens) - 1))
        title, text = self.screens[self.index]
        last = self.index == len(self.screens) - 1
        self.step.setText(_("Screen {n} of {total}").format(n=self.index + 1, total=len(self.screens)))
        self.title.setText(title)
        self.text.setText(text)
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setVisible(not last)
        self.confirm_button.setVisible(last)
        (self.confirm_button if last else self.next_button).setDefault(True)

    def confirm(self) -> None:
        if self.context.busy:
            return
        try:
            TrainingService(self.context.session).acknowledge()
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()
        self.accept()
