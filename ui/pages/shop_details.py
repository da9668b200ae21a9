"""Settings › Shop: the facts only the shop knows (name, address, privacy contact…), used by the record of
processing, breach letters and subject exports. The owner edits them; everyone else reads them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.locale import _
from app.privacy.requests import RequestService
from app.privacy.ropa import EDITABLE, RopaService
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine


class ShopDetailsPage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        allowed = context.can(Permission.MANAGE_POLICIES)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, label in EDITABLE.items():
            field = QLineEdit(self)
            field.setAccessibleName(_(label))
            field.setReadOnly(not allowed)
            self.fields[key] = field
            form.addRow(_(label) + ":", field)
        self.pipl_days = QSpinBox(self)
        self.pipl_days.setRange(1, 90)
        self.pipl_days.setAccessibleName(_("Days to answer a PIPL request"))
        self.pipl_days.setReadOnly(not allowed)
        form.addRow(_("Days to answer a PIPL request:"), self.pipl_days)
        self.save_button = QPushButton(_("S&ave"), self)
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(allowed)
        if not allowed:
            self.save_button.setToolTip(context.why_not(Permission.MANAGE_POLICIES))
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.load()

    def load(self) -> None:
        facts = RopaService(self.context.session).facts()
        for key, field in self.fields.items():
            field.setText(facts.get(key, ""))
        self.pipl_days.setValue(RequestService(self.context.session).pipl_days())

    def save(self) -> None:
        service = RopaService(self.context.session)
        facts = service.facts()
        try:
            for key, field in self.fields.items():
                if field.text().strip() != facts.get(key, ""):
                    service.set_fact(key, field.text())
            requests = RequestService(self.context.session)
            if self.pipl_days.value() != requests.pipl_days():
                requests.set_pipl_days(self.pipl_days.value())
        except Exception as exc:  # shown to the person; nothing half-saved matters here (each fact is its own)
            self.message.show_error(message_for(exc))
            return
        self.message.show_info(_("Saved."))
        self.context.changed.emit()

    def clear(self) -> None:
        for field in self.fields.values():
            field.clear()
