"""Rekey: re-encrypt the vault under a new data key, then show the new recovery key once.

The owner's answer to a suspected key leak (a removed user may have kept a copy of the key).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from app.access.session import Session
from app.locale import _
from ui.dialogs import confirm, warn
from ui.operation import Work, message_for
from ui.operations import security as operations
from ui.recovery_key_panel import RecoveryKeyPanel
from ui.session_context import SessionContext


def rekey_explanation() -> str:
    return _(
        "Counterpart re-encrypts the whole vault under a new key. Every login keeps working. The old recovery "
        "key and every printed recovery kit stop working: you get a new recovery key to save."
    )


def ask_rekey(context: SessionContext, parent: QWidget, intro: str = "") -> None:
    """Confirm, then rekey on a worker and show the new key."""
    text = intro or _("Rekey the vault now?")
    confirm(
        parent, _("Rekey the vault"), text, _("&Rekey now"), lambda: start_rekey(context, parent), rekey_explanation()
    )


def start_rekey(context: SessionContext, parent: QWidget) -> None:
    session = context.session

    def done(new_key: str) -> None:
        NewRecoveryKeyDialog(context, session, new_key, parent).open()

    context.run(
        operations.rekey(session),
        description=_("Re-encrypting the vault…"),
        on_done=done,
        on_error=lambda exc: warn(parent, _("Rekey failed"), message_for(exc)),
    )


def show_finished_rekey(context: SessionContext, parent: QWidget) -> NewRecoveryKeyDialog | None:
    """This sign-in finished a rekey that was interrupted (app.vault.vault.Vault.finished_rekey): show its new
    recovery key now, once."""
    session = context.session
    new_key, session.vault.finished_rekey = session.vault.finished_rekey, None
    if not new_key:
        return None
    dialog = NewRecoveryKeyDialog(context, session, new_key, parent)
    finished = _(
        "A rekey that was interrupted has now finished: the old recovery key no longer opens the vault. "
        "Write down the new one, shown only this once."
    )
    dialog.panel.explanation.setText(finished + " " + dialog.panel.explanation.text())
    dialog.open()
    return dialog


class NewRecoveryKeyDialog(QDialog):
    """The new key after a rekey; it closes only once the owner confirms it is saved."""

    def __init__(
        self, context: SessionContext, session: Session, recovery_key: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Your new recovery key"))
        self.context = context

        def runner(work: Work[None], on_done: Callable[[None], None], on_error: Callable[[object], None]) -> None:
            context.run(
                work, description=_("Saving the recovery kit…"), on_done=on_done, on_error=on_error, changes_data=True
            )

        self.panel = RecoveryKeyPanel(self, runner)
        self.panel.show_key(session, recovery_key)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setEnabled(False)
        self.panel.confirmed.toggled.connect(self.close_button.setEnabled)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.buttons)
        self.setMinimumSize(620, 380)

    def reject(self) -> None:
        """Escape and the window's close button wait for the confirmation too (a lock still closes it)."""
        if self.panel.confirmed.isChecked() or not self.context.is_open:
            self.panel.forget()
            super().reject()
