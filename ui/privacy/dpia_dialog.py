"""The impact assessment: what the vault filled in, the owner's four answers, Save and Save as PDF
(app.privacy.dpia, app.documents.dpia_document)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.errors import CounterpartError
from app.locale import _, current_language
from app.privacy.dpia import OWNER_FIELDS, Assessment, DpiaService
from app.vault.location import documents_folder
from ui.dialogs import ask_save_path
from ui.form_dialog import SubmitDialog
from ui.privacy.common import error_text
from ui.session_context import SessionContext
from ui.widgets import paragraph


class DpiaDialog(SubmitDialog):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(_("Impact assessment"), _("Save a new version"), parent)
        self.context = context
        self.service = DpiaService(context.session)
        draft = self.service.draft(current_language())
        latest = self.service.latest()
        body = QVBoxLayout(self)
        body.addWidget(
            paragraph(
                _(
                    "GDPR Article 35 and PIPL Articles 55–56 ask for an assessment before processing "
                    "that is risky for people. The program filled in what it knows; write the "
                    "rest. Each saved version is kept for at least 3 years."
                ),
                self,
            )
        )
        purposes = _(", ").join(name for name, _basis in draft.purposes)
        # Read-only and scrolling, so the form keeps its height however many purposes there are
        self.prefilled = QPlainTextEdit(
            _("Purposes: {purposes}.\nData: {data}.").format(
                purposes=purposes or "—", data=_(", ").join(draft.data_categories)
            ),
            self,
        )
        self.prefilled.setReadOnly(True)
        self.prefilled.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.prefilled.setAccessibleName(_("What the program filled in"))
        self.prefilled.setMaximumHeight(self.fontMetrics().height() * 4 + 12)
        body.addWidget(self.prefilled)
        self.version = QLabel(self)
        self.version.setWordWrap(True)
        body.addWidget(self.version)
        self.show_version(latest)
        self.fields: dict[str, QPlainTextEdit] = {}
        for key, (heading, hint) in OWNER_FIELDS.items():
            label = QLabel(_(heading), self)
            field = QPlainTextEdit(draft.answers.get(key, ""), self)
            field.setTabChangesFocus(True)
            field.setPlaceholderText(_(hint))
            field.setAccessibleName(_(heading))
            field.setMaximumHeight(self.fontMetrics().height() * 4 + 12)
            label.setBuddy(field)
            body.addWidget(label)
            body.addWidget(field)
            self.fields[key] = field
        self.pdf_button = QPushButton(_("Save as PDF…"), self)
        self.pdf_button.clicked.connect(self.ask_pdf)
        self.pdf_button.setEnabled(latest is not None)
        self.pdf_button.setToolTip(_("The latest saved version, as a document to print and keep."))
        self.buttons.addButton(self.pdf_button, self.buttons.ButtonRole.ActionRole)
        self.chooser: QFileDialog | None = None
        body.addWidget(self.message)
        body.addWidget(self.buttons)
        self.setMinimumWidth(620)

    def show_version(self, latest: Assessment | None) -> None:
        self.version.setText(
            _("No version saved yet.")
            if latest is None
            else _("Version no. {id}, saved by {user} on {date}; kept until {until}.").format(
                id=latest.id,
                user=latest.saved_by,
                date=(latest.saved_at or "")[:10],
                until=(latest.keep_until or "")[:10],
            )
        )

    def answers(self) -> dict[str, str]:
        return {key: field.toPlainText() for key, field in self.fields.items()}

    def submit(self) -> None:
        if self.context.busy:
            return
        try:
            saved = self.service.save(self.answers(), current_language())
        except CounterpartError as exc:
            self.refuse(str(exc), self.fields["risks"])
            return
        self.show_version(saved)
        self.pdf_button.setEnabled(True)
        self.message.show_info(_("Saved version no. {id}.").format(id=saved.id))
        self.context.changed.emit()

    def ask_pdf(self) -> None:
        suggested = documents_folder() / _("impact-assessment.pdf")
        self.chooser = ask_save_path(
            self,
            _("Save the impact assessment"),
            suggested,
            _("PDF documents (*.pdf)"),
            self.write_pdf,
            default_suffix="pdf",
        )

    def write_pdf(self, path: Path) -> None:
        from app.documents.dpia_document import write_dpia  # reportlab on use

        if self.context.busy:
            return
        try:
            latest = self.service.latest()
            if latest is None:
                return
            write_dpia(path, latest)
            self.context.session.record("dpia.print", "impact_assessment", latest.id)
        except (CounterpartError, OSError) as exc:
            self.message.show_error(error_text(exc))
            return
        self.message.show_info(_("Saved the impact assessment to {path}.").format(path=path))
