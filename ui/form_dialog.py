"""The frames the small dialogs share, so each dialog holds only its own fields and its one change.

`SubmitDialog`: an error line and Cancel/OK, OK the default button and calling `submit()`, which either
refuses (the message under the fields, focus on the field at fault, gone once the person edits a field) or
does its change. The subclass lays them out. `FormDialog` also lays them out: an optional intro, a form,
then (after `finish_layout()`) the error line and the buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ui.widgets import MessageLine, clear_on_user_edit, paragraph, tab_stops


class SubmitDialog(QDialog):
    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.message = MessageLine(self)
        self._watching_edits = False
        self._ordered = False  # the focus chain put right at the first show (_buttons_last)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def submit(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._ordered:
            self._ordered = True
            self._buttons_last()

    def _buttons_last(self) -> None:
        """The buttons were made before the fields, so Tab met them first and the dialog opened with focus on
        OK: typing a deal's title pressed Add with its Space. The fields come first, the buttons last, and focus
        starts on the first field (unless the dialog chose one)."""
        chain = list(tab_stops(self, every=True))
        buttons = [w for w in chain if self.buttons.isAncestorOf(w)]
        fields = [w for w in tab_stops(self) if w not in buttons]
        if not fields or not buttons:
            return
        order = [w for w in chain if w not in buttons] + buttons
        for before, after in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(before, after)
        focused = self.focusWidget()
        if focused is None or focused in buttons:
            fields[0].setFocus(Qt.FocusReason.TabFocusReason)

    def refuse(self, text: str, field: QWidget | None = None) -> None:
        self.message.show_error(text)
        self.adjustSize()  # room for the message's wrapped lines
        if field is not None:
            field.setFocus()
        if not self._watching_edits:
            self._watching_edits = True
            clear_on_user_edit(self, self.message)


class FormDialog(SubmitDialog):
    def __init__(
        self, title: str, ok_text: str, parent: QWidget | None, *, intro: str = "", minimum_width: int = 460
    ) -> None:
        super().__init__(title, ok_text, parent)
        self.form = QFormLayout()
        self.body = QVBoxLayout(self)
        if intro:
            self.body.addWidget(paragraph(intro, self))
        self.body.addLayout(self.form)
        self.setMinimumWidth(minimum_width)

    def row(self, text: str, widget: QWidget) -> None:
        """A form row whose label (with its Alt letter) leads to the field, which is named after it."""
        label = QLabel(text, self)
        label.setBuddy(widget)
        self.form.addRow(label, widget)
        if not widget.accessibleName():
            widget.setAccessibleName(text.replace("&", "").rstrip(":"))

    def finish_layout(self, *above_message: QWidget) -> None:
        """Below the form: any extra widgets (a busy bar), then the error line and the buttons."""
        for widget in above_message:
            self.body.addWidget(widget)
        self.body.addWidget(self.message)
        self.body.addWidget(self.buttons)
