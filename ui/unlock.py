"""The unlock screen, like a till: pick your name, type your password, press Enter.

Also the way out when things go wrong: the recovery key, another vault, or a new one. Unlocking derives
the slot key with argon2 (about half a second), so it runs on a worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.access.sign_in import sign_in_names, wait_before_unlock
from app.errors import CounterpartError, LockedOut
from app.locale import _, ngettext
from ui.dialogs import ask_open_path, vault_filter
from ui.resources import app_icon
from ui.widgets import MessageLine, busy_bar, heading, path_field, show_path

if TYPE_CHECKING:  # what unlocking and recovering need is imported when they start, not to show this screen
    from app.access.session import Session
    from app.admin.security import RecoveryResult
    from app.vault.keyfile import Enrolment
    from app.vault.second_factor import Fido2SecondFactor
    from ui.operation import Operation
    from ui.recovery import RecoveryDialog


class UnlockWindow(QWidget):
    """Emits `unlocked(session, temporary_password)` (then `self.path` is the vault to remember) and
    `create_requested`. `temporary_password` is the password just typed when it is a temporary one the person
    must replace now (so the change does not ask for it again), else "": no other password leaves this window."""

    unlocked = Signal(object, object)  # Session, str: objects, so the password is not copied into a QString
    create_requested = Signal()
    touch_needed = Signal()  # from the worker: the login's security key waits for a touch

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Unlock the vault"))  # Qt adds the app's display name: "… — Counterpart"
        self.setWindowIcon(app_icon())
        self.path = path
        self._operation: Operation[Session] | None = None
        self._typed = ""  # the password being tried, only while the unlock runs
        self._security_key: SecurityKeyWhenAsked | None = None  # asked only when the login needs a key
        self._wait_until = 0.0
        self._countdown_reason = ""
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._build()
        self.set_vault(path)

    # --- layout --------------------------------------------------------------------------------------------

    def _build(self) -> None:
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(48, 48))
        self.title = heading(_("Unlock the vault"), self, 1.5)
        self.path_label = path_field(_("Vault file"), self)
        title_box = QVBoxLayout()
        title_box.addWidget(self.title)
        title_box.addWidget(self.path_label)
        header = QHBoxLayout()
        header.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(title_box, 1)

        self.names = QListWidget(self)
        self.names.setAccessibleName(_("Who is signing in"))
        self.names.setMinimumWidth(200)
        self.names.currentTextChanged.connect(self._name_changed)
        names_label = QLabel(_("&Who are you?"), self)
        names_label.setBuddy(self.names)
        left = QVBoxLayout()
        left.addWidget(names_label)
        left.addWidget(self.names, 1)

        self.password_label = QLabel(_("&Password:"), self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Password"))
        self.password.setMinimumWidth(240)
        self.password.returnPressed.connect(self.unlock)
        self.password.textEdited.connect(lambda _text: self._clear_error_unless_waiting())
        self.password_label.setBuddy(self.password)
        self.names.itemClicked.connect(lambda _item: self.password.setFocus())  # like a till: name, then password
        self.names.itemActivated.connect(lambda _item: self.password.setFocus())
        self.unlock_button = QPushButton(_("&Unlock"), self)
        self.unlock_button.setAccessibleName(_("Unlock"))
        self.unlock_button.clicked.connect(self.unlock)
        self.unlock_button.setDefault(True)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        self.busy = busy_bar(self)
        self.message = MessageLine(self)
        self.cancel_touch = QPushButton(_("Cancel"), self)  # while a security key waits for a touch
        self.cancel_touch.setAccessibleName(_("Stop waiting for the security key"))
        self.cancel_touch.clicked.connect(self._cancel_touch)
        self.cancel_touch.hide()
        self.touch_needed.connect(self._ask_for_touch)
        self.notice = MessageLine(self)
        self.forgot = QPushButton(_("&Forgot password? Use the recovery key…"), self)
        self.forgot.setFlat(True)
        self.forgot.setAccessibleName(_("Forgot password? Use the recovery key"))
        self.forgot.setCursor(Qt.CursorShape.PointingHandCursor)
        self.forgot.clicked.connect(self.open_recovery)
        right = QVBoxLayout()
        right.addWidget(self.password_label)
        right.addLayout(row)
        right.addWidget(self.busy)
        right.addWidget(self.message)
        right.addWidget(self.cancel_touch, 0, Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.notice)
        right.addStretch(1)
        right.addWidget(self.forgot, 0, Qt.AlignmentFlag.AlignLeft)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addSpacing(16)
        body.addLayout(right, 3)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.open_other = QPushButton(_("&Open another vault…"), self)
        self.open_other.setAccessibleName(_("Open another vault"))
        self.open_other.clicked.connect(self._choose_vault)
        self.create_new = QPushButton(_("&Create a new vault…"), self)
        self.create_new.setAccessibleName(_("Create a new vault"))
        self.create_new.clicked.connect(self.create_requested)
        footer = QHBoxLayout()
        footer.addWidget(self.open_other)
        footer.addWidget(self.create_new)
        footer.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addLayout(header)
        layout.addSpacing(12)
        layout.addLayout(body, 1)
        layout.addWidget(line)
        layout.addLayout(footer)
        self.setTabOrder(self.names, self.password)
        self.setTabOrder(self.password, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.forgot)
        self.setTabOrder(self.forgot, self.open_other)
        self.setTabOrder(self.open_other, self.create_new)
        self.resize(680, 420)

    # --- state ---------------------------------------------------------------------------------------------

    def set_vault(self, path: Path, select: str | None = None, notice: str = "") -> None:
        """Show the sign-in names of the vault at `path`; `select` preselects a name (after a lock)."""
        self.path = path
        show_path(self.path_label, str(path))
        self.password.clear()
        self.message.clear()
        self.names.clear()
        if notice:
            self.notice.show_info(notice)
        else:
            self.notice.clear()
        try:
            names = sign_in_names(path)
        except (CounterpartError, OSError, ValueError) as exc:
            names = []
            detail = str(exc) if isinstance(exc, CounterpartError) else _("the key file beside it cannot be read")
            self.message.show_error(
                _(
                    "Cannot read the logins of this vault ({detail}). If the key file was lost, "
                    "the recovery key still opens the vault."
                ).format(detail=detail)
            )
        self.names.addItems(names)
        if select in names:
            self.names.setCurrentRow(names.index(select))
        elif len(names) == 1:
            self.names.setCurrentRow(0)
        self._set_enabled(True)
        (self.password if self.names.currentItem() else self.names).setFocus()

    def selected_name(self) -> str | None:
        item = self.names.currentItem()
        return item.text() if item is not None else None

    def _set_enabled(self, enabled: bool) -> None:
        waiting = self._wait_until > time.monotonic()
        has_user = self.selected_name() is not None
        for widget in (self.names, self.password, self.forgot, self.open_other, self.create_new):
            widget.setEnabled(enabled)
        self.unlock_button.setEnabled(enabled and has_user and not waiting)

    def _name_changed(self, _name: str) -> None:
        self.password.clear()
        self._wait_until = 0.0
        self._countdown.stop()
        self.message.clear()
        name = self.selected_name()
        if name is not None:
            try:
                wait = wait_before_unlock(self.path, name)
            except (CounterpartError, OSError):
                wait = 0.0
            if wait > 0:
                self._start_countdown(wait, "")
        self._set_enabled(self._operation is None)

    def _clear_error_unless_waiting(self) -> None:
        if self._wait_until <= time.monotonic():
            self.message.clear()

    # --- unlocking -----------------------------------------------------------------------------------------

    def unlock(self) -> None:
        # Imported at the first unlock: SQLCipher, the audit log and the vault are not needed to show this screen
        from ui.operation import Operation
        from ui.operations.vault import open_vault

        name = self.selected_name()
        if self._operation is not None or not self.unlock_button.isEnabled():
            return
        if name is None:
            self.message.show_error(_("Choose your name first."))
            self.names.setFocus()
            return
        password = self.password.text()
        if not password:
            self.message.show_error(_("Type your password."))
            return
        path = self.path
        self._typed = password
        self._security_key = SecurityKeyWhenAsked(on_touch=self.touch_needed.emit)
        self._operation = Operation(open_vault(path, name, password, self._security_key), self)
        self._operation.finished.connect(self._unlocked)
        self._operation.failed.connect(self._failed)
        self.message.clear()
        self.notice.clear()
        self.busy.show()
        self._set_enabled(False)
        self._operation.start()

    def _ask_for_touch(self) -> None:
        if self._operation is not None:
            self.message.show_info(_("Touch your security key."))
            self.cancel_touch.show()
            self.cancel_touch.setFocus()

    def _cancel_touch(self) -> None:
        if self._security_key is not None:
            self._security_key.cancel()
        self.cancel_touch.setEnabled(False)

    def _touch_done(self) -> None:
        self._security_key = None
        self.cancel_touch.hide()
        self.cancel_touch.setEnabled(True)

    def _unlocked(self, session: Session) -> None:
        self._touch_done()
        self._operation = None
        typed, self._typed = self._typed, ""
        self.busy.hide()
        self.password.clear()
        self._set_enabled(True)
        self.unlocked.emit(session, typed if session.user.must_change_password else "")

    def _failed(self, exc: object) -> None:
        from ui.operation import message_for  # loaded by unlock() already

        self._touch_done()
        self._operation = None
        self._typed = ""
        self.busy.hide()
        self.password.clear()
        self._set_enabled(True)
        self.password.setFocus()
        name = self.selected_name() or ""
        if isinstance(exc, LockedOut):
            self._start_countdown(exc.wait_seconds, "")
            return
        wait = 0.0
        if name:
            try:
                wait = wait_before_unlock(self.path, name)
            except (CounterpartError, OSError):
                wait = 0.0
        if wait > 0:
            self._start_countdown(wait, message_for(exc))
        else:
            self.message.show_error(message_for(exc))

    def _start_countdown(self, seconds: float, reason: str) -> None:
        self._wait_until = time.monotonic() + seconds
        self._countdown_reason = reason
        self._countdown.start()
        self._tick()

    def _tick(self) -> None:
        left = int(self._wait_until - time.monotonic() + 0.999)
        if left <= 0:
            self._countdown.stop()
            self._wait_until = 0.0
            if self._countdown_reason:
                self.message.show_error(self._countdown_reason)
            else:
                self.message.clear()
            self._set_enabled(self._operation is None)
            return
        if self._countdown_reason:
            wait_text = ngettext(
                "You can try again in {seconds} second.", "You can try again in {seconds} seconds.", left
            ).format(seconds=left)
            self.message.show_error(self._countdown_reason + "\n" + wait_text)
        else:
            self.message.show_error(
                ngettext(
                    "Too many wrong passwords for {user}. You can try again in {seconds} second.",
                    "Too many wrong passwords for {user}. You can try again in {seconds} seconds.",
                    left,
                ).format(user=self.selected_name() or "", seconds=left)
            )
        self.unlock_button.setEnabled(False)

    # --- the ways out --------------------------------------------------------------------------------------

    def _choose_vault(self) -> None:
        ask_open_path(self, _("Open a vault"), self.path.parent, vault_filter(), self._vault_chosen)

    def _vault_chosen(self, path: Path) -> None:
        self.set_vault(path)

    def open_recovery(self) -> RecoveryDialog:
        from ui.recovery import RecoveryDialog  # only when asked for: kept off the unlock screen's start

        dialog = RecoveryDialog(self.path, self)
        dialog.recovered.connect(self._recovered)
        dialog.open()
        return dialog

    def _recovered(self, result: RecoveryResult) -> None:
        from ui.recovery import recovery_summary  # loaded with the dialog already

        self.set_vault(self.path, select=result.owner, notice=recovery_summary(result))


class SecurityKeyWhenAsked:
    """The unlock's second factor: python-fido2 (7 MB resident, with its public-suffix list) is loaded only when
    the login asks for a key, on the worker thread that asks; most logins have none. `cancel()` from the UI
    thread holds for a key made later too."""

    def __init__(self, on_touch: Callable[[], None]) -> None:
        self._on_touch = on_touch
        self._key: Fido2SecondFactor | None = None
        self._cancelled = False
        self._guard = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._key is not None

    def _real(self) -> Fido2SecondFactor:
        from app.vault.second_factor import Fido2SecondFactor

        with self._guard:
            if self._key is None:
                self._key = Fido2SecondFactor(on_touch=self._on_touch)
                if self._cancelled:
                    self._key.cancel()
            return self._key

    def enrol(self, user_name: str) -> Enrolment:
        return self._real().enrol(user_name)

    def hmac_secret(self, enrolment: Enrolment, salt: bytes) -> bytes:
        return self._real().hmac_secret(enrolment, salt)

    def cancel(self) -> None:
        with self._guard:
            self._cancelled = True
            key = self._key
        if key is not None:
            key.cancel()
