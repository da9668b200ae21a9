"""Settings › My account › Security key: an owner's or a manager's FIDO2 key joins their login (issue #20). On
My account because it is about one's own login, so a manager, who has no Security tab, finds it too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.access.second_factor import SecurityKeyService
from app.locale import _
from ui.operation import message_for
from ui.session_context import SessionContext
from ui.widgets import MessageLine, busy_bar, heading, paragraph

if TYPE_CHECKING:  # fido2 loads when a key is first added or removed, not with the window
    from app.vault.second_factor import Fido2SecondFactor


class SecurityKeyBox(QGroupBox):
    """Whether your login needs a security key, and Add / Remove."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(_("Security key"), parent)
        self.context = context
        self.security_key_state = paragraph("", self)
        self.add_key_button = QPushButton(_("&Add a security key…"), self)
        self.add_key_button.setAccessibleName(_("Add a security key to your login"))
        self.add_key_button.clicked.connect(lambda: self.ask_security_key(adding=True))
        self.remove_key_button = QPushButton(_("Remo&ve"), self)
        self.remove_key_button.setAccessibleName(_("Remove the security key from your login"))
        self.remove_key_button.clicked.connect(lambda: self.ask_security_key(adding=False))
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.security_key_state)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_key_button)
        buttons.addWidget(self.remove_key_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.show_security_key()

    def show_security_key(self) -> None:
        """Whether your login needs a security key (read from the key file: no database, no touch)."""
        service = SecurityKeyService(self.context.session)
        has_key, allowed = service.has_key(), service.may_have_key()
        if has_key:
            text = _(
                "Your login needs your password and your security key, even offline. Without the key, the "
                "recovery key still opens the vault."
            )
        elif allowed:
            text = _(
                "Your login opens with your password alone. Add a FIDO2 security key (one with the hmac-secret "
                "extension) and it will need the key too."
            )
        else:
            text = _("Only owners and managers may add a security key to their login.")
        self.security_key_state.setText(text)
        self.add_key_button.setVisible(not has_key)
        self.add_key_button.setEnabled(allowed)
        self.remove_key_button.setVisible(has_key)
        self.remove_key_button.setEnabled(allowed)

    def ask_security_key(self, adding: bool) -> SecurityKeyDialog | None:
        if self.context.busy:
            return None
        dialog = SecurityKeyDialog(self.context, adding, self)
        dialog.accepted.connect(lambda: self._security_key_changed(adding))
        dialog.open()
        return dialog

    def _security_key_changed(self, added: bool) -> None:
        self.show_security_key()
        self.message.show_info(
            _("Security key added: from now on you sign in with your password and this key.")
            if added
            else _("Security key removed: you sign in with your password alone.")
        )


class SecurityKeyDialog(QDialog):
    """Add or remove your own security key: your password again, then a touch (two when adding). The wait
    runs on a worker; Cancel stops it."""

    def __init__(self, context: SessionContext, adding: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.adding = context, adding
        self.security_key: Fido2SecondFactor | None = None  # while waiting for a touch
        self.setWindowTitle(_("Add a security key") if adding else _("Remove the security key"))
        self.setModal(True)
        self.setMinimumWidth(440)
        explanation = (
            _(
                "Plug in your FIDO2 security key. Your login will need it as well as your password, also "
                "when the computer is offline. Keep the recovery key safe: without the security key it is "
                "the way in."
            )
            if adding
            else _(
                "Plug in your security key: it must answer once more, so only whoever holds it can take it "
                "off. Your login will then open with your password alone."
            )
        )
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Password"))
        self.password.setMinimumWidth(260)
        self.password.returnPressed.connect(self.submit)
        label = QLabel(_("Your &password:"), self)
        label.setBuddy(self.password)
        self.busy = busy_bar(self)
        self.busy.hide()
        self.message = MessageLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.go_button = self.buttons.addButton(
            _("&Add") if adding else _("&Remove"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.go_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.windowTitle(), self))
        layout.addWidget(paragraph(explanation, self))
        layout.addWidget(label)
        layout.addWidget(self.password)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        password = self.password.text()
        if self.security_key is not None or self.context.busy:
            return
        if not password:
            self.message.show_error(_("Type your password."))
            return
        from app.vault.second_factor import Fido2SecondFactor

        service, key = SecurityKeyService(self.context.session), Fido2SecondFactor()
        change = service.add if self.adding else service.remove
        self.security_key = key
        self.password.clear()
        self.password.setEnabled(False)
        self.go_button.setEnabled(False)
        self.busy.show()
        self.message.show_info(
            _("Touch your security key when it blinks, twice: once to register it, once to answer.")
            if self.adding
            else _("Touch your security key when it blinks.")
        )
        self.context.run(
            lambda progress, cancelled: change(password, key),
            description=_("Waiting for the security key…"),
            on_done=lambda _result: self._finished(None),
            on_error=self._finished,
        )

    def _finished(self, exc: object) -> None:
        self.security_key = None
        self.busy.hide()
        self.password.setEnabled(True)
        self.go_button.setEnabled(True)
        if exc is None:
            self.accept()
            return
        self.message.show_error(message_for(exc))
        self.password.setFocus()

    def reject(self) -> None:
        """Cancel: stop waiting for a touch first (the dialog closes when the worker has stopped)."""
        if self.security_key is not None:
            self.security_key.cancel()
            return
        super().reject()
