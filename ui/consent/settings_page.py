"""Privacy › Consent: the purposes the shop asks about (the owner sets their lawful basis and expiry) and the
notice text in each language, with every earlier version kept and readable."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.consent.ledger import LAWFUL_BASES, ConsentService, Notice, Purpose, lawful_basis_label
from app.errors import CounterpartError
from app.locale import _, ngettext
from app.locale.formatting import clock_time
from app.locale.i18n import SUPPORTED_LANGUAGES
from ui.consent.labels import LANGUAGE_NAMES, purpose_name, supported_language
from ui.consent.notice_editor import NoticeEditorDialog
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading, paragraph

_NAME, _KEY, _BASIS, _EXPIRY, _SEPARATE, _ACTIVE = range(6)
MAX_MONTHS = 120


def days_to_months(days: int | None) -> int:
    return 0 if not days else max(1, round(days * 12 / 365))


def months_to_days(months: int) -> int | None:
    return None if months <= 0 else round(months * 365 / 12)


def notice_versions(service: ConsentService, language: str) -> list[Notice]:
    """Every version in `language`, newest first."""
    return service.notices(language)


@dataclass
class _Row:
    purpose: Purpose
    basis: QComboBox
    expiry: QSpinBox
    active: QCheckBox

    def changed(self) -> bool:
        p = self.purpose
        return (
            self.basis.currentData() != p.lawful_basis
            or self.expiry.value() != days_to_months(p.expires_after_days)
            or self.active.isChecked() != p.active
        )

    def expires_after_days(self) -> int | None:
        if self.expiry.value() == days_to_months(self.purpose.expires_after_days):
            return self.purpose.expires_after_days  # unchanged: keep the exact number of days
        return months_to_days(self.expiry.value())


class ConsentSettingsView(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.may_edit = context.can(Permission.MANAGE_POLICIES)
        self.rows: list[_Row] = []
        self.versions: list[Notice] = []
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._purposes_box())
        splitter.addWidget(self._notices_box())
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([420, 220])
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        self._loaded = False  # read on first show: building the main window stays quick
        context.changed.connect(self.reload)

    # --- building ------------------------------------------------------------------------------------------

    def _purposes_box(self) -> QGroupBox:
        box = QGroupBox(_("Purposes"), self)
        self.table = QTableWidget(0, 6, box)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setHorizontalHeaderLabels(
            [_("Purpose"), _("Key"), _("Lawful basis"), _("Expires (months)"), _("Separate consent"), _("Active")]
        )
        expiry_header = self.table.horizontalHeaderItem(_EXPIRY)
        if expiry_header is not None:
            expiry_header.setToolTip(
                _("Months after which a consent counts as not given any more, unless it is given again (0: never).")
            )
        self.table.setAccessibleName(_("Purposes"))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setMinimumSectionSize(self.fontMetrics().height() + 14)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Stretch)
        self.save_button = QPushButton(_("&Save purposes"), box)
        self.save_button.setAccessibleName(_("Save the changed purposes"))
        self.save_button.clicked.connect(self.save_purposes)
        self.undo_button = QPushButton(_("&Undo changes"), box)
        self.undo_button.clicked.connect(self.load_purposes)
        explanation = _(
            "“Separate consent” purposes are asked one by one, never bundled (PIPL). A purpose on "
            "another lawful basis than consent is not asked for at all."
        )
        if not self.may_edit:
            explanation += " " + self.context.why_not(Permission.MANAGE_POLICIES)
            for button in (self.save_button, self.undo_button):
                button.setEnabled(False)
                button.setToolTip(self.context.why_not(Permission.MANAGE_POLICIES))
        buttons = QHBoxLayout()
        buttons.addWidget(paragraph(explanation, box), 1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        return box

    def _notices_box(self) -> QGroupBox:
        box = QGroupBox(_("Notice texts"), self)
        self.language = QComboBox(box)
        self.language.setAccessibleName(_("Notice language"))
        for code in SUPPORTED_LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        self.language.setCurrentIndex(max(0, self.language.findData(supported_language(None))))
        self.language.currentIndexChanged.connect(lambda _i: self.load_notices())
        language_label = QLabel(_("&Language:"), box)
        language_label.setBuddy(self.language)
        self.publish_button = QPushButton(_("&Publish new version…"), box)
        self.publish_button.setAccessibleName(_("Publish a new version of the notice in this language"))
        self.publish_button.clicked.connect(self.publish)
        if not self.may_edit:
            self.publish_button.setEnabled(False)
            self.publish_button.setToolTip(self.context.why_not(Permission.MANAGE_POLICIES))
        language_row = QHBoxLayout()
        language_row.addWidget(language_label)
        language_row.addWidget(self.language, 1)

        self.version_list = QListWidget(box)
        self.version_list.setAccessibleName(_("Notice versions"))
        self.version_list.setMaximumWidth(240)
        self.version_list.currentRowChanged.connect(self._show_version)
        versions_label = QLabel(_("V&ersions (earlier ones are kept, read-only):"), box)
        versions_label.setWordWrap(True)
        versions_label.setBuddy(self.version_list)
        left = QVBoxLayout()
        left.addLayout(language_row)
        left.addWidget(versions_label)
        left.addWidget(self.version_list, 1)

        self.notice_title = heading("", box, 1.1)
        self.notice_title.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_meta = QLabel(box)
        self.notice_meta.setWordWrap(True)
        self.notice_meta.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_hash = QLineEdit(box)
        self.notice_hash.setReadOnly(True)
        self.notice_hash.setAccessibleName(_("SHA-256 of the notice text"))
        self.notice_hash.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.notice_text = QPlainTextEdit(box)
        self.notice_text.setReadOnly(True)
        self.notice_text.setAccessibleName(_("Notice text (read-only)"))
        hash_row = QHBoxLayout()
        hash_label = QLabel(_("SHA-256:"), box)
        hash_label.setBuddy(self.notice_hash)
        hash_row.addWidget(hash_label)
        hash_row.addWidget(self.notice_hash, 1)
        title_row = QHBoxLayout()
        title_row.addWidget(self.notice_title, 1)
        title_row.addWidget(self.publish_button, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.addLayout(title_row)
        right.addWidget(self.notice_meta)
        right.addLayout(hash_row)
        right.addWidget(self.notice_text, 1)

        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(right, 1)
        layout = QVBoxLayout(box)
        layout.addLayout(body, 1)
        return box

    # --- purposes ------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        if not self.context.is_open or self.context.busy or not (self._loaded or self.isVisible()):
            return
        self._loaded = True
        if not any(row.changed() for row in self.rows):  # keep the owner's unsaved edits
            self.load_purposes()
        self.load_notices()

    def load_purposes(self) -> None:
        if not self.context.is_open or self.context.busy:
            return
        try:
            purposes = ConsentService(self.context.session).purposes(active_only=False)
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
            return
        self._drop_rows()
        self.table.setRowCount(len(purposes))
        for row, purpose in enumerate(purposes):
            self.rows.append(self._fill_row(row, purpose))

    def _drop_rows(self) -> None:
        """Hide the old editors now: the table deletes them only later, and meanwhile they would still paint."""
        for row in range(self.table.rowCount()):
            for column in (_BASIS, _EXPIRY, _ACTIVE):
                widget = self.table.cellWidget(row, column)
                if widget is not None:
                    widget.hide()
        self.table.setRowCount(0)
        self.rows = []

    def _fill_row(self, row: int, purpose: Purpose) -> _Row:
        name = purpose_name(purpose)
        for column, text in (
            (_NAME, name),
            (_KEY, purpose.key),
            (_SEPARATE, _("Yes") if purpose.separate_consent else _("No")),
        ):
            item = QTableWidgetItem(text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, column, item)
        basis = QComboBox(self.table)
        for value in LAWFUL_BASES:
            basis.addItem(lawful_basis_label(value), value)
        basis.setCurrentIndex(basis.findData(purpose.lawful_basis))
        basis.setAccessibleName(_("Lawful basis for {purpose}").format(purpose=name))
        expiry = QSpinBox(self.table)
        expiry.setRange(0, MAX_MONTHS)
        expiry.setSpecialValueText(_("never"))
        expiry.setValue(days_to_months(purpose.expires_after_days))
        expiry.setAccessibleName(_("Months until consent for {purpose} expires (0: never)").format(purpose=name))
        active = QCheckBox(self.table)  # the column header says what it is; the accessible name says it too
        active.setChecked(purpose.active)
        active.setAccessibleName(_("{purpose} is active").format(purpose=name))
        for widget in (basis, expiry, active):
            widget.setEnabled(self.may_edit)
            if not self.may_edit:
                widget.setToolTip(self.context.why_not(Permission.MANAGE_POLICIES))
        self.table.setCellWidget(row, _BASIS, basis)
        self.table.setCellWidget(row, _EXPIRY, expiry)
        holder = QWidget(self.table)
        centred = QHBoxLayout(holder)
        centred.setContentsMargins(0, 0, 0, 0)
        centred.addWidget(active, 0, Qt.AlignmentFlag.AlignCenter)
        holder.setFocusProxy(active)
        self.table.setCellWidget(row, _ACTIVE, holder)
        return _Row(purpose, basis, expiry, active)

    def save_purposes(self) -> int:
        """Apply every changed row; each change is audited by the service. Returns how many were saved."""
        if self.context.busy:
            return 0
        self.message.clear()
        service = ConsentService(self.context.session)
        saved = 0
        try:
            for row in self.rows:
                if row.changed():
                    service.set_purpose(
                        row.purpose.key,
                        lawful_basis=str(row.basis.currentData()),
                        expires_after_days=row.expires_after_days(),
                        active=row.active.isChecked(),
                    )
                    saved += 1
        except CounterpartError as exc:
            self.message.show_error(message_for(exc))
        if saved or self.message.text():
            self.load_purposes()
        if saved:
            self.context.changed.emit()
            if not self.message.text():
                self.message.show_info(
                    ngettext("Saved {n} changed purpose.", "Saved {n} changed purposes.", saved).format(n=saved)
                )
        elif not self.message.text():
            self.message.show_info(_("Nothing was changed."))
        return saved

    # --- notices -------------------------------------------------------------------------------------------

    def current_language(self) -> str:
        return str(self.language.currentData())

    def load_notices(self) -> None:
        if not self.context.is_open or self.context.busy:
            return
        self.versions = notice_versions(ConsentService(self.context.session), self.current_language())
        self.version_list.clear()
        for index, notice in enumerate(self.versions):
            text = _("Version {version} — {date}").format(version=notice.version, date=notice.created_at[:10])
            if index == 0:
                text = _("{version} (current)").format(version=text)
            self.version_list.addItem(QListWidgetItem(text))
        if self.versions:
            self.version_list.setCurrentRow(0)
        else:
            self._show_version(-1)

    def _show_version(self, row: int) -> None:
        if not 0 <= row < len(self.versions):
            self.notice_meta.setText(
                _(
                    "There is no notice in this language yet; customers see the English one. "
                    "Publish one to show them their own."
                )
            )
            self.notice_title.clear()
            self.notice_hash.clear()
            self.notice_text.clear()
            return
        notice = self.versions[row]
        state = _("current, shown to customers now") if row == 0 else _("earlier version, kept unchanged")
        self.notice_title.setText(notice.title)
        self.notice_meta.setText(
            _("Version {version}, published {when} ({state})").format(
                version=notice.version, when=clock_time(notice.created_at), state=state
            )
        )
        self.notice_hash.setText(notice.sha256)
        self.notice_hash.setCursorPosition(0)
        self.notice_text.setPlainText(notice.body)

    def publish(self) -> NoticeEditorDialog | None:
        if self.context.busy or not self.may_edit:
            return None
        current = self.versions[0] if self.versions else None
        dialog = NoticeEditorDialog(self.context, self.current_language(), current, self.window())
        dialog.open()
        return dialog

    def clear(self) -> None:
        self._loaded = False
        self._drop_rows()
        self.versions = []
        self.version_list.clear()
        self.notice_text.clear()
        self.notice_hash.clear()
        self.notice_title.clear()
        self.notice_meta.clear()
        self.message.clear()
