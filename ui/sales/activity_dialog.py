"""New activity: a call, meeting, email or task with a due time, optionally for a customer."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, QTime, Signal
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLineEdit, QWidget

from app.crm.activities import KINDS, ActivityService
from app.locale import _
from ui.sales.customer_picker import CustomerPicker
from ui.sales.quick import QuickDialog
from ui.sales.text import kind_label
from ui.session_context import SessionContext


def next_full_hour() -> QDateTime:
    now = QDateTime.currentDateTime()
    return QDateTime(now.date(), QTime(now.time().hour(), 0)).addSecs(3600)


class NewActivityDialog(QuickDialog):
    created = Signal(int)

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, _("New activity"), _("&Add activity"), parent)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(_("Kind of activity"))
        for kind in KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.subject = QLineEdit(self)
        self.subject.setMaxLength(300)
        self.subject.setAccessibleName(_("Subject"))
        self.subject.setPlaceholderText(_("For example: Call about the wedding order"))
        self.due = QDateTimeEdit(next_full_hour(), self)
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.due.setAccessibleName(_("Due date and time"))
        self.customer = CustomerPicker(context, self)
        self.form.addRow(_("&Kind:"), self.kind)
        self.form.addRow(_("&Subject:"), self.subject)
        self.form.addRow(_("&Due:"), self.due)
        self.form.addRow(_("C&ustomer (optional):"), self.customer)
        self.finish_layout()
        self.customer.search()

    def due_at(self) -> datetime:
        """The chosen local time as an aware datetime (the service stores UTC)."""
        return datetime.fromtimestamp(self.due.dateTime().toSecsSinceEpoch()).astimezone()

    def submit(self) -> None:
        subject = self.subject.text().strip()
        if not subject:
            self.refuse(_("Give the activity a subject, so you know what to do."), self.subject)
            return
        kind, due, customer = str(self.kind.currentData()), self.due_at(), self.customer.contact_id()
        created: list[int] = []

        def change() -> None:
            created.append(ActivityService(self.context.session).create(kind, subject, due_at=due,
                                                                        contact_id=customer))

        if self.apply(change):
            self.created.emit(created[0])
