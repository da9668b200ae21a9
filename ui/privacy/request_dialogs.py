"""Dialogs of the Requests tab: register a request, record the identity check, choose an export, complete one.

Quick service calls run here on the UI thread (errors stay in the dialog); slow work (erasure, export) is
handed back to the tab, which runs it through `context.run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.crm.contacts import ContactService
from app.errors import CounterpartError
from app.locale import N_, _
from app.locale.i18n import SUPPORTED_LANGUAGES
from app.privacy.requests import TYPES, RequestService, SubjectRequest, due_date
from ui.consent.labels import LANGUAGE_NAMES, supported_language
from ui.form_dialog import FormDialog
from ui.privacy.labels import (
    CHANNEL_CODES,
    JURISDICTION_CODES,
    channel_label,
    jurisdiction_label,
    person_label,
    request_type_label,
)
from ui.sales.customer_picker import CustomerPicker
from ui.session_context import SessionContext
from ui.widgets import MessageLine

IDENTITY_METHODS = (
    N_("Photo ID seen at the counter"),
    N_("Replied from the email address we hold"),
    N_("Confirmed details only the customer knows"),
    N_("Signed letter from the address we hold"),
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class _FormDialog(FormDialog):
    """The request dialogs: an intro, a form, wider than most."""

    def __init__(self, title: str, intro: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(title, ok_text, parent, intro=intro, minimum_width=580)


class NewRequestDialog(_FormDialog):
    """Register a request the day it arrives: the legal clock starts on the received date, not today."""

    def __init__(self, context: SessionContext, today: date, parent: QWidget | None = None) -> None:
        super().__init__(
            _("New privacy request"),
            _(
                "Register the request as soon as it arrives. Link the customer if you can find them; "
                "otherwise write down the name the person gave."
            ),
            _("&Register request"),
            parent,
        )
        self.context = context
        self.service = RequestService(context.session)
        self.request_id: int | None = None
        self.type = QComboBox(self)
        for code in TYPES:
            self.type.addItem(request_type_label(code), code)
        self.jurisdiction = QComboBox(self)
        for code in JURISDICTION_CODES:
            self.jurisdiction.addItem(jurisdiction_label(code), code)
        self.channel = QComboBox(self)
        for code in CHANNEL_CODES:
            self.channel.addItem(channel_label(code), code)
        self.received = QDateEdit(_qdate(today), self)
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("yyyy-MM-dd")
        self.received.setMaximumDate(_qdate(today))
        self.due = QLabel(self)
        self.customer = CustomerPicker(context, self)
        self.requester = QLineEdit(self)
        self.requester.setMaxLength(200)
        self.requester.setPlaceholderText(_("If the customer is not found, or for someone asking on their behalf"))
        self.row(_("&Type:"), self.type)
        self.row(_("&Law:"), self.jurisdiction)
        self.row(_("&Arrived by:"), self.channel)
        self.row(_("Recei&ved on:"), self.received)
        self.form.addRow(_("Answer by:"), self.due)
        self.row(_("C&ustomer:"), self.customer)
        self.row(_("Re&quester's name:"), self.requester)
        self.finish_layout()
        for signal in (self.jurisdiction.currentIndexChanged, self.received.dateChanged):
            signal.connect(lambda *_args: self._show_due())
        self._show_due()

    def _show_due(self) -> None:
        due = due_date(str(self.jurisdiction.currentData()), _day(self.received), pipl_days=self.service.pipl_days())
        self.due.setText(
            _("{date} (the law's deadline; it can be extended once, with a reason)").format(date=due.isoformat())
        )

    def submit(self) -> None:
        if self.context.busy:
            return
        try:
            self.request_id = self.service.create(
                str(self.type.currentData()),
                str(self.jurisdiction.currentData()),
                contact_id=self.customer.contact_id(),
                requester=self.requester.text(),
                channel=str(self.channel.currentData()),
                received=_day(self.received),
            )
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()
        self.accept()

    def clear(self) -> None:
        self.requester.clear()
        self.customer.choose(0, "")


class IdentityDialog(_FormDialog):
    """Record how the person proved who they are; the customer can be linked now if it was not yet."""

    def __init__(
        self, context: SessionContext, request: SubjectRequest, parent: QWidget | None = None, *, who: str | None = None
    ) -> None:
        super().__init__(
            _("Record the identity check"),
            _(
                "Before answering, make sure the person is who they say they are. Ask for no more than "
                "you need: if they can already be recognised from what you hold, that is enough."
            ),
            _("&Record check"),
            parent,
        )
        self.context = context
        self.request = request
        self.method = QComboBox(self)
        self.method.setEditable(True)
        for method in IDENTITY_METHODS:
            self.method.addItem(_(method))
        self.method.setCurrentText(request.identity_method or "")
        self.customer: CustomerPicker | None = None
        self.form.addRow(
            _("Request:"),
            QLabel(
                _("No. {id}, {person}").format(
                    id=request.id, person=who or person_label(request.contact_id, request.requester)
                ),
                self,
            ),
        )
        self.row(_("&How it was checked:"), self.method)
        if request.contact_id is None:
            self.customer = CustomerPicker(context, self)
            self.row(_("&Link customer:"), self.customer)
        self.finish_layout()

    def submit(self) -> None:
        if self.context.busy:
            return
        contact_id = self.customer.contact_id() if self.customer is not None else None
        try:
            RequestService(self.context.session).verify_identity(self.request.id, self.method.currentText(), contact_id)
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()
        self.accept()


@dataclass(frozen=True)
class ExportChoice:
    pdf: bool
    zip: bool
    language: str
    password: str | None


class ExportDialog(_FormDialog):
    """What to hand over: a readable PDF for the person, a ZIP for another system, in their language."""

    def __init__(self, context: SessionContext, request: SubjectRequest, parent: QWidget | None = None) -> None:
        super().__init__(
            _("Export the person's data"),
            _(
                "The PDF is the copy for the person to read. The ZIP holds the same data as JSON and "
                "CSV files for another system (portability). A PDF password protects it on its way; "
                "tell the person the password by another route (phone, in person)."
            ),
            _("&Choose where to save…"),
            parent,
        )
        self.context = context
        self.request = request
        self.pdf = QCheckBox(_("A &PDF for the person"), self)
        self.pdf.setChecked(True)
        self.zip = QCheckBox(_("A &ZIP file for another system (JSON and CSV)"), self)
        self.zip.setChecked(request.type == "portability")
        self.language = QComboBox(self)
        for code in SUPPORTED_LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        known = ContactService(context.session).language_of(request.contact_id) if request.contact_id else None
        self.language.setCurrentIndex(max(0, self.language.findData(supported_language(known))))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_("optional"))
        self.repeat = QLineEdit(self)
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(_("Files:"), self.pdf)
        self.form.addRow("", self.zip)
        self.row(_("&Language:"), self.language)
        self.row(_("PDF pass&word:"), self.password)
        self.row(_("&Repeat password:"), self.repeat)
        self.password.setAccessibleName(_("Password for the PDF (optional)"))
        self.repeat.setAccessibleName(_("Repeat the password for the PDF"))
        self.pdf.toggled.connect(self._update)
        self.finish_layout()
        self.choice: ExportChoice | None = None
        self._update()

    def _update(self) -> None:
        for field in (self.password, self.repeat):
            field.setEnabled(self.pdf.isChecked())

    def submit(self) -> None:
        if not self.pdf.isChecked() and not self.zip.isChecked():
            self.message.show_error(_("Choose a PDF, a ZIP or both."))
            return
        password = self.password.text() if self.pdf.isChecked() else ""
        if password != (self.repeat.text() if self.pdf.isChecked() else ""):
            self.message.show_error(_("The two passwords differ."))
            return
        self.choice = ExportChoice(
            self.pdf.isChecked(), self.zip.isChecked(), str(self.language.currentData()), password or None
        )
        self.password.clear()
        self.repeat.clear()
        self.accept()


class CompleteDialog(_FormDialog):
    """Close a request as done. For an erasure this is the moment the person is erased: say so plainly."""

    def __init__(self, request: SubjectRequest, parent: QWidget | None = None, *, who: str | None = None) -> None:
        erasure = request.type == "erasure"
        super().__init__(
            _("Erase the person and complete the request") if erasure else _("Complete the request"),
            "",
            _("&Erase everywhere and complete") if erasure else _("&Complete request"),
            parent,
        )
        self.request = request
        who = who or person_label(request.contact_id, request.requester)
        self.warning = MessageLine(self)
        if erasure:
            self.warning.show_warning(
                _(
                    "{who} will be erased everywhere in Counterpart: their details, notes, activities, tags, consent "
                    "records and the search index; deals keep only their amounts and dates. A backup restored later "
                    "erases them again. The request stays in the register as the record that you answered it. This "
                    "cannot be undone."
                ).format(who=who)
            )
        elif request.type == "restriction":
            self.warning.show_info(
                _(
                    "The data of {who} will be restricted: kept, but left out of marketing lists, "
                    "exports and the retention sweep until an owner or manager lifts the restriction "
                    "on their record. What you write below is kept as its reason."
                ).format(who=who)
            )
        elif request.type == "objection":
            self.warning.show_info(
                _(
                    "Every marketing purpose of {who} (email, SMS, phone, post, profiling) will be "
                    "withdrawn, with this request as the source."
                ).format(who=who)
            )
        else:
            self.warning.show_info(
                _(
                    "Request no. {id} for {who} will be marked as answered. Make sure the person "
                    "has been given what they asked for."
                ).format(id=request.id, who=who)
            )
        self.body.insertWidget(0, self.warning)
        self.response = QPlainTextEdit(self)
        self.response.setTabChangesFocus(True)
        self.response.setMaximumHeight(self.fontMetrics().height() * 5)
        self.response.setPlaceholderText(
            _("e.g. Confirmed the erasure by email")
            if erasure
            else _("e.g. Contests the address; restricted while we check it")
            if request.type == "restriction"
            else _("e.g. Copy handed over at the counter")
        )
        self.row(_("What you told the person (o&ptional):"), self.response)
        self.finish_layout()
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if erasure:  # Enter must not erase someone: the safe button is the default
            self.ok_button.setDefault(False)
            self.ok_button.setAutoDefault(False)
            cancel.setDefault(True)
            cancel.setFocus()

    def submit(self) -> None:
        self.accept()

    def response_text(self) -> str:
        return self.response.toPlainText().strip()
