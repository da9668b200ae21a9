"""New activity, or an existing one to edit: a call, meeting, email or task with a due time, optionally for a
customer."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, QTime, Signal
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLineEdit, QWidget

from app.crm.activities import KINDS, Activity, ActivityService
from app.locale import _
from ui.sales.customer_picker import CustomerPicker
from ui.sales.quick import QuickDialog
from ui.sales.text import kind_label, local_due
from ui.session_context import SessionContext


def next_full_hour() -> QDateTime:
    now = QDateTime.currentDateTime()
    return QDateTime(now.date(), QTime(now.time().hour(), 0)).addSecs(3600)


class ActivityDialog(QuickDialog):
    """Given `activity`, its fields are filled in and OK saves them; its deal, owner and done state stay as
    they are (ticking it done is the Activities page's tick box)."""

    created = Signal(int)
    saved = Signal(int)  # the edited activity's id

    def __init__(
        self, context: SessionContext, parent: QWidget | None = None, *, activity: Activity | None = None
    ) -> None:
        if activity is None:
            super().__init__(context, _("New activity"), _("&Add activity"), parent)
        else:
            super().__init__(context, _("Edit activity"), _("S&ave changes"), parent)
        self.activity = activity
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
        if activity is not None:
            self._fill(activity)
        self.finish_layout()
        self.customer.reveal()  # the usual list, or the customer of the deal or activity being edited

    def _fill(self, activity: Activity) -> None:
        index = self.kind.findData(activity.kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)
        self.subject.setText(activity.subject)
        due = local_due(activity.due_at)
        if due is not None:  # none yet: the next full hour, as for a new one
            self.due.setDateTime(QDateTime.fromSecsSinceEpoch(int(due.timestamp())))
        if activity.contact_id is not None and activity.contact_name:
            self.customer.choose(activity.contact_id, activity.contact_name)

    def due_at(self) -> datetime:
        """The chosen local time as an aware datetime (the service stores UTC)."""
        return datetime.fromtimestamp(self.due.dateTime().toSecsSinceEpoch()).astimezone()

    def submit(self) -> None:
        subject = self.subject.text().strip()
        if not subject:
            self.refuse(_("Give the activity a subject, so you know what to do."), self.subject)
            return
        kind, due, customer = str(self.kind.currentData()), self.due_at(), self.customer.contact_id()
        if self.activity is not None:
            activity_id, deal_id = self.activity.id, self.activity.deal_id
            if self.apply(
                lambda: ActivityService(self.context.session).update(
                    activity_id, kind=kind, subject=subject, due_at=due, contact_id=customer, deal_id=deal_id
                )
            ):
                self.saved.emit(activity_id)
            return
        created: list[int] = []

        def change() -> None:
            created.append(ActivityService(self.context.session).create(kind, subject, due_at=due, contact_id=customer))

        if self.apply(change):
            self.created.emit(created[0])


NewActivityDialog = ActivityDialog  # the name the pages used before activities could be edited
