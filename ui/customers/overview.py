"""The Overview tab: a person's names, contact details with their labels, every organisation (with the job title
there), tags and language.

Values are selectable plain text (never rich text: a name could contain markup) so they can be copied.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.crm.contacts import ContactRecord
from app.locale import _
from ui.customers.text import KINDS, kind_label, language_name, local_moment, point_label_text


def start_alignment() -> Qt.AlignmentFlag:
    """Where the window's reading direction starts, also for a value in Arabic or Hebrew: Qt aligns a label by
    its text's direction and would push a right-to-left name to the far edge, away from its field label."""
    edge = (
        Qt.AlignmentFlag.AlignRight
        if QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        else Qt.AlignmentFlag.AlignLeft
    )
    return edge | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignTop


def value_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab, for screen readers and copying
    label.setAlignment(start_alignment())
    return label


class OverviewTab(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.setWidget(body)

    def _row(self, title: str, value: str, tip: str = "") -> None:
        body = self.widget()
        assert body is not None
        field = value_label(value, body)
        field.setAccessibleName(title)
        field.setToolTip(tip)
        label = QLabel(title + ":", body)
        label.setBuddy(field)
        self.form.addRow(label, field)

    def show_record(self, record: ContactRecord) -> None:
        self.clear()
        if record.given_name:
            self._row(_("Given name"), record.given_name)
        if record.family_name:
            self._row(_("Family name"), record.family_name)
        for kind in KINDS:
            for point in (p for p in record.points if p.kind == kind):
                title = (
                    _("{kind} ({label})").format(kind=kind_label(kind), label=point_label_text(point.label))
                    if point.label
                    else kind_label(kind)
                )
                if point.unchecked:  # imported as typed: it did not check out as an email or phone number
                    self._row(
                        title,
                        _("{value} (unchecked)").format(value=point.value),
                        _(
                            "Imported as typed: it could not be read as a valid email address or phone "
                            "number. Correct it with Edit."
                        ),
                    )
                else:
                    self._row(title, point.value)
        if not record.points:
            self._row(_("Contact details"), _("None yet"))
        for _id, name, job_title in record.organisations:
            self._row(
                _("Organisation"),
                _("{organisation}, {job}").format(organisation=name, job=job_title) if job_title else name,
            )
        self._row(_("Tags"), ", ".join(record.tags) if record.tags else _("None yet"))
        self._row(
            _("Preferred language"),
            language_name(record.language) if record.language else _("Not set (the shop's language is used)"),
        )
        self._row(_("Added"), local_moment(record.created_at))
        if record.updated_at != record.created_at:
            self._row(_("Last changed"), local_moment(record.updated_at))

    def clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
