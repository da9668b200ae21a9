"""The yearly privacy review as a checklist: tick what was checked, note what was found (app.privacy.review)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.errors import CounterpartError
from app.locale import _
from app.privacy.review import ITEMS, ReviewService
from ui.form_dialog import SubmitDialog
from ui.session_context import SessionContext
from ui.widgets import paragraph


class ReviewDialog(SubmitDialog):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(_("Yearly privacy review"), _("Record the review"), parent)
        self.context = context
        body = QVBoxLayout(self)
        body.addWidget(
            paragraph(
                _(
                    "Go through each item and tick it once it is checked and up to date. The review "
                    "is recorded with your name and today's date; the next is due in 12 months."
                ),
                self,
            )
        )
        self.items: dict[str, QCheckBox] = {}
        for key, (label, hint) in ITEMS.items():
            box = QCheckBox(_(label), self)
            box.setToolTip(_(hint))
            box.setAccessibleDescription(_(hint))
            self.items[key] = box
            body.addWidget(box, 0, Qt.AlignmentFlag.AlignLeft)  # as wide as its words: a click beside them is no tick
            note = QLabel(_(hint), self)
            note.setWordWrap(True)
            note.setContentsMargins(24, 0, 0, 4)
            note.setEnabled(False)  # greyed: a hint, not a control
            body.addWidget(note)
        note_label = QLabel(_("Note: what you found, changed or left open"), self)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(self.fontMetrics().height() * 5)
        self.note.setAccessibleName(_("Note"))
        note_label.setBuddy(self.note)
        body.addWidget(note_label)
        body.addWidget(self.note)
        body.addWidget(self.message)
        body.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def submit(self) -> None:
        if self.context.busy:
            return
        ticked = [key for key, box in self.items.items() if box.isChecked()]
        try:
            ReviewService(self.context.session).record(ticked, self.note.toPlainText())
        except CounterpartError as exc:
            self.refuse(str(exc), self.note)
            return
        self.context.changed.emit()
        self.accept()
