"""Settings › Shop: the shop profile (name, address, country, currency, language, privacy contacts) and the
facts only the record of processing asks for. The owner edits them; everyone else reads them."""

from __future__ import annotations

from dataclasses import asdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.access.shop import ShopProfile, ShopService
from app.locale import _
from app.privacy.requests import RequestService
from app.privacy.ropa import EDITABLE, PROFILE_KEYS, RopaService
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.shop_profile_form import ShopProfileForm
from ui.widgets import MessageLine

RECORD_ONLY = [key for key in EDITABLE if key not in PROFILE_KEYS]  # representative, recipients…


class ShopDetailsPage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        allowed = context.can(Permission.MANAGE_SETTINGS) and context.can(Permission.MANAGE_POLICIES)
        self.profile_form = ShopProfileForm(self)
        self.profile_form.set_read_only(not allowed)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key in RECORD_ONLY:
            field = QLineEdit(self)
            field.setAccessibleName(_(EDITABLE[key]))
            field.setReadOnly(not allowed)
            self.fields[key] = field
            form.addRow(_("{label}:").format(label=_(EDITABLE[key])), field)  # Chinese writes "："
        self.pipl_days = QSpinBox(self)
        self.pipl_days.setRange(1, 90)
        self.pipl_days.setAccessibleName(_("Days to answer a PIPL request"))
        self.pipl_days.setReadOnly(not allowed)
        form.addRow(_("Days to answer a PIPL request:"), self.pipl_days)
        self.save_button = QPushButton(_("S&ave"), self)
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(allowed)
        if not allowed:
            self.save_button.setToolTip(context.why_not(Permission.MANAGE_SETTINGS))
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.profile_form)
        layout.addLayout(form)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._align_labels(form)
        self.load()

    def _align_labels(self, form: QFormLayout) -> None:
        """The shop's form and the record-of-processing fields under it are two forms: their fields started at
        two different places. One label width for both lines them up."""

        def labels(layout: QFormLayout) -> list[QLabel]:
            return [
                label
                for row in range(layout.rowCount())
                if (item := layout.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
                and isinstance(label := item.widget(), QLabel)
            ]

        # As wide as the shop's own labels; the long record-of-processing ones wrap (as wide as the longest,
        # they widened the window past a 1024-pixel screen in French)
        width = max(label.sizeHint().width() for label in labels(self.profile_form.form))
        for label in labels(self.profile_form.form) + labels(form):
            label.setWordWrap(label.sizeHint().width() > width)
            label.setFixedWidth(width)

    def load(self) -> None:
        self.profile_form.show_profile(ShopService(self.context.session).profile())
        facts = RopaService(self.context.session).facts()
        for key, field in self.fields.items():
            field.setText(facts.get(key, ""))
        self.pipl_days.setValue(RequestService(self.context.session).pipl_days())

    def save(self) -> None:
        service = RopaService(self.context.session)
        facts = service.facts()
        try:
            ShopService(self.context.session).update(**asdict(self.profile_form.profile()))
            for key, field in self.fields.items():
                if field.text().strip() != facts.get(key, ""):
                    service.set_fact(key, field.text())
            requests = RequestService(self.context.session)
            if self.pipl_days.value() != requests.pipl_days():
                requests.set_pipl_days(self.pipl_days.value())
        except Exception as exc:  # shown to the person; each part is saved on its own, so nothing is half-saved
            self.message.show_error(message_for(exc))
            return
        self.message.show_info(_("Saved."))
        self.context.changed.emit()

    def clear(self) -> None:
        self.profile_form.show_profile(ShopProfile())
        for field in self.fields.values():
            field.clear()
