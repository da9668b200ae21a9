"""Settings › Security: how the vault is protected, the idle lock, rekey and the recovery kit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.access import rekey_due
from app.access.roles import Permission
from app.access.settings import IDLE_LIMITS, SettingsService
from app.errors import CounterpartError
from app.locale import _
from app.vault.location import documents_folder
from ui.dialogs import ask_save_path
from ui.operation import message_for
from ui.operations.security import write_recovery_kit
from ui.rekey import ask_rekey, rekey_explanation
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph


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

        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.protection)
        layout.addWidget(lock_box)
        layout.addWidget(key_box)
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
