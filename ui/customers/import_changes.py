"""What a re-import would change for customers already in the vault, field by field (their value → the file's),
and, where the two differ, the person's choice: keep the customer's value (the default) or take the file's, for
every conflict at once or one by one. Nothing the customer has is replaced unless chosen here.

The choices go to ImportService.run as `overwrite`: (line, change) pairs from the preview's report.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.crm.importing.model import FieldChange, ImportReport, Match
from app.locale import _, ngettext

CHANGES_SHOWN = 500  # a whole shop re-exported can differ in thousands of fields; the choice for all covers the rest


def change_text(match: Match, change: FieldChange) -> str:
    if match.held:
        return _("Nothing changes: same phone number, different email address; check by hand")
    if change.action == "fill":
        return _("Filled in")
    if change.action == "add":
        return _("Added")
    return ""  # a conflict: the row's check box says what happens


class ImportChanges(QWidget):
    """The changes table with the keep/take choice; hidden when the file names nobody already in the vault."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: ImportReport | None = None
        self.boxes: dict[tuple[int, FieldChange], QCheckBox] = {}
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.keep = QRadioButton(_("&Keep the customer's values"), self)
        self.take = QRadioButton(_("&Take the file's values"), self)
        self.keep.setChecked(True)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.keep)
        self.choice.addButton(self.take)
        self.take.toggled.connect(self._choose_all)
        self.choice_label = QLabel(_("Where a customer's value differs from the file's:"), self)
        choice_row = QHBoxLayout()
        choice_row.addWidget(self.choice_label)
        choice_row.addWidget(self.keep)
        choice_row.addWidget(self.take)
        choice_row.addStretch(1)
        self.table = QTableWidget(0, 6, self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setAccessibleName(_("What the file changes for customers already in the vault"))
        self.table.setHorizontalHeaderLabels(
            [_("Line"), _("Customer"), _("Field"), _("Current value"), _("Value in the file"), _("What happens")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.more = QLabel(self)
        self.more.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(choice_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.more)
        self.hide()

    def show_report(self, report: ImportReport, names: dict[int, str]) -> None:
        self.report = report
        self.boxes = {}
        self.keep.setChecked(True)
        rows = [(m, c) for m in report.matched for c in m.changes][:CHANGES_SHOWN]
        self.heading.setText(
            ngettext(  # counts of all, where the lists hold the first 1,000 (KEPT)
                "{n} row names a customer already in the vault; for {changing} of them the file has something new:",
                "{n} rows name customers already in the vault; for {changing} of them the file has something new:",
                report.matched_count,
            ).format(n=report.matched_count, changing=report.offering_count)
        )
        conflicts = any(m.conflicts and not m.held for m in report.matched)
        for widget in (self.choice_label, self.keep, self.take):
            widget.setVisible(conflicts)
        self.table.setRowCount(len(rows))
        for r, (match, change) in enumerate(rows):
            customer = names.get(match.contact_id, _("customer {id}").format(id=match.contact_id))
            for c, text in enumerate(
                (str(match.line), customer, change.label(), change.old, change.new, change_text(match, change))
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
            if change.action == "conflict" and not match.held:
                box = QCheckBox(_("Take the file's value"), self.table)
                box.setAccessibleName(
                    _("Line {line}, {field}: take the file's value instead of the customer's").format(
                        line=match.line, field=change.label()
                    )
                )
                self.table.setCellWidget(r, 5, box)
                self.boxes[(match.line, change)] = box
        self.table.setVisible(bool(rows))
        total = sum(len(m.changes) for m in report.matched)  # of the customers listed (the first KEPT)
        self.more.setText(
            _("The first {shown} of {n} changes are shown; the choice above applies to the rest.").format(
                shown=CHANGES_SHOWN, n=total
            )
            if total > CHANGES_SHOWN
            else ""
        )
        self.more.setVisible(total > CHANGES_SHOWN)
        self.setVisible(report.matched_count > 0)

    def _choose_all(self, take: bool) -> None:
        for box in self.boxes.values():
            box.setChecked(take)

    def overwrite(self) -> set[tuple[int, FieldChange]]:
        """The conflicts to resolve with the file's value: those ticked, and beyond the rows shown, the choice
        for all."""
        if self.report is None:
            return set()
        chosen = set()
        for match in self.report.matched:
            for change in [] if match.held else match.conflicts:
                box = self.boxes.get((match.line, change))
                if box.isChecked() if box is not None else self.take.isChecked():
                    chosen.add((match.line, change))
        return chosen

    def clear(self) -> None:
        self.report = None
        self.boxes = {}
        self.table.setRowCount(0)
        self.hide()
