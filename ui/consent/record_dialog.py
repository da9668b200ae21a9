"""Staff record what a customer said at the counter or signed on paper: one ledger event per ticked purpose.

Nothing is pre-ticked here either: staff tick exactly what the person agreed to or took back. A scanned paper
form is read into memory and stored in the vault as evidence (never copied anywhere else).
"""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.consent.jurisdiction import bases_for, needs_parent, person_law
from app.consent.ledger import MAX_EVIDENCE_BYTES, ConsentService, Notice
from app.crm.contacts import ContactService
from app.errors import CounterpartError
from app.locale import _
from ui.consent.labels import add_language_items, purpose_name, supported_language
from ui.dialogs import ask_open_path
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph, path_field, show_path

SCAN_FILTER_EXTENSIONS = "*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.webp"


class RecordConsentDialog(QDialog):
    def __init__(self, context: SessionContext, contact_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Record consent"))
        self.context = context
        self.contact_id = contact_id
        self.service = ConsentService(context.session)
        self.scan: tuple[str, bytes] | None = None  # media type, bytes
        self.boxes: dict[str, QCheckBox] = {}

        intro = paragraph(
            _(
                "Record what the customer told you, or what they signed on a paper form. Each ticked "
                "purpose becomes one entry in the consent record; earlier entries are never changed."
            ),
            self,
        )
        purposes = QGroupBox(_("Purposes"), self)
        purpose_layout = QVBoxLayout(purposes)
        bases = bases_for(person_law(context.session.conn, contact_id))  # PIPL: no legitimate interests
        for purpose in self.service.purposes():
            if purpose.lawful_basis != "consent" and purpose.lawful_basis in bases:
                continue  # nothing to ask: another lawful basis covers it
            text = purpose_name(purpose)
            if purpose.separate_consent:
                text = _("{purpose} (separate consent)").format(purpose=text)
            box = QCheckBox(text, purposes)
            box.setAccessibleName(text)
            self.boxes[purpose.key] = box
            purpose_layout.addWidget(box)

        self.granted = QRadioButton(_("&Gave consent"), self)
        self.withdrawn = QRadioButton(_("&Withdrew consent"), self)
        self.granted.setChecked(True)
        decision = QButtonGroup(self)
        for button in (self.granted, self.withdrawn):
            decision.addButton(button)
        self.verbal = QRadioButton(_("Told me in person or on the &phone"), self)
        self.paper = QRadioButton(_("&Signed a paper form"), self)
        self.verbal.setChecked(True)
        method = QButtonGroup(self)
        for button in (self.verbal, self.paper):
            method.addButton(button)

        self.language = QComboBox(self)
        self.language.setAccessibleName(_("Language of the form"))
        add_language_items(self.language)
        customer_language = supported_language(ContactService(context.session).language_of(contact_id))
        self.language.setCurrentIndex(max(0, self.language.findData(customer_language)))
        self.notice_label = QLabel(self)
        self.notice_label.setWordWrap(True)
        self.attach_button = QPushButton(_("&Attach scanned form…"), self)
        self.attach_button.setAccessibleName(_("Attach a scan of the signed form"))
        self.attach_button.clicked.connect(self.choose_scan)
        self.remove_scan_button = QPushButton(_("Re&move"), self)
        self.remove_scan_button.setAccessibleName(_("Remove the attached scan"))
        self.remove_scan_button.clicked.connect(lambda: self.set_scan(None))
        self.scan_field = path_field(_("Attached scan"), self)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.attach_button)
        scan_row.addWidget(self.scan_field, 1)
        scan_row.addWidget(self.remove_scan_button)

        form = QFormLayout()
        form.addRow(_("The customer:"), self._row(self.granted, self.withdrawn))
        form.addRow(_("How:"), self._column(self.verbal, self.paper))
        language_label = QLabel(_("Form &language:"), self)
        language_label.setBuddy(self.language)
        form.addRow(language_label, self.language)
        form.addRow(_("Notice on the form:"), self.notice_label)
        form.addRow(_("Scan (optional):"), scan_row)
        # A child (birthday known, under the age their law sets): the consent is a parent's (GDPR Art. 8, PIPL 31)
        self.child_age = needs_parent(context.session.conn, contact_id, datetime.now(UTC).date())
        self.parent_name = QLineEdit(self)
        self.parent_name.setAccessibleName(_("Name of the parent or guardian"))
        self.parent_relation = QLineEdit(self)
        self.parent_relation.setAccessibleName(_("How the parent or guardian is related"))
        self.parent_relation.setPlaceholderText(_("e.g. mother, father, legal guardian"))
        if self.child_age is not None:
            form.addRow(
                paragraph(
                    _(
                        "This customer is under {age}: a parent or guardian gives the consent. Record who gave it."
                    ).format(age=self.child_age),
                    self,
                )
            )
            form.addRow(_("Parent or guar&dian:"), self.parent_name)
            form.addRow(_("Relatio&n:"), self.parent_relation)
        else:
            self.parent_name.hide()
            self.parent_relation.hide()

        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton(_("&Record"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(purposes)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.paper.toggled.connect(lambda _on: self._update())
        self.language.currentIndexChanged.connect(lambda _i: self._update())
        self.set_scan(None)

    def _row(self, *widgets: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _column(self, *widgets: QWidget) -> QVBoxLayout:
        column = QVBoxLayout()
        for widget in widgets:
            column.addWidget(widget)
        return column

    def current_notice(self) -> Notice | None:
        return self.service.current_notice(str(self.language.currentData()))

    def _update(self) -> None:
        """The form's language and scan matter only for a paper form."""
        paper = self.paper.isChecked()
        for widget in (self.language, self.notice_label, self.attach_button, self.scan_field):
            widget.setEnabled(paper)
        self.remove_scan_button.setEnabled(paper and self.scan is not None)
        notice = self.current_notice() if paper else None
        if not paper:
            self.notice_label.setText(_("Not needed when the customer told you."))
        elif notice is None:
            self.notice_label.setText(_("There is no notice text yet; publish one in Privacy › Consent first."))
        else:
            self.notice_label.setText(
                _("“{title}”, version {version} (check it matches the version printed on the form)").format(
                    title=notice.title, version=notice.version
                )
            )

    # --- the scan ------------------------------------------------------------------------------------------

    def choose_scan(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        ask_open_path(
            self,
            _("Attach a scanned form"),
            Path(folder or Path.home()),
            _("Scans ({patterns});;All files (*)").format(patterns=SCAN_FILTER_EXTENSIONS),
            self.set_scan,
        )

    def set_scan(self, path: Path | None) -> None:
        """Read the chosen file into memory now, so the vault gets exactly what was chosen."""
        self.message.clear()
        if path is None:
            self.scan = None
            show_path(self.scan_field, _("none"))
        else:
            try:
                size = path.stat().st_size
                if size > MAX_EVIDENCE_BYTES:
                    self.message.show_error(_("The scan is larger than 20 MB; scan it at a lower resolution."))
                    return
                data = path.read_bytes()
            except OSError as exc:
                self.message.show_error(_("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror))
                return
            self.scan = (mimetypes.guess_type(path.name)[0] or "application/octet-stream", data)
            show_path(self.scan_field, str(path))
        self._update()

    # --- recording -----------------------------------------------------------------------------------------

    def ticked(self) -> list[str]:
        return [key for key, box in self.boxes.items() if box.isChecked()]

    def submit(self) -> None:
        if self.context.busy:
            return
        keys = self.ticked()
        if not keys:
            self.message.show_error(_("Tick at least one purpose."))
            return
        paper = self.paper.isChecked()
        notice = self.current_notice() if paper else None
        granted = self.granted.isChecked()
        guardian = None
        if granted and self.child_age is not None:
            guardian = (self.parent_name.text(), self.parent_relation.text())
            if not (guardian[0].strip() and guardian[1].strip()):
                self.message.show_error(_("Name the parent or guardian who consents, and how they are related."))
                return
        try:
            evidence_id = None
            if paper and self.scan is not None:
                evidence_id = self.service.store_evidence(self.contact_id, "scan", self.scan[0], self.scan[1])
            for key in keys:
                self.service.record(
                    self.contact_id,
                    key,
                    granted,
                    "paper" if paper else "verbal",
                    notice_id=notice.id if notice else None,
                    evidence_id=evidence_id,
                    guardian=guardian,
                )
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            self.context.changed.emit()  # some entries may have been written before the error
            return
        self.scan = None
        self.context.changed.emit()
        self.accept()
