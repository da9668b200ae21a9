"""Print a paper consent form: choose its language, save the PDF where staff choose, then open it to print.

The PDF is written on a worker (reportlab). It holds the customer's name, so the dialog says to delete it
after printing; the vault keeps no copy, only an audit entry with the form's reference code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QMessageBox, QVBoxLayout, QWidget

from app.crm.contacts import ContactService
from app.locale import _
from app.locale.i18n import SUPPORTED_LANGUAGES
from app.vault.location import documents_folder
from ui.consent.labels import LANGUAGE_NAMES, supported_language
from ui.dialogs import ask_save_path, confirm
from ui.operation import message_for
from ui.operations.consent import form_for_printer, save_form
from ui.printing import print_pdf
from ui.session_context import SessionContext
from ui.widgets import MessageLine, busy_bar, paragraph


class PrintFormDialog(QDialog):
    """Emits `accepted` once the PDF is saved; `last_code` is its reference code."""

    def __init__(self, context: SessionContext, contact_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Print a consent form"))
        self.context = context
        self.contact_id = contact_id
        self.last_code = ""
        self.saved_box: QMessageBox | None = None
        self.language = QComboBox(self)
        self.language.setAccessibleName(_("Language of the form"))
        for code in SUPPORTED_LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        preferred = ContactService(context.session).language_of(contact_id) if contact_id is not None else None
        self.language.setCurrentIndex(max(0, self.language.findData(supported_language(preferred))))
        form = QFormLayout()
        form.addRow(_("Form &language:"), self.language)
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.addButton(_("&Save PDF…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button = self.buttons.addButton(_("&Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_now)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.choose_path)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "The form shows the current notice text in the chosen language and one box per "
                    "purpose, none of them ticked. It is saved as a PDF for you to print; it "
                    "carries the customer's name, so delete the file after printing."
                ),
                self,
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def choose_path(self) -> None:
        folder = documents_folder()
        suggested = folder / _("consent-form-{day}.pdf").format(day=date.today().isoformat())
        ask_save_path(
            self, _("Save the consent form"), suggested, _("PDF files (*.pdf)"), self.write, default_suffix="pdf"
        )

    def write(self, path: Path) -> None:
        """Write the PDF on a worker; the vault's connection is the worker's until it is done."""
        if self.context.busy:
            return
        session, language, contact_id = self.context.session, str(self.language.currentData()), self.contact_id
        self.busy.show()
        self.message.clear()
        self.save_button.setEnabled(False)
        self.context.run(
            save_form(session, path, language, contact_id),
            description=_("Writing the consent form…"),
            changes_data=False,
            on_done=lambda code: self._written(path, str(code)),
            on_error=self._failed,
        )

    def print_now(self) -> None:
        """Straight to the printer: the form is made in memory, so no file with the customer's name is left."""
        if self.context.busy:
            return
        session, language, contact_id = self.context.session, str(self.language.currentData()), self.contact_id
        self.busy.show()
        self.message.clear()
        self.context.run(
            form_for_printer(session, language, contact_id),
            description=_("Writing the consent form…"),
            changes_data=False,
            on_done=self._print_ready,
            on_error=self._failed,
        )

    def _print_ready(self, result: object) -> None:
        self.busy.hide()
        assert isinstance(result, tuple)
        pdf, code = result
        self.last_code = str(code)
        if print_pdf(bytes(pdf), self, _("Print a consent form")):
            self.accept()

    def _written(self, path: Path, code: str) -> None:
        self.busy.hide()
        self.save_button.setEnabled(True)
        self.last_code = code
        parent = self.parentWidget() or self
        self.accept()

        def open_pdf() -> None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self.saved_box = confirm(
            parent,
            _("Consent form saved"),
            _("Saved the form (reference {code}) to {path}.").format(code=code, path=path),
            _("&Open to print"),
            open_pdf,
            _("It opens in your PDF viewer; print it from there. Delete the file once printed."),
        )

    def _failed(self, exc: object) -> None:
        self.busy.hide()
        self.save_button.setEnabled(True)
        self.message.show_error(message_for(exc))
