"""Place a legal hold: whom it protects, why, and (optionally) the day it ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QLineEdit, QWidget

from app.errors import CounterpartError
from app.locale import _
from app.privacy.retention import RetentionService
from ui.privacy.request_dialogs import _FormDialog
from ui.sales.customer_picker import CustomerPicker
from ui.session_context import SessionContext
from ui.widgets import paragraph


def end_of_day(day: date) -> datetime:
    """The last second of `day` on this computer's clock, in UTC: a hold "until 1 December" protects all of it."""
    return datetime.combine(day, time(23, 59, 59)).astimezone().astimezone(UTC)


class PlaceHoldDialog(_FormDialog):
    """Choose the person, write the reason (required) and, if the reason has a known end, the last day."""

    def __init__(self, context: SessionContext, today: date, parent: QWidget | None = None) -> None:
        super().__init__(
            _("Place a legal hold"),
            _(
                "While the hold lasts, retention sweeps skip this person and they cannot be erased, "
                "even on request. Write the reason so that whoever looks later knows when the hold may "
                "be released."
            ),
            _("&Place hold"),
            parent,
        )
        self.context = context
        self.hold_id: int | None = None
        self.customer = CustomerPicker(context, self)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(_("e.g. Tax audit of 2025, letter of 3 March"))
        self.ends = QCheckBox(_("&Ends on:"), self)
        self.ends.setAccessibleName(_("The hold has an end date"))
        first = today + timedelta(days=1)
        self.until = QDateEdit(QDate(first.year, first.month, first.day), self)
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("yyyy-MM-dd")
        self.until.setMinimumDate(QDate(first.year, first.month, first.day))
        self.until.setAccessibleName(_("Last day of the hold"))
        self.until.setEnabled(False)
        self.ends.toggled.connect(self.until.setEnabled)
        self.row(_("&Customer:"), self.customer)
        self.row(_("&Reason:"), self.reason)
        self.form.addRow(self.ends, self.until)
        self.form.addRow("", paragraph(_("Without an end date, the hold lasts until someone releases it."), self))
        self.finish_layout()
        self.reason.setAccessibleName(_("Reason for the hold"))
        # Nothing here is wide, so Qt would size the height for a narrow dialog and hand the spare lines to the
        # customer picker; size it for the width it really has.
        self.resize(self.minimumWidth(), self.heightForWidth(self.minimumWidth()))

    def end(self) -> datetime | None:
        if not self.ends.isChecked():
            return None
        value = self.until.date()
        return end_of_day(date(value.year(), value.month(), value.day()))

    def submit(self) -> None:
        if self.context.busy:
            return
        contact_id = self.customer.contact_id()
        if contact_id is None:
            self.message.show_error(_("Choose the customer the hold protects."))
            self.customer.setFocus()
            return
        try:
            self.hold_id = RetentionService(self.context.session).hold(contact_id, self.reason.text(), self.end())
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            if not self.reason.text().strip():
                self.reason.setFocus()
            return
        self.context.changed.emit()
        self.accept()
