"""The frame every small form dialog shares: a form, an error line and Cancel/OK, OK as the default button.

Subclasses fill `form`, call `finish_layout()` and implement `submit()`, which either refuses (the message
under the form, focus on the field at fault) or does its one change.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from ui.session_context import SessionContext
from ui.widgets import MessageLine


class FormDialog(QDialog):
    def __init__(self, context: SessionContext, title: str, ok_text: str, parent: QWidget | None,
                 minimum_width: int = 460) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.context = context
        self.form = QFormLayout()
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.setMinimumWidth(minimum_width)

    def finish_layout(self, *above_message: QWidget) -> None:
        """Below the form: any extra widgets (a busy bar), then the error line and the buttons."""
        for widget in above_message:
            self.body.addWidget(widget)
        self.body.addWidget(self.message)
        self.body.addWidget(self.buttons)

    def submit(self) -> None:
        raise NotImplementedError

    def refuse(self, text: str, field: QWidget | None = None) -> None:
        self.message.show_error(text)
        self.adjustSize()  # room for the message's wrapped lines
        if field is not None:
            field.setFocus()
