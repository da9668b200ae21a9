"""Settings › My account: who is signed in, one's own password (every role may) and security key (owners and
managers)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.locale import _
from ui.change_password import ChangePasswordDialog
from ui.consent.labels import LANGUAGE_NAMES
from ui.session_context import SessionContext
from ui.settings.security_key import SecurityKeyBox
from ui.widgets import MessageLine, paragraph


class AccountPage(QWidget):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        user = context.session.user
        self.change_button = QPushButton(_("&Change my password…"), self)
        self.change_button.setAccessibleName(_("Change my password"))
        self.change_button.clicked.connect(self.change_password)
        self.language = QComboBox(self)
        self.language.setAccessibleName(_("Language of the program"))
        self.language.addItem(_("System language"), "")
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        chosen = str(QSettings().value("language", "") or "")
        self.language.setCurrentIndex(max(0, self.language.findData(chosen)))
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.message = MessageLine(self)
        form = QFormLayout()
        form.addRow(_("Language of the program:"), self.language)
        row = QHBoxLayout()
        row.addWidget(self.change_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(_("Signed in as {user} ({role}).").format(user=user.name, role=user.role.label()), self)
        )
        layout.addLayout(row)
        layout.addLayout(form)
        self.security_key = SecurityKeyBox(context, self)
        layout.addWidget(self.security_key)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def _language_chosen(self) -> None:
        """A preference of this computer (not customer data), applied when the program next starts."""
        QSettings().setValue("language", str(self.language.currentData()))
        self.message.show_info(_("Counterpart uses this language from its next start."))

    def change_password(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.context, self.window())
        dialog.accepted.connect(lambda: self.message.show_info(_("Your password is changed.")))
        dialog.open()
        return dialog
