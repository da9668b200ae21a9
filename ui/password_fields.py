"""Choosing a new password: typed twice, with an honest strength estimate and the minimum length rule."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QWidget

from app.locale import _
from app.vault.vault import MIN_PASSWORD_LENGTH
from ui.password_strength import LEVELS, estimate, strength_labels
from ui.widgets import MessageLine


class NewPasswordFields(QWidget):
    """Two password fields plus feedback; `problem()` says what is wrong in words, or None."""

    changed = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, label: str | None = None, again_label: str | None = None
    ) -> None:
        super().__init__(parent)
        self.first = QLineEdit(self)
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName(_("New password"))
        self.again = QLineEdit(self)
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName(_("New password again"))
        self.meter = QProgressBar(self)
        self.meter.setRange(0, LEVELS[-1])
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(10)
        self.meter.setAccessibleName(_("Password strength estimate"))
        self.strength = QLabel(self)
        widest = max(
            self.strength.fontMetrics().horizontalAdvance(_("{level} (estimate)").format(level=label))
            for label in strength_labels()
        )
        self.strength.setMinimumWidth(widest + 4)
        self.rule = QLabel(
            _(
                "At least {n} characters. Longer is stronger: several unrelated words are easy to "
                "remember and hard to guess."
            ).format(n=MIN_PASSWORD_LENGTH),
            self,
        )
        self.rule.setWordWrap(True)
        self.message = MessageLine(self)

        meter_row = QHBoxLayout()
        meter_row.addWidget(self.meter, 1)
        meter_row.addWidget(self.strength)
        self.form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(label or _("&Password:"), self.first)
        form.addRow(again_label or _("Type it &again:"), self.again)
        form.addRow(_("Strength:"), meter_row)
        form.addRow("", self.rule)
        form.addRow("", self.message)
        self.first.textChanged.connect(self._update)
        self.again.textChanged.connect(self._update)
        self._update()

    def add_row_above(self, row: int, label: str, field: QWidget) -> None:
        """Another field in the same form (a name, a role, a key), so every field lines up."""
        self.form.insertRow(row, label, field)

    def password(self) -> str:
        return self.first.text()

    def problem(self) -> str | None:
        first = self.first.text()
        if len(first) < MIN_PASSWORD_LENGTH:
            return _("A password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)
        if first != self.again.text():
            return _("The two passwords are not the same.")
        return None

    def is_acceptable(self) -> bool:
        return self.problem() is None

    def show_problem(self) -> bool:
        """Show what is wrong (if anything); returns True when the password can be used."""
        problem = self.problem()
        if problem:
            self.message.show_error(problem)
        else:
            self.message.clear()
        return problem is None

    def clear(self) -> None:
        self.first.clear()
        self.again.clear()

    def _update(self) -> None:
        first, again = self.first.text(), self.again.text()
        result = estimate(first)
        self.meter.setValue(min(result.bits, LEVELS[-1]))
        text = _("{level} (estimate)").format(level=result.label) if first else ""
        self.strength.setText(text)
        self.meter.setAccessibleDescription(text)
        # Speak up only about what the person has finished typing: the length once they start the
        # second field, a mismatch once the second field is as long as the first.
        if first and again and len(first) < MIN_PASSWORD_LENGTH:
            self.message.show_error(_("A password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH))
        elif again and len(again) >= len(first) and again != first:
            self.message.show_error(_("The two passwords are not the same."))
        else:
            self.message.clear()
        self.changed.emit()
