"""Import customers from another tool's CSV export or a vCard file: choose the file, see what it holds and
what importing it would do (a dry run over the whole file, on the worker), adjust the column mapping, then
import everything good in one all-or-nothing transaction.

Rows left out are named by line with the reason; the service never quotes a file's values in its reasons.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# The rule the service uses to name people (family name first in Chinese, Japanese, Korean); private in app/
# today, so a preview shows names as they will be saved.
from app.crm.contacts import _display_name as display_name
from app.crm.importing.layouts import BY_KEY, FIELDS
from app.crm.importing.model import ImportPreview, ImportReport, ParsedRow
from app.crm.importing.service import FORMATS
from app.locale import _, ngettext
from ui.customers.import_changes import CHANGES_SHOWN, ImportChanges
from ui.dialogs import ask_open_path
from ui.operation import Operation, OperationCancelled, message_for
from ui.operations.customers import import_file, preview_import
from ui.session_context import SessionContext
from ui.widgets import MessageLine, busy_bar, path_field, show_path

PREVIEW_ROWS = 20
MESSAGES_SHOWN = 200


def format_label(key: str) -> str:
    if key == "auto":
        return _("Detect automatically")
    if key == "vcard":
        return _("vCard (.vcf)")
    if key == "generic":
        return _("Other CSV (recognisable column names)")
    layout = BY_KEY.get(key)
    return _("{product} export").format(product=layout.label) if layout is not None else key


def field_label(field: str) -> str:
    words = {
        "name": _("Full name"),
        "given_name": _("Given name"),
        "middle_name": _("Middle name"),
        "family_name": _("Family name"),
        "email": _("Email"),
        "phone": _("Phone"),
        "organisation": _("Organisation"),
        "job_title": _("Job title"),
        "note": _("Note"),
        "tags": _("Tags"),
        "address": _("Address (whole)"),
        "street": _("Street"),
        "city": _("City"),
        "region": _("Region"),
        "postcode": _("Postcode"),
        "country": _("Country"),
        "consent": _("Marketing choice"),
        "label": _("Label of an email, phone or address"),
        "source_id": _("Customer ID in the source"),
        "birth_date": _("Birthday"),
        "total_spent": _("Total spent"),
        "order_count": _("Number of orders"),
    }
    return words.get(field, field)


def row_status(row: ParsedRow) -> str:
    if row.problem is not None:
        return _("Left out: {reason}").format(reason=row.problem)
    if row.match is not None and row.duplicate is not None:
        return _("Already a customer: {reason}").format(reason=row.duplicate.reason())
    if row.duplicate is not None:
        return _("Possible duplicate: {reason}").format(reason=row.duplicate.reason())
    return _("Will be imported")


def summary_text(report: ImportReport) -> str:
    parts = [
        ngettext("{n} customer will be imported.", "{n} customers will be imported.", report.imported).format(
            n=report.imported
        )
    ]
    if report.matched:
        parts.append(
            ngettext(
                "{n} row names a customer already there: empty fields are filled and new details "
                "added; where a value they have differs, you choose below which one stays.",
                "{n} rows name customers already there: empty fields are filled and new details "
                "added; where a value they have differs, you choose below which one stays.",
                report.matched_count,
            ).format(n=report.matched_count)
        )
    if report.birthdays:  # #16: each said only when the file brings it (for new and matched customers alike)
        parts.append(
            ngettext(
                "The file gives a birthday for {n} customer.",
                "The file gives birthdays for {n} customers.",
                report.birthdays,
            ).format(n=report.birthdays)
        )
    if report.purchases:
        parts.append(
            ngettext(
                "The file gives the shop's total spent or order count for {n} customer.",
                "The file gives the shop's total spent or order count for {n} customers.",
                report.purchases,
            ).format(n=report.purchases)
        )
    if report.totals_replaced:
        parts.append(
            ngettext(
                "The shop's totals of {n} customer already there are replaced by the file's newer ones.",
                "The shop's totals of {n} customers already there are replaced by the file's newer ones.",
                report.totals_replaced,
            ).format(n=report.totals_replaced)
        )
    if report.repeat_count:  # counts, not the lists: those hold the first 1,000 of each kind
        parts.append(
            ngettext(
                "{n} row looks like a customer already there (or earlier in the file) and is left out.",
                "{n} rows look like customers already there (or earlier in the file) and are left out.",
                report.repeat_count,
            ).format(n=report.repeat_count)
        )
    if report.bad_count:
        parts.append(
            ngettext(
                "{n} row has a problem and is left out.", "{n} rows have problems and are left out.", report.bad_count
            ).format(n=report.bad_count)
        )
    if report.warning_count:
        parts.append(
            ngettext(
                "{n} detail cannot be read and is left out.",
                "{n} details cannot be read and are left out.",
                report.warning_count,
            ).format(n=report.warning_count)
        )
    if report.unchecked_count:
        parts.append(
            ngettext(
                "{n} email or phone number cannot be checked; it is kept as typed and marked unchecked.",
                "{n} emails or phone numbers cannot be checked; they are kept as typed and marked unchecked.",
                report.unchecked_count,
            ).format(n=report.unchecked_count)
        )
    if report.unused_columns:
        parts.append(
            ngettext(
                "The column {columns} fills nothing and is not imported.",
                "The columns {columns} fill nothing and are not imported.",
                len(report.unused_columns),
            ).format(columns=", ".join(report.unused_columns))
        )
    return " ".join(parts)


def outcome_text(report: ImportReport) -> str:
    """What an import did, for the line the page shows afterwards."""
    parts = [
        ngettext("Imported {n} customer.", "Imported {n} customers.", len(report.contact_ids)).format(
            n=len(report.contact_ids)
        )
    ]
    if report.updated:
        parts.append(
            ngettext("Updated {n} customer.", "Updated {n} customers.", report.updated).format(n=report.updated)
        )
    if report.replaced:
        parts.append(
            ngettext(
                "{n} value was replaced by the file's.", "{n} values were replaced by the file's.", len(report.replaced)
            ).format(n=len(report.replaced))
        )
    if report.skipped:
        parts.append(
            ngettext("{n} row was left out.", "{n} rows were left out.", report.skipped).format(n=report.skipped)
        )
    if report.consents_stored:
        parts.append(
            ngettext(
                "{n} marketing choice was recorded as consent.",
                "{n} marketing choices were recorded as consent.",
                report.consents_stored,
            ).format(n=report.consents_stored)
        )
    return " ".join(parts)


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportReport, after the customers are in the vault

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(_("Import customers"))
        self.path: Path | None = None
        self.running: Operation[object] | None = None  # reading or importing the file (Cancel stops it)
        self.importing = False
        self.last_preview: ImportPreview | None = None
        self.mapping: dict[str, str] = {}
        self._build()
        self.resize(960, 760)
        self._update_buttons()

    # --- building ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.file = path_field(_("File to import"), self)
        self.choose_button = QPushButton(_("&Choose file…"), self)
        self.choose_button.clicked.connect(self.choose_file)
        self.format = QComboBox(self)
        self.format.setAccessibleName(_("Format of the file"))
        for key in FORMATS:
            self.format.addItem(format_label(key), key)
        self.format.currentIndexChanged.connect(lambda _i: self.check())
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow(_("File:"), file_row)
        format_label_widget = QLabel(_("&Format:"), self)
        format_label_widget.setBuddy(self.format)
        form.addRow(format_label_widget, self.format)
        self.detected = QLabel(self)
        form.addRow("", self.detected)

        self.columns = QTableWidget(0, 2, self)
        self.columns.setAccessibleName(_("Columns of the file and what each fills"))
        self.columns.setHorizontalHeaderLabels([_("Column in the file"), _("Fills")])
        self.columns.verticalHeader().hide()
        self.columns.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.rows = QTableWidget(0, 5, self)
        self.rows.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.rows.setAccessibleName(_("The first records of the file"))
        self.rows.setHorizontalHeaderLabels([_("Line"), _("Name"), _("Email"), _("Phone"), _("What happens")])
        self.rows.verticalHeader().hide()
        self.rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rows.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.rows.horizontalHeader().setStretchLastSection(True)
        tables = QHBoxLayout()
        tables.addWidget(self.columns, 3)
        tables.addWidget(self.rows, 5)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.messages = QListWidget(self)
        self.messages.setAccessibleName(_("Rows and details left out, by line"))
        self.messages.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.keep_duplicates = QCheckBox(self)
        self.keep_duplicates.toggled.connect(lambda _on: self._update_buttons())
        self.keep_duplicates.hide()
        self.changes = ImportChanges(self)
        self.consent_note = QLabel(self)
        self.consent_note.setWordWrap(True)
        self.consent_note.hide()
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.addButton(_("&Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(tables, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.messages)
        layout.addWidget(self.keep_duplicates)
        layout.addWidget(self.consent_note)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    # --- choosing and checking -----------------------------------------------------------------------------

    def choose_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        ask_open_path(
            self,
            _("Choose a file to import"),
            Path(folder or Path.home()),
            _("Customer files (*.csv *.txt *.vcf *.vcard);;All files (*)"),
            self.set_file,
        )

    def set_file(self, path: Path) -> None:
        self.path = path
        self.mapping = {}
        show_path(self.file, str(path))
        self.check()

    def check(self) -> None:
        """Read the whole file as a dry run (on the worker) and show what importing it would do."""
        if self.path is None or self.context.busy or not self.context.is_open:
            return
        session, path, fmt, mapping = self.context.session, self.path, self._format(), dict(self.mapping) or None
        self._start(_("Reading the file…"))
        self.importing = False
        self.running = self.context.run(
            preview_import(session, path, fmt, PREVIEW_ROWS, mapping, CHANGES_SHOWN),
            description=_("Checking the file…"),
            on_done=lambda result: self.show_preview(*result),
            on_error=self._failed,
            changes_data=False,
        )

    def _format(self) -> str:
        return str(self.format.currentData())

    def show_preview(self, preview: ImportPreview, names: dict[int, str] | None = None) -> None:
        self._stop()
        self.last_preview = preview
        self.detected.setText(
            _("Read as: {format}, {encoding}.").format(format=preview.format_label, encoding=preview.encoding)
        )
        self._show_columns(preview)
        self.rows.setRowCount(len(preview.rows))
        for r, row in enumerate(preview.rows):
            contact = row.contact
            emails = [p.value for p in contact.points if p.kind == "email"] if contact else []
            phones = [p.value for p in contact.points if p.kind == "phone"] if contact else []
            name = (contact.display_name or display_name(contact.given_name, contact.family_name)) if contact else ""
            for c, text in enumerate((str(row.line), name, ", ".join(emails), ", ".join(phones), row_status(row))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.rows.setItem(r, c, item)
        report = preview.report
        self.summary.setText(summary_text(report))
        self.changes.show_report(report, names or {})
        self.messages.clear()
        messages = report.messages()
        for line, text in messages[:MESSAGES_SHOWN]:
            self.messages.addItem(_("Line {line}: {message}").format(line=line, message=text))
        more = max(len(messages) - MESSAGES_SHOWN, 0) + report.left_out
        if more:
            self.messages.addItem(_("… and {n} more.").format(n=more))
        self.messages.setVisible(bool(messages))
        self.keep_duplicates.setChecked(False)
        self.keep_duplicates.setText(
            ngettext(
                "Import the {n} possible duplicate as well",
                "Import the {n} possible duplicates as well",
                report.duplicate_count,
            ).format(n=report.duplicate_count)
        )
        self.keep_duplicates.setVisible(bool(report.duplicates))
        self.consent_note.setText(
            ngettext(
                "The file states {n} marketing choice (such as accepting email marketing). It goes into the "
                "customer's consent history, with this file named as where it came from.",
                "The file states {n} marketing choices (such as accepting email marketing). They go into the "
                "customers' consent history, with this file named as where they came from.",
                report.consents_found,
            ).format(n=report.consents_found)
        )
        self.consent_note.setVisible(report.consents_found > 0)
        self._update_buttons()

    def _show_columns(self, preview: ImportPreview) -> None:
        self.columns.setRowCount(len(preview.columns))
        self.columns.setVisible(bool(preview.columns))  # a vCard has properties, not columns
        for r, column in enumerate(preview.columns):
            header = QTableWidgetItem(column.header)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.columns.setItem(r, 0, header)
            combo = QComboBox(self.columns)
            combo.setAccessibleName(_("What the column {column} fills").format(column=column.header))
            combo.addItem(_("(not imported)"), "")
            if column.field and column.field not in FIELDS:
                combo.addItem(field_label(column.field), None)  # read by the layout; not a choice a person makes
            for field in FIELDS:
                combo.addItem(field_label(field), field)
            combo.setCurrentIndex(
                max(combo.findData(column.field if column.field in FIELDS or not column.field else None), 0)
            )
            combo.activated.connect(lambda _i, h=column.header, c=combo: self._remap(h, c.currentData()))
            self.columns.setCellWidget(r, 1, combo)

    def _remap(self, header: str, field: str | None) -> None:
        if field is None:
            self.mapping.pop(header, None)
        else:
            self.mapping[header] = field
        self.check()

    # --- importing -----------------------------------------------------------------------------------------

    def start_import(self) -> None:
        preview = self.last_preview
        if preview is None or self.path is None or self.context.busy or not self.import_button.isEnabled():
            return
        session, path, fmt, mapping = self.context.session, self.path, self._format(), dict(self.mapping) or None
        keep = self.keep_duplicates.isChecked()  # every one, also those beyond the first 1,000 listed
        overwrite = self.changes.overwrite()

        self._start(_("Importing…"))
        operation = self.context.run(
            import_file(session, path, fmt, mapping, keep, overwrite),
            description=_("Importing customers…"),
            on_done=self._imported,
            on_error=self._failed,
        )
        self.running, self.importing = operation, True
        operation.progressed.connect(
            lambda done, _total: self.summary.setText(_("Imported {n} customers so far…").format(n=done))
        )

    def _imported(self, report: ImportReport) -> None:
        self._stop()
        self.imported.emit(report)
        self.accept()

    # --- state ---------------------------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self.message.clear()
        self.summary.setText(text)
        self.busy.show()
        for widget in (
            self.choose_button,
            self.format,
            self.columns,
            self.keep_duplicates,
            self.changes,
            self.import_button,
        ):
            widget.setEnabled(False)

    def _stop(self) -> None:
        self.busy.hide()
        for widget in (self.choose_button, self.format, self.columns, self.keep_duplicates, self.changes):
            widget.setEnabled(True)
        self._update_buttons()

    def _failed(self, exc: object) -> None:
        self._stop()
        if isinstance(exc, OperationCancelled) and self.importing and self.last_preview is not None:
            self.summary.setText(summary_text(self.last_preview.report))  # nothing was kept: the file is as read
            self.message.show_warning(message_for(exc))  # the person's own choice, not a failure
            self._update_buttons()
            return
        self.summary.clear()
        self.changes.clear()
        self.last_preview = None
        self.message.show_error(message_for(exc))
        self._update_buttons()

    def _update_buttons(self) -> None:
        report = self.last_preview.report if self.last_preview is not None else None
        ready = (
            report is not None
            and not self.context.busy
            and (
                report.imported > 0
                or report.matched_count > 0
                or (bool(report.duplicates) and self.keep_duplicates.isChecked())
            )
        )
        self.import_button.setEnabled(ready)
        self.import_button.setToolTip("" if ready else _("Choose a file with at least one customer to import."))

    def reject(self) -> None:
        """Cancel (or Esc): closes the dialog, or while the file is read or imported, stops that (an import
        keeps nothing) and stays open."""
        if not self.busy.isVisible():
            super().reject()
        elif self.running is not None and self.running.running:
            self.running.cancel()
            self.summary.setText(_("Stopping…"))

    def clear(self) -> None:
        """Forget the file's rows (lock)."""
        self.last_preview = None
        self.rows.setRowCount(0)
        self.columns.setRowCount(0)
        self.messages.clear()
        self.changes.clear()
        self.summary.clear()
        self.file.clear()
