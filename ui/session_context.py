"""The signed-in session as the UI sees it: the app/ Session plus the busy gate for its one connection.

Every window part that touches the session gets this object. `run` is the only way work reaches a worker
thread while a session is open, and `busy` tells the UI thread to keep its hands off the connection
meanwhile (see ui/operation.py for the rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.access.roles import Permission
from app.access.session import Session
from app.locale import _
from app.store.database import bound_cache
from ui.operation import Operation, Work

T = TypeVar("T")


class SessionContext(QObject):
    busy_changed = Signal(bool, str)  # busy, what is happening (for the status bar)
    progressed = Signal(int, int)  # the running operation's progress (done, total; total 0 when not known)
    changed = Signal()  # data in the vault changed: views refresh

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._operation: Operation[object] | None = None
        self.cancellable = False  # whether the running operation stops when asked (the status bar's Cancel)
        bound_cache(session.conn)  # a window's page cache, small between bulk work (app/store/database.py)

    @property
    def busy(self) -> bool:
        """True while a worker uses the connection: do not query the database from the UI thread."""
        return self._operation is not None

    @property
    def is_open(self) -> bool:
        return self.session.vault.is_open

    def can(self, permission: Permission) -> bool:
        return self.session.can(permission)

    def why_not(self, permission: Permission) -> str:
        """A tooltip for something this role may not use (the services refuse it anyway)."""
        return _("Your role ({role}) may not {action}.").format(
            role=self.session.role.label(), action=permission.label()
        )

    def run(
        self,
        work: Work[T],
        *,
        description: str,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[object], object] | None = None,
        changes_data: bool = True,
        cancellable: bool = False,
    ) -> Operation[T]:
        """Run `work` (usually a named one from ui/operations/) on a worker with the connection to itself; one
        operation at a time per session. `on_done` gets what the work returned, typed. `cancellable` work
        answers `cancel()` (the main window then offers Cancel beside its progress).

        The gate opens again before `on_done`/`on_error` run, so they may use the connection.
        """
        if self._operation is not None:
            raise RuntimeError("the session is busy with another operation")
        if not self.is_open:
            raise RuntimeError("the session is locked")
        operation = Operation(work, self, changes_data=changes_data)

        def done(result: T) -> None:  # `finished` carries exactly what `work` returned
            self._release()
            if on_done is not None:
                on_done(result)

        def failed(exc: object) -> None:
            self._release()
            if on_error is not None:
                on_error(exc)

        operation.finished.connect(done)
        operation.failed.connect(failed)
        operation.changed.connect(self.changed)  # it stays our child until we go (see Operation._worker_done)
        operation.progressed.connect(self.progressed)
        self._operation = operation
        self.cancellable = cancellable
        self.busy_changed.emit(True, description)
        return operation.start()

    def cancel(self) -> None:
        """Ask the running operation to stop (it stops where it next checks; nothing runs: nothing happens)."""
        if self._operation is not None and self.cancellable:
            self._operation.cancel()

    def _release(self) -> None:
        self._operation = None
        self.cancellable = False
        self.busy_changed.emit(False, "")
