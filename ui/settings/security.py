"""Settings › Security: how the vault is protected, the idle lock, rekey and the recovery kit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.access import rekey_due
from app.access.roles import Permission
from app.access.second_factor import SecurityKeyService
from app.access.settings import IDLE_LIMITS, SettingsService
from app.errors import CounterpartError
from app.locale import _
from app.vault.location import documents_folder
from app.vault.second_factor import Fido2SecondFactor
from ui.dialogs import ask_save_path
from ui.operation import message_for
from ui.operations.security import write_recovery_kit
from ui.rekey import ask_rekey, rekey_explanation
from ui.session_context import SessionContext
from ui.widgets import MessageLine, busy_bar, heading, paragraph


def protection_text(keychain_bound: bool) -> str:
    if keychain_bound:
        return _(
            "Protection: password plus this computer's keychain. A copy of the vault file does not open on "
            "another computer, even with a password."
        )
    return _(
        "Protection: password only. This computer has no usable keychain (or the vault was set up without "
        "it), so anyone who has the vault file and a password can open it on any computer."
    )


class SecurityPage(QWidget):
    idle_minutes_changed = Signal(int)

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        session = context.session
        self.protection = MessageLine(self)
        (self.protection.show_info if session.vault.keychain_bound else self.protection.show_warning)(
            protection_text(session.vault.keychain_bound)
        )

        self.idle = QSpinBox(self)
        self.idle.setRange(*IDLE_LIMITS)
        self.idle.setSuffix(_(" min"))
        self.idle.setAccessibleName(_("Minutes without use before the app locks"))
        self.idle.setValue(SettingsService(session).idle_minutes())
        self.apply_idle = QPushButton(_("A&pply"), self)
        self.apply_idle.setAccessibleName(_("Apply the idle lock time"))
        self.apply_idle.clicked.connect(self.save_idle_minutes)
        idle_row = QHBoxLayout()
        idle_row.addWidget(self.idle)
        idle_row.addWidget(self.apply_idle)
        idle_row.addStretch(1)
        lock_box = QGroupBox(_("Automatic lock"), self)
        lock_form = QFormLayout(lock_box)
        idle_label = QLabel(_("Lock after &no use for:"), lock_box)
        idle_label.setBuddy(self.idle)
        lock_form.addRow(idle_label, idle_row)
        lock_form.addRow(paragraph(_("Locking closes the vault: whoever comes next signs in again."), lock_box))
        if not context.can(Permission.MANAGE_SETTINGS):
            for widget in (self.idle, self.apply_idle):
                widget.setEnabled(False)
                widget.setToolTip(context.why_not(Permission.MANAGE_SETTINGS))

        self.rekey_button = QPushButton(_("&Rekey…"), self)
        self.rekey_button.setAccessibleName(_("Rekey the vault"))
        self.rekey_button.clicked.connect(lambda: ask_rekey(self.context, self.window()))
        self.kit_button = QPushButton(_("Save recovery &kit…"), self)
        self.kit_button.setAccessibleName(_("Save the recovery kit as a PDF"))
        self.kit_button.clicked.connect(self.ask_kit_path)
        key_box = QGroupBox(_("Encryption key"), self)
        key_layout = QVBoxLayout(key_box)
        key_layout.addWidget(paragraph(rekey_explanation(), key_box))
        key_layout.addWidget(
            paragraph(
                _(
                    "The recovery kit is a printable page with the current recovery key. Print "
                    "it, keep it somewhere safe, and delete the file."
                ),
                key_box,
            )
        )
        self.rekey_due = MessageLine(key_box)  # why a rekey is due, while one is (owners see it at unlock too)
        key_layout.addWidget(self.rekey_due)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rekey_button)
        buttons.addWidget(self.kit_button)
        buttons.addStretch(1)
        key_layout.addLayout(buttons)
        if not context.can(Permission.MANAGE_SECURITY):
            for widget in (self.rekey_button, self.kit_button):
                widget.setEnabled(False)
                widget.setToolTip(context.why_not(Permission.MANAGE_SECURITY))

        self.security_key_box = QGroupBox(_("Security key"), self)
        self.security_key_state = paragraph("", self.security_key_box)
        self.add_key_button = QPushButton(_("&Add a security key…"), self.security_key_box)
        self.add_key_button.setAccessibleName(_("Add a security key to your login"))
        self.add_key_button.clicked.connect(lambda: self.ask_security_key(adding=True))
        self.remove_key_button = QPushButton(_("Remo&ve"), self.security_key_box)
        self.remove_key_button.setAccessibleName(_("Remove the security key from your login"))
        self.remove_key_button.clicked.connect(lambda: self.ask_security_key(adding=False))
        security_key_layout = QVBoxLayout(self.security_key_box)
        security_key_layout.addWidget(self.security_key_state)
        security_key_buttons = QHBoxLayout()
        security_key_buttons.addWidget(self.add_key_button)
        security_key_buttons.addWidget(self.remove_key_button)
        security_key_buttons.addStretch(1)
        security_key_layout.addLayout(security_key_buttons)
        self.show_security_key()

        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.protection)
        layout.addWidget(lock_box)
        layout.addWidget(key_box)
        layout.addWidget(self.security_key_box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        context.changed.connect(lambda: self.show_rekey_due() if self.isVisible() else None)  # else when shown
        self.show_rekey_due()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.show_rekey_due()

    def show_rekey_due(self) -> None:
        if not self.context.is_open or self.context.busy:
            return
        notice = rekey_due.rekey_due_notice(self.context.session)
        if notice:
            self.rekey_due.show_warning(notice)
        else:
            self.rekey_due.clear()

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

    def save_idle_minutes(self) -> None:
        if self.context.busy:
            return
        minutes = self.idle.value()
        try:
            SettingsService(self.context.session).set_idle_minutes(minutes)
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.message.show_info(_("The app now locks after {n} minutes without use.").format(n=minutes))
        self.idle_minutes_changed.emit(minutes)
        self.context.changed.emit()

    def ask_kit_path(self) -> None:
        folder = documents_folder()
        suggested = folder / _("Counterpart recovery kit.pdf")
        ask_save_path(
            self.window(),
            _("Save the recovery kit"),
            suggested,
            _("PDF documents (*.pdf)"),
            self.save_kit,
            default_suffix="pdf",
        )

    def save_kit(self, path: Path) -> None:
        session = self.context.session
        self.message.clear()
        self.context.run(
            write_recovery_kit(session, path),
            description=_("Saving the recovery kit…"),
            on_done=lambda _r: self.message.show_info(
                _("Saved to {path}. Print it, keep it somewhere safe, then delete the file.").format(path=path)
            ),
            on_error=lambda exc: self.message.show_error(message_for(exc)),
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
