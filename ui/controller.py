"""Which window is on screen, and the session's life: create or unlock, work, lock, unlock again.

Locking is the one place that tears everything down: it records the lock, closes every connection and
wipes the key (session.lock), empties the views, takes our text back off the clipboard, throws the main
window and its dialogs away, and shows the unlock screen. Locking waits while an operation holds the
connection (a rekey cannot be interrupted); it happens the moment the operation ends.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog

from app.errors import CounterpartError
from app.locale import _, ngettext
from app.vault.location import default_vault_path
from app.vault.paths import VaultPaths
from ui import clipboard
from ui.idle import IdleWatcher
from ui.memory import drop_import_leftovers
from ui.unlock import UnlockWindow
from ui.window_places import geometry_key, place_over, restore_geometry, save_geometry

if TYPE_CHECKING:  # what is built only after unlocking (or with no vault yet) is imported where it is built
    from app.access.session import Session
    from ui.change_password import ChangePasswordDialog
    from ui.main_window import MainWindow
    from ui.session_context import SessionContext
    from ui.wizard import WelcomeWizard

log = logging.getLogger(__name__)

LAST_VAULT_KEY = "vault/last_path"  # a file path, not customer data


def free_vault_path(wanted: Path) -> Path:
    """`wanted`, or the first `name-2.vault`, `name-3.vault`… beside it that is not taken."""
    candidate, n = wanted, 1
    while VaultPaths.of(candidate).database.exists() or VaultPaths.of(candidate).keyfile.exists():
        n += 1
        candidate = wanted.with_name(f"{wanted.stem}-{n}{wanted.suffix}")
    return candidate


BACKUP_CHECK_MS = 60 * 60 * 1000


class AppController(QObject):
    def __init__(
        self,
        settings: QSettings,
        *,
        default_path: Path | None = None,
        idle_timeout_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._backup_timer = QTimer(self)  # the automatic backup while the app stays open (at most daily)
        self._backup_timer.setInterval(BACKUP_CHECK_MS)
        self._backup_timer.timeout.connect(self._timed_backup)
        self.default_path = default_path or default_vault_path()
        self._idle_override = idle_timeout_ms  # tests inject a short timeout
        self.idle = IdleWatcher(idle_timeout_ms or 5 * 60_000, self)
        self.idle.idle.connect(lambda: self.lock("idle_lock"))
        self.wizard: WelcomeWizard | None = None
        self.unlock_window: UnlockWindow | None = None
        self.main_window: MainWindow | None = None
        self.context: SessionContext | None = None
        self.vault_path: Path | None = None
        self._forced_dialog: ChangePasswordDialog | None = None
        self._resume: tuple[str, str] | None = None  # (user, page) at the last lock
        self._pending: tuple[str, bool, bool] | None = None  # (reason, switch user, quit) waiting for a worker
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._application_state_changed)
            app.commitDataRequest.connect(self._commit_data_requested)
            app.aboutToQuit.connect(self._about_to_quit)

    # --- starting ------------------------------------------------------------------------------------------

    def remembered_path(self) -> Path | None:
        value = self.settings.value(LAST_VAULT_KEY)
        return Path(str(value)) if value else None

    def _remember(self, path: Path) -> None:
        self.vault_path = path
        self.settings.setValue(LAST_VAULT_KEY, str(path))
        self.settings.sync()

    def start_path(self) -> Path | None:
        """The last-used vault if it is still there, else the default one if it exists, else None."""
        for path in (self.remembered_path(), self.default_path):
            if path is not None and (path.exists() or VaultPaths.of(path).keyfile.exists()):
                return path
        return None

    def start(self) -> None:
        path = self.start_path()
        if path is None:
            self.show_wizard()
        else:
            self.show_unlock(path)
        drop_import_leftovers()

    def show_wizard(self) -> WelcomeWizard:
        from ui.wizard import WelcomeWizard  # only when there is no vault yet: kept off the unlock screen's start

        self.wizard = WelcomeWizard(free_vault_path(self.default_path))
        self.wizard.vault_created.connect(self._vault_created)
        self.wizard.rejected.connect(self._wizard_cancelled)
        self.wizard.show()
        return self.wizard

    def _wizard_cancelled(self) -> None:
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.deleteLater()
        if self.unlock_window is not None:
            self.unlock_window.show()
        else:
            QApplication.quit()

    def _vault_created(self, session: Session) -> None:
        self._remember(session.vault.paths.database)
        wizard, self.wizard = self.wizard, None
        self._start_session(session)
        if wizard is not None:
            wizard.hide()
            wizard.deleteLater()

    def show_unlock(self, path: Path, select: str | None = None, notice: str = "") -> UnlockWindow:
        self.vault_path = path
        if self.unlock_window is None:
            self.unlock_window = UnlockWindow(path)
            self.unlock_window.unlocked.connect(self._unlocked)
            self.unlock_window.create_requested.connect(self._create_requested)
        self.unlock_window.set_vault(path, select=select, notice=notice)
        self.unlock_window.show()
        self.unlock_window.raise_()
        self.unlock_window.activateWindow()
        return self.unlock_window

    def _create_requested(self) -> None:
        if self.unlock_window is not None:
            self.unlock_window.hide()
        self.show_wizard()

    # --- a session -----------------------------------------------------------------------------------------

    def _unlocked(self, session: Session, temporary_password: str = "") -> None:
        assert self.unlock_window is not None
        self._remember(self.unlock_window.path)
        self._start_session(session, temporary_password)

    def _start_session(self, session: Session, temporary_password: str = "") -> None:
        """`temporary_password`: the one just typed at the unlock screen, when it must be replaced now; the
        forced change uses it instead of asking for it again, and drops it."""
        # Only after unlocking: the session's services and dialogs are kept off the unlock screen's start
        from app.access.settings import SettingsService
        from ui.change_password import ChangePasswordDialog
        from ui.session_context import SessionContext

        self.context = SessionContext(session, self)
        if self._idle_override is None:
            with contextlib.suppress(CounterpartError):  # unreadable: keep the default
                self.idle.set_timeout_ms(SettingsService(session).idle_minutes() * 60_000)
        self.idle.start()
        if session.user.must_change_password:
            parent = self.unlock_window if self.unlock_window is not None and self.unlock_window.isVisible() else None
            dialog = ChangePasswordDialog(self.context, parent, forced=True, current_password=temporary_password)
            dialog.accepted.connect(self._open_main)
            dialog.rejected.connect(lambda: self.lock("logout", switch_user=True))
            self._forced_dialog = dialog
            dialog.open()
        else:
            self._open_main()

    def _open_main(self) -> None:
        from ui.main_window import MainWindow  # every page, reportlab and the services: loaded at first unlock

        drop_import_leftovers()  # before the window is built, which reuses that memory
        if self._forced_dialog is not None:
            self._forced_dialog.deleteLater()
            self._forced_dialog = None
        context = self.context
        assert context is not None
        window = MainWindow(context)
        window.lock_requested.connect(lambda: self.lock("lock"))
        window.switch_user_requested.connect(lambda: self.lock("switch_user", switch_user=True))
        window.quit_requested.connect(self.quit)
        window.idle_minutes_changed.connect(self._idle_minutes_changed)
        window.restore_requested.connect(self._restore)
        if self._resume is not None and self._resume[0] == context.session.user.name:
            window.show_page(self._resume[1])
        self._resume = None
        self.main_window = window
        if not restore_geometry(self.settings, self._geometry_key(context), window):  # as this person left it
            place_over(
                window, next((w for w in (self.unlock_window, self.wizard) if w is not None and w.isVisible()), None)
            )  # the first time: where they signed in, not the top-left corner
        window.show()
        from ui.rekey import show_finished_rekey

        show_finished_rekey(context, window)  # this sign-in finished an interrupted rekey: its new key, once
        if self.unlock_window is not None:
            self.unlock_window.hide()
        self._after_unlock(context, window)
        drop_import_leftovers()  # every page's modules are in by now

    @staticmethod
    def _geometry_key(context: SessionContext) -> str:
        return geometry_key(context.session.vault.paths.database, context.session.user.id)

    def _after_unlock(self, context: SessionContext, window: MainWindow) -> None:
        """What is due at unlock: the daily backup (in the background), and reminders of deadlines and chores."""
        # Only after unlocking, so kept off the unlock screen's start
        from app.access.roles import Permission
        from app.privacy.reminders import Place, reminders_for
        from ui.privacy.health_tab import show_health_place

        session = context.session
        show_me: dict[Place, Callable[[], object]] = {
            Place.SECURITY: lambda: self._show_security(window),
            Place.REQUESTS: lambda: window.show_privacy_tab(window.privacy.requests),
            Place.RETENTION: lambda: window.show_privacy_tab(window.privacy.retention),
            Place.TRAINING: lambda: show_health_place(window, "training"),
            Place.REVIEW: lambda: show_health_place(window, "review"),
        }
        for reminder in reminders_for(session):  # which ones this role sees is app/'s decision
            window.notices.add(reminder.text, show_me.get(reminder.place))
        if session.can(Permission.BACKUP):
            # A backup problem stays in the status bar (_show_backup_state); the drill is a reminder above
            self._show_backup_state(window, session)
            self._backup_timer.start()
        self._finish_sweep_traces(context, window, then=self._timed_backup)

    @staticmethod
    def _finish_sweep_traces(context: SessionContext, window: MainWindow, then: Callable[[], object]) -> None:
        """An erasure or sweep that ended before removing the erased people's words from the search index (the app
        closed or crashed in between) finishes now, for whoever signs in: it shows nobody's data. Then `then`."""
        from app.privacy.retention import RetentionService
        from ui.operation import message_for
        from ui.operations.privacy import remove_sweep_traces

        if context.busy or not context.is_open or not RetentionService(context.session).traces_pending():
            then()
            return

        def failed(exc: object) -> None:
            window.say(message_for(exc))
            then()

        context.run(
            remove_sweep_traces(context.session),
            description=_("Finishing the last erasure: removing erased people's words from the search index…"),
            on_done=lambda _when: then(),
            on_error=failed,
            changes_data=False,  # nothing anyone sees changes
        )

    @staticmethod
    def _show_security(window: MainWindow) -> None:
        """Settings › Security, where the rekey is (a rekey-due notice's "Show me")."""
        window.show_page("settings")
        if window.settings.security is not None:
            window.settings.tabs.setCurrentWidget(window.settings.security)

    def _timed_backup(self) -> None:
        """At unlock and every hour while open: the daily backup when one is due (in the background)."""
        # Only after unlocking, so kept off the unlock screen's start
        from app.access import settings
        from app.access.roles import Permission
        from ui.operation import message_for
        from ui.operations.security import back_up_if_due

        context, window = self.context, self.main_window
        if context is None or window is None or context.busy:
            return
        session = context.session
        if not session.can(Permission.BACKUP) or not settings.backup_folder(session):
            return
        context.run(
            back_up_if_due(session),
            description=_("Making the daily backup…"),
            changes_data=False,
            on_done=lambda _made: self._show_backup_state(window, session),
            on_error=lambda exc: window.say(message_for(exc)),
        )

    @staticmethod
    def _show_backup_state(window: MainWindow, session: Session) -> None:
        # Only after unlocking, so kept off the unlock screen's start
        from app.access import settings
        from app.locale.formatting import moment
        from app.vault import backup

        folder = settings.backup_folder(session)
        warning = backup.status(folder)
        if warning is None and folder:
            latest = backup.list_backups(Path(folder))[0]
            window.backup_label.setText(_("Last backup: {when}").format(when=moment(latest.created, length="short")))
            window.backup_label.setToolTip(str(latest.path))
            window.backup_label.setAccessibleName(window.backup_label.text())
        else:  # the whole sentence did not fit beside who is signed in (German cut it mid-word): in the tooltip
            window.backup_label.setText("⚠ " + _("Backups need attention"))
            window.backup_label.setToolTip(warning or "")
            window.backup_label.setAccessibleName(warning or window.backup_label.text())

    def _restore(self, folder: str, user: str, password: object, recovery_key: object) -> None:
        """Lock first (the vault must be closed), then replace it with the verified backup."""
        # Only from the main window, so kept off the unlock screen's start
        from app.admin import restore
        from ui.operation import message_for

        if self.context is None or self.context.busy or self.vault_path is None:
            return
        path = self.vault_path
        self._resume = None
        self._end_session("restore")
        try:
            result = restore.restore(
                Path(folder),
                path,
                user=user or None,
                password=password if isinstance(password, str) else None,
                recovery_key=recovery_key if isinstance(recovery_key, str) else None,
            )
            notice = _("Restored from {backup}; the previous files are kept in {aside}.").format(
                backup=Path(folder).name, aside=result.kept_aside or "-"
            )
        except Exception as exc:  # shown to the person; the current vault was not touched
            notice = message_for(exc)
        self.show_unlock(path, select=user or None, notice=notice)

    def _idle_minutes_changed(self, minutes: int) -> None:
        if self._idle_override is None:
            self.idle.set_timeout_ms(minutes * 60_000)

    # --- locking -------------------------------------------------------------------------------------------

    def lock(self, reason: str = "lock", *, switch_user: bool = False) -> None:
        """Lock now, or as soon as the running operation ends (it holds the connection)."""
        context = self.context
        if context is None:
            return
        if context.busy:
            first = self._pending is None
            self._pending = (reason, switch_user, self._pending is not None and self._pending[2])
            if first:
                context.busy_changed.connect(self._run_pending)
            if self.main_window is not None:
                self.main_window.say(_("Locking as soon as the current task is done…"))
            return
        user = context.session.user.name
        page = self.main_window.current_page() if self.main_window is not None else None
        self._resume = None if switch_user or page is None else (user, page)
        self._end_session(reason)
        assert self.vault_path is not None
        self.show_unlock(self.vault_path, select=None if switch_user else user, notice=self._lock_notice(reason))

    def _lock_notice(self, reason: str) -> str:
        if reason == "idle_lock":
            minutes = max(1, round(self.idle.timeout_ms / 60_000))
            return ngettext(
                "Locked after {n} minute without use.", "Locked after {n} minutes without use.", minutes
            ).format(n=minutes)
        if reason == "suspend_lock":
            return _("Locked because the computer went to sleep.")
        return ""

    def _run_pending(self, busy: bool, _description: str) -> None:
        if busy or self._pending is None or self.context is None:
            return
        self.context.busy_changed.disconnect(self._run_pending)
        reason, switch_user, quitting = self._pending
        self._pending = None
        if quitting:
            self.quit()
        else:
            self.lock(reason, switch_user=switch_user)

    def _end_session(self, reason: str) -> None:
        """Record the lock, close the vault, and throw away every window part that saw its data."""
        context, self.context = self.context, None
        self.idle.stop()
        self._backup_timer.stop()
        window, self.main_window = self.main_window, None
        if window is not None:
            if context is not None:
                save_geometry(self.settings, self._geometry_key(context), window)  # per vault and user
            window.clear()
        if context is not None:
            session = context.session
            try:
                session.lock(reason)
            except Exception as exc:  # the audit entry could not be written: still close and wipe the key
                log.warning("lock could not be recorded: %s", type(exc).__name__)
                session.vault.close()
            context.deleteLater()
        clipboard.clear_if_ours()
        if self._forced_dialog is not None:
            self._forced_dialog.blockSignals(True)
            self._forced_dialog.hide()
            self._forced_dialog.deleteLater()
            self._forced_dialog = None
        if window is not None:
            for dialog in window.findChildren(QDialog):
                dialog.blockSignals(True)
                dialog.hide()
            window.discarded = True
            window.hide()
            window.deleteLater()

    def _commit_data_requested(self, _manager: object) -> None:
        """The desktop session is ending (log out, shut down): lock like a person leaving the till."""
        self.lock("logout")

    def _application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock("suspend_lock")

    # --- quitting ------------------------------------------------------------------------------------------

    def quit(self) -> None:
        if self.context is not None and self.context.busy:
            first = self._pending is None
            self._pending = ("logout", False, True)
            if first:
                self.context.busy_changed.connect(self._run_pending)
            if self.main_window is not None:
                self.main_window.say(_("Quitting as soon as the current task is done…"))
            return
        if self.context is not None:
            self._end_session("logout")
        QApplication.quit()

    def _about_to_quit(self) -> None:
        if self.context is not None and not self.context.busy:
            self._end_session("logout")
