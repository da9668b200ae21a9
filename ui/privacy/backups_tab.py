"""Settings/Privacy › Backups: where backups go, making one now, the list, drills and asking for a restore.

The tab never restores the open vault itself: the session must be closed first, so it emits
`restore_requested` and the controller locks, restores and shows the unlock window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.access import settings
from app.access.roles import Permission
from app.errors import CounterpartError
from app.locale import _
from app.vault import backup
from app.vault.backup import BackupInfo
from ui.operations import security as operations
from ui.privacy.backup_dialogs import BackupCredentialsDialog
from ui.privacy.common import (
    Clock,
    ProgressPanel,
    RefreshedWhenShown,
    Row,
    RowsModel,
    button,
    error_text,
    local_time,
    make_table,
    select_key,
    selected_key,
    system_clock,
)
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph, path_field, show_path

_TIME, _REASON, _CONTACTS, _DEALS, _AUDIT, _OPENS = range(6)


def reason_label(reason: str) -> str:
    return {
        "manual": _("Made by hand"),
        "daily": _("Daily"),
        "before-rekey": _("Before a rekey"),
        "before-migration": _("Before an upgrade"),
    }.get(reason, reason)


class BackupsTab(RefreshedWhenShown):
    permission = Permission.BACKUP
    # backup folder, user name ("" with a recovery key), password or None, recovery key or None
    restore_requested = Signal(str, str, object, object)

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(context, parent, clock=clock)
        self._backups: dict[str, BackupInfo] = {}
        self._folder: str | None = None

        self.folder_field = path_field(_("Backup folder"), self)
        self.folder_button = button(_("&Choose folder…"), _("Choose the backup folder"), self, self.ask_folder)
        self.status = MessageLine(self)
        folder_box = QGroupBox(_("Where backups go"), self)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel(_("Folder:"), folder_box))
        folder_row.addWidget(self.folder_field, 1)
        folder_row.addWidget(self.folder_button)
        folder_layout = QVBoxLayout(folder_box)
        folder_layout.addLayout(folder_row)
        folder_layout.addWidget(
            paragraph(
                _(
                    "Backups are encrypted like the vault. Use a drive you can take off site "
                    "(a USB drive) or a synced folder; Counterpart makes one every day and "
                    "keeps 7 daily, 4 weekly and 12 monthly."
                ),
                folder_box,
            )
        )
        folder_layout.addWidget(self.status)

        self.drill_reminder = MessageLine(self)
        self.model = RowsModel(
            [_("Made"), _("Why"), _("Customers"), _("Deals"), _("Audit entries"), _("Opens with")],
            self,
            right=(_CONTACTS, _DEALS, _AUDIT),
        )
        self.table = make_table(self.model, _("Backups, newest first"), self, (150, 130, 90, 70, 100))
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_actions())
        self.backup_button = button(_("Back up &now"), _("Make a backup now"), self, self.back_up)
        self.drill_button = button(_("&Test this backup (drill)…"), _("Test the selected backup"), self, self.ask_drill)
        self.restore_button = button(_("&Restore…"), _("Restore the selected backup"), self, self.ask_restore)
        self._buttons = (self.folder_button, self.backup_button, self.drill_button, self.restore_button)
        actions = QHBoxLayout()
        for push in self._buttons[1:]:
            actions.addWidget(push)
        actions.addStretch(1)
        self.progress = ProgressPanel(self)
        self.message = MessageLine(self)

        self.lay_out(
            [folder_box, self.drill_reminder, actions, self.table],
            grows=self.table,
            buttons=self._buttons,
            data=[folder_box, self.table],
            foot=[self.progress],
        )

    # --- reading -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._may_read():
            return
        session = self.context.session
        now = self.clock()
        self._folder = settings.backup_folder(session)
        show_path(self.folder_field, self._folder or _("not chosen yet"))
        keep = selected_key(self.table, self.model)
        found = backup.list_backups(Path(self._folder)) if self._folder else []
        self._backups = {str(info.path): info for info in found}
        self.model.set_rows([self._row(info) for info in found])
        select_key(self.table, self.model, keep)
        warning = backup.status(self._folder, now)
        if not self._folder:  # the button is right here: say so, not "choose one in Settings › Backups"
            self.status.show_warning(
                _(
                    "No backup folder yet, so no backup is made. Press Choose folder… and pick "
                    "a USB drive you take home, or a synced folder."
                )
            )
            self.folder_button.setFocus()
        elif warning:
            self.status.show_warning(warning)
        else:
            self.status.show_info(
                _("Last backup: {time} ({why}).").format(
                    time=local_time(found[0].created), why=reason_label(found[0].reason)
                )
            )
        if settings.drill_due(session, now):
            self.drill_reminder.show_warning(
                _(
                    "No restore drill in the last 90 days. A backup you have never "
                    "restored is a hope, not a backup: select one and test it."
                )
            )
        else:
            self.drill_reminder.clear()
        self._update_actions()

    def _row(self, info: BackupInfo) -> Row:
        current = backup.current_key_matches(info, self.context.session.vault.keyfile)
        opens = _("Today's passwords") if current else _("the passwords or recovery key of its time")
        counts = info.counts
        return Row(
            [
                local_time(info.created),
                reason_label(info.reason),
                str(counts.get("contact", 0)),
                str(counts.get("deal", 0)),
                str(counts.get("audit_event", 0)),
                opens,
            ],
            key=str(info.path),
            tips={_TIME: str(info.path)},
        )

    def selected(self) -> BackupInfo | None:
        key = selected_key(self.table, self.model)
        return self._backups.get(key) if key is not None else None

    def _update_actions(self) -> None:
        if not self.allowed:
            return
        chosen = self.selected() is not None
        for push in (self.drill_button, self.restore_button):
            push.setEnabled(chosen)
            push.setToolTip("" if chosen else _("Select a backup first."))
        self.backup_button.setEnabled(bool(self._folder))
        self.backup_button.setToolTip("" if self._folder else _("Choose a backup folder first."))

    # --- the folder and making backups ---------------------------------------------------------------------

    def ask_folder(self) -> QFileDialog | None:
        if self.context.busy or not self.allowed:
            return None
        dialog = QFileDialog(self.window(), _("Choose the backup folder"), self._folder or str(Path.home()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: self.set_folder(Path(path)) if path else None)
        return self.open_dialog(dialog)

    def set_folder(self, folder: Path) -> None:
        if self.context.busy:
            return
        try:
            settings.set_backup_folder(self.context.session, folder)
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.message.show_info(_("Backups now go to {path}.").format(path=folder))
        self.context.changed.emit()

    def back_up(self) -> None:
        if self.context.busy or not self._folder:
            return
        session = self.context.session
        self.message.clear()
        operation = self.context.run(
            operations.back_up(session),
            description=_("Making a backup…"),
            on_done=lambda made: self.message.show_info(_("Backup made: {name}.").format(name=Path(made).name)),
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Backing up…"))

    # --- drills and restores -------------------------------------------------------------------------------

    def _credentials_dialog(self, info: BackupInfo, restore: bool) -> BackupCredentialsDialog:
        current = backup.current_key_matches(info, self.context.session.vault.keyfile)
        dialog = BackupCredentialsDialog(
            info, self.context.session.user.name, current_key=current, restore=restore, parent=self
        )
        self.dialog = dialog
        return dialog

    def ask_drill(self) -> QDialog | None:
        info = self.selected()
        if info is None or self.context.busy:
            return None
        dialog = self._credentials_dialog(info, restore=False)

        def accepted() -> None:
            user, password, key = dialog.credentials()
            dialog.forget()
            self.drill(info, user, password, key)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def drill(self, info: BackupInfo, user: str | None, password: str | None, key: str | None) -> None:
        """Open a copy of the backup in a temporary folder on a worker, count it, record the drill."""
        if self.context.busy:
            return
        session = self.context.session
        self.message.clear()

        def done(counts: dict[str, int]) -> None:
            self.message.show_info(
                _(
                    "Drill passed: the backup from {time} opens and is intact ({n} customers, {users} users). Recorded."
                ).format(time=local_time(info.created), n=counts.get("contact", 0), users=counts.get("user", 0))
            )

        work = operations.drill(session, info.path, user=user, password=password, recovery_key=key)
        operation = self.context.run(
            work,
            description=_("Testing a backup…"),
            on_done=done,
            on_error=lambda exc: self.message.show_error(
                _("The drill failed: {reason}").format(reason=error_text(exc))
            ),
        )
        self.progress.follow(operation, _("Testing the backup…"))

    def ask_restore(self) -> QDialog | None:
        info = self.selected()
        if info is None or self.context.busy:
            return None
        dialog = self._credentials_dialog(info, restore=True)

        def accepted() -> None:
            user, password, key = dialog.credentials()
            dialog.forget()
            self.restore_requested.emit(str(info.path), user or "", password, key)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def clear(self) -> None:
        self._cleared = True
        if isinstance(self.dialog, BackupCredentialsDialog):
            self.dialog.forget()  # the backup password typed so far
        self.close_dialog()
        self._backups = {}
        self.model.clear()
        self.message.clear()
