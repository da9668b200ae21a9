"""Editable lists of one kind of contact detail (emails, phones or addresses): each row a label and a value,
rows added and removed freely, and a message line under each row for what is wrong with it."""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.crm.contacts import ContactPointInput
from app.locale import _
from ui.customers.text import label_suggestions
from ui.widgets import MessageLine

MAX_VALUE = 320  # the longest email address a mail system accepts; plenty for a phone or an address line


class RemovableRow(QWidget):
    """One editable row: its fields side by side, a Remove button, and a message line under them for what is
    wrong with it (cleared as soon as the person types)."""

    remove_requested = Signal(object)  # this row

    def __init__(self, remove_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.remove_button = QPushButton(_("Remove"), self)
        self.remove_button.setAccessibleName(remove_name)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.message = MessageLine(self)

    def lay_out(self, *fields: tuple[QWidget, int]) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for field, stretch in fields:
            row.addWidget(field, stretch)
            if isinstance(field, QLineEdit):
                field.textEdited.connect(lambda _text: self.message.clear())
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)


class PointRow(RemovableRow):
    def __init__(self, kind: str, noun: str, label: str = "", value: str = "", parent: QWidget | None = None) -> None:
        super().__init__(_("Remove this {what}").format(what=noun), parent)
        self.kind = kind
        self.noun = noun
        self.label = QComboBox(self)
        self.label.setEditable(True)
        self.label.addItems(label_suggestions(kind))
        self.label.setCurrentText(label or label_suggestions(kind)[0])
        self.label.setAccessibleName(_("Label of the {what}").format(what=noun))
        self.label.setToolTip(_("What this {what} is for, e.g. work or home").format(what=noun))
        self.label.setMinimumContentsLength(9)
        self.value = QLineEdit(value, self)
        self.value.setMaxLength(MAX_VALUE)
        self.value.setAccessibleName(noun[:1].upper() + noun[1:])
        self.lay_out((self.label, 0), (self.value, 1))

    def point(self) -> ContactPointInput:
        return ContactPointInput(self.kind, self.value.text(), self.label.currentText().strip())

    def mark_unchecked(self) -> None:
        """An email or phone an import kept as typed (it did not check out): say so under it until it is edited.
        Saved unchanged it stays unchecked; typed anew it is checked like any other."""
        text = _("Unchecked: kept as typed, because it could not be read as a valid {what}. Correct it here.").format(
            what=self.noun
        )
        self.message.show_warning(text)
        self.value.setToolTip(text)
        self.value.textEdited.connect(lambda _text: self.value.setToolTip(""))

    def focus_widgets(self) -> list[QWidget]:
        return [self.label, self.value, self.remove_button]


RowT = TypeVar("RowT", bound=RemovableRow)


class RowList(QWidget, Generic[RowT]):
    """Editable rows of one kind with an "Add …" button under them (contact details, organisations).

    Subclasses make a blank row for the Add button and name the field that takes the focus; removing a row hands
    the focus to the next one, or to the Add button."""

    rows_changed = Signal()

    def __init__(self, add_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RowT] = []
        self.add_button = QPushButton(add_text, self)
        self.add_button.clicked.connect(lambda: self._append(self.blank_row(), focus=True))
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        add_line = QHBoxLayout()
        add_line.addWidget(self.add_button)
        add_line.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        layout.addLayout(add_line)

    def blank_row(self) -> RowT:
        raise NotImplementedError

    def first_field(self, row: RowT) -> QWidget:
        raise NotImplementedError

    def _append(self, row: RowT, focus: bool) -> RowT:
        row.remove_requested.connect(self._remove)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self.rows_changed.emit()
        if focus:
            self.first_field(row).setFocus()
        return row

    def _remove(self, row: RowT) -> None:
        index = self.rows.index(row)
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        self.rows_changed.emit()
        following = self.rows[index] if index < len(self.rows) else (self.rows[-1] if self.rows else None)
        (self.first_field(following) if following is not None else self.add_button).setFocus()


class PointList(RowList[PointRow]):
    """All the rows of one kind, with an "Add …" button under them."""

    def __init__(self, kind: str, noun: str, add_text: str, parent: QWidget | None = None) -> None:
        self.kind = kind
        self.noun = noun
        super().__init__(add_text, parent)

    def blank_row(self) -> PointRow:
        return PointRow(self.kind, self.noun, "", "", self)

    def add_row(self, label: str = "", value: str = "", focus: bool = False) -> PointRow:
        return self._append(PointRow(self.kind, self.noun, label, value, self), focus)

    def first_field(self, row: PointRow) -> QWidget:
        return row.value

    def points(self) -> list[ContactPointInput]:
        return [row.point() for row in self.rows if row.value.text().strip()]

    def focus_widgets(self) -> list[QWidget]:
        return [widget for row in self.rows for widget in row.focus_widgets()] + [self.add_button]

    def clear_messages(self) -> None:
        for row in self.rows:
            row.message.clear()
