"""Dialogs of the Breach tab: record a breach (Art. 33(3) contents), choose the affected people, record the
notification to the authority (with the reason when late)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.consent.ledger import ConsentService
from app.errors import CounterpartError
from app.locale import N_, _
from app.privacy.breach import Breach, BreachService
from ui.consent.labels import purpose_name
from ui.form_dialog import SubmitDialog
from ui.privacy.common import local_time
from ui.session_context import SessionContext
from ui.widgets import paragraph

DATA_CATEGORIES = (
    N_("Names"),
    N_("Email addresses and phone numbers"),
    N_("Postal addresses"),
    N_("Purchases and deals"),
    N_("Notes"),
    N_("Consent records"),
    N_("Identity documents"),
    N_("Payment details"),
)
PEOPLE_CATEGORIES = (N_("Customers"), N_("Leads (prospective customers)"), N_("Staff"))


def qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def moment_of(edit: QDateTimeEdit) -> datetime:
    """The edit shows local time; the services want an aware moment."""
    return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), UTC)


def _moment_edit(moment: datetime, name: str, parent: QWidget) -> QDateTimeEdit:
    edit = QDateTimeEdit(qdatetime(moment), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setAccessibleName(name)
    return edit


def _text_box(name: str, parent: QWidget, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setTabChangesFocus(True)
    box.setAccessibleName(name)
    box.setFixedHeight(parent.fontMetrics().height() * lines + 12)
    return box


class _Choices(QGroupBox):
    """Tick boxes for the usual answers plus a line for anything else (comma-separated)."""

    def __init__(self, title: str, choices: tuple[str, ...], parent: QWidget) -> None:
        super().__init__(title, parent)
        self.boxes = [QCheckBox(_(choice), self) for choice in choices]
        self.other = QLineEdit(self)
        self.other.setPlaceholderText(_("Other (separate with commas)"))
        self.other.setAccessibleName(_("{title}: other").format(title=title))
        grid = QGridLayout(self)
        for number, box in enumerate(self.boxes):
            grid.addWidget(box, number // 2, number % 2)
        grid.addWidget(self.other, (len(self.boxes) + 1) // 2, 0, 1, 2)

    def values(self) -> list[str]:
        ticked = [box.text() for box in self.boxes if box.isChecked()]
        return ticked + [part.strip() for part in self.other.text().split(",") if part.strip()]


_Dialog = SubmitDialog  # each breach dialog lays out its fields, the error line and the buttons itself


class RecordBreachDialog(_Dialog):
    """What Art. 33(3) asks the authority to be told, recorded the moment the breach is discovered."""

    def __init__(self, context: SessionContext, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(_("Record a data breach"), _("&Record breach"), parent)
        self.context = context
        self.breach_id: int | None = None
        self.discovered = _moment_edit(now, _("When it was discovered"), self)
        self.discovered.setMaximumDateTime(qdatetime(now))
        self.occurred_known = QCheckBox(_("&Known:"), self)
        self.occurred = _moment_edit(now, _("When it happened"), self)
        self.occurred.setEnabled(False)
        self.occurred_known.toggled.connect(self.occurred.setEnabled)
        self.nature = _text_box(_("What happened"), self)
        self.nature.setPlaceholderText(_("e.g. The shop laptop was stolen from the car on Tuesday evening."))
        self.consequences = _text_box(_("Likely consequences"), self, 2)
        self.measures = _text_box(_("Measures taken or proposed"), self, 2)
        self.data = _Choices(_("Data involved"), DATA_CATEGORIES, self)
        self.people = _Choices(_("People involved"), PEOPLE_CATEGORIES, self)
        self.approx = QSpinBox(self)
        self.approx.setGroupSeparatorShown(True)
        self.approx.setRange(0, 100_000_000)
        self.approx.setAccessibleName(_("Approximate number of people affected"))
        self.high_risk = QCheckBox(_("&High risk to the people affected"), self)
        risk_note = paragraph(
            _(
                "Tick this when the breach is likely to put people at high risk (identity theft, "
                "fraud, financial loss, exposure of sensitive details). Article 34 then requires "
                "telling the people themselves, without undue delay and in clear language — not only "
                "the authority."
            ),
            self,
        )

        for edit in (self.discovered, self.occurred):
            edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("2026-12-31 23:59") + 48)
        happened = QHBoxLayout()
        happened.addWidget(self.occurred_known)
        happened.addWidget(self.occurred)
        happened.addStretch(1)
        left = QFormLayout()
        discovered_label = QLabel(_("&Discovered:"), self)
        discovered_label.setBuddy(self.discovered)
        left.addRow(discovered_label, self.discovered)
        left.addRow(_("Happened:"), happened)
        for text, widget in (
            (_("&What happened:"), self.nature),
            (_("Likely &consequences:"), self.consequences),
            (_("&Measures taken:"), self.measures),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            left.addRow(label, widget)
        approx_label = QLabel(_("Appro&ximate number of people:"), self)
        approx_label.setBuddy(self.approx)
        left.addRow(approx_label, self.approx)
        self.approx.setMaximumWidth(160)
        left_column = QVBoxLayout()
        left_column.addLayout(left)
        left_column.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.data)
        right.addWidget(self.people)
        right.addWidget(self.high_risk)
        right.addWidget(risk_note)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left_column, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "Record it now, even with what little you know: the 72 hours to tell the "
                    "supervisory authority start when you discovered it. You can add details "
                    "in the report later."
                ),
                self,
            )
        )
        layout.addLayout(columns)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(900)

    def submit(self) -> None:
        if self.context.busy:
            return
        try:
            self.breach_id = BreachService(self.context.session).record(
                discovered_at=moment_of(self.discovered),
                nature=self.nature.toPlainText(),
                data_categories=self.data.values(),
                people_categories=self.people.values(),
                approx_affected=self.approx.value(),
                consequences=self.consequences.toPlainText(),
                measures=self.measures.toPlainText(),
                high_risk=self.high_risk.isChecked(),
                occurred_at=moment_of(self.occurred) if self.occurred_known.isChecked() else None,
            )
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()
        self.accept()


@dataclass(frozen=True)
class AffectedChoice:
    everyone: bool = False
    purpose: str | None = None
    created_before: datetime | None = None
    tag: str | None = None


class SelectAffectedDialog(_Dialog):
    """Choose the affected people by a rule, so letters go to exactly them; the tab runs the selection."""

    def __init__(self, context: SessionContext, breach: Breach, parent: QWidget | None = None) -> None:
        super().__init__(_("Select the affected people"), _("&Select people"), parent)
        self.everyone = QRadioButton(_("&Everyone in Counterpart"), self)
        self.matching = QRadioButton(_("People &matching all of:"), self)
        group = QButtonGroup(self)
        group.addButton(self.everyone)
        group.addButton(self.matching)
        self.use_purpose = QCheckBox(_("On the list for a &purpose:"), self)
        self.purpose = QComboBox(self)
        self.purpose.setAccessibleName(_("Purpose"))
        for purpose in ConsentService(context.session).purposes():
            self.purpose.addItem(purpose_name(purpose), purpose.key)
        self.use_created = QCheckBox(_("Added &before:"), self)
        self.created = QDateEdit(QDate.currentDate(), self)
        self.created.setCalendarPopup(True)
        self.created.setDisplayFormat("yyyy-MM-dd")
        self.created.setAccessibleName(_("Added before this date"))
        self.use_tag = QCheckBox(_("With the &tag:"), self)
        self.tag = QLineEdit(self)
        self.tag.setAccessibleName(_("Tag"))
        grid = QGridLayout()
        grid.setContentsMargins(24, 0, 0, 0)
        for row, (box, field) in enumerate(
            ((self.use_purpose, self.purpose), (self.use_created, self.created), (self.use_tag, self.tag))
        ):
            grid.addWidget(box, row, 0)
            grid.addWidget(field, row, 1)
            field.setEnabled(False)
            box.toggled.connect(field.setEnabled)
            box.toggled.connect(lambda _on: self.matching.setChecked(True))
        self.matching.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "Breach no. {id}. The choice replaces any earlier one; people erased later drop "
                    "out of it by themselves. {n} people are chosen now."
                ).format(id=breach.id, n=breach.selected),
                self,
            )
        )
        layout.addWidget(self.everyone)
        layout.addWidget(self.matching)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.choice: AffectedChoice | None = None

    def submit(self) -> None:
        if self.everyone.isChecked():
            self.choice = AffectedChoice(everyone=True)
        else:
            value = self.created.date()
            day = date(value.year(), value.month(), value.day())
            self.choice = AffectedChoice(
                purpose=str(self.purpose.currentData())
                if self.use_purpose.isChecked() and self.purpose.count()
                else None,
                created_before=datetime.combine(day, datetime.min.time()).astimezone(UTC)
                if self.use_created.isChecked()
                else None,
                tag=self.tag.text().strip() or None if self.use_tag.isChecked() else None,
            )
            if self.choice == AffectedChoice():
                self.message.show_error(_("Choose who is affected: a purpose, a date, a tag, or everyone."))
                return
        self.accept()


class AuthorityDialog(_Dialog):
    """Record the notification to the supervisory authority; after 72 hours the reason for the delay is required."""

    def __init__(self, context: SessionContext, breach: Breach, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(_("Authority notified"), _("Record &notification"), parent)
        self.context = context
        self.breach = breach
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(_("The case or reference number the authority gave you"))
        self.reference.setAccessibleName(_("Reference"))
        self.at = _moment_edit(now, _("When the authority was told"), self)
        self.delay = _text_box(_("Reason for the delay"), self, 3)
        self.delay_label = QLabel(self)
        self.delay_label.setWordWrap(True)
        self.delay_label.setBuddy(self.delay)
        form = QFormLayout()
        for text, widget in ((_("&Reference:"), self.reference), (_("&Told on:"), self.at)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow(self.delay_label, self.delay)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _("Breach no. {id}, discovered {time}. The authority had to be told by {deadline}.").format(
                    id=breach.id, time=local_time(breach.discovered_at), deadline=local_time(breach.authority_deadline)
                ),
                self,
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.at.dateTimeChanged.connect(lambda _value: self._update())
        self._update()

    def late(self) -> bool:
        return moment_of(self.at) > self.breach.authority_deadline

    def _update(self) -> None:
        self.delay_label.setText(
            _("Reason for the &delay (required: more than 72 hours):")
            if self.late()
            else _("Reason for the &delay (only if late):")
        )

    def submit(self) -> None:
        if self.context.busy:
            return
        try:
            BreachService(self.context.session).authority_notified(
                self.breach.id, self.reference.text(), at=moment_of(self.at), delay_reason=self.delay.toPlainText()
            )
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()
        self.accept()
