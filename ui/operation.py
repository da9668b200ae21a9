"""Run slow work (key derivation, rekey, PDFs, exports) on a worker thread so the window never freezes.

The rule for the session's database connection: sqlcipher3 connections are opened with
check_same_thread=False, but one connection must never be used by two threads at once. So while an
operation works on the session's connection, the UI thread must not query it. `SessionContext.run`
(ui/session_context.py) enforces this: it marks the session busy before the worker
starts and clears the mark only after the worker has finished, and everything in ui/ that reads the
database checks `context.busy` first (models stop fetching, the window is disabled, locking waits). Work that does not
touch an open session (creating or unlocking a vault) may use `Operation` directly.

Any thread may open or close a vault: app/vault/vault.py takes its 'already open' file lock with
`thread_local=False`, so a vault unlocked on a pool thread is locked (and its lock file released) from the
UI thread. There is no vault thread.

`Operation[T]` is typed by what its work returns; the named work functions live in ui/operations/, one
module per domain. Signals always arrive on the UI thread, in this order: `progressed`* then
`finished(result)` or `failed(exc)`, then `changed` (only after success, and only when the work changes
data) and `ended`. `message_for` is the one place that turns any exception into words for a person.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import CounterpartError
from app.fileio import describe_file_error
from app.locale import _
from app.store.database import name_error

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
T = TypeVar("T")
R = TypeVar("R", covariant=True)  # an Operation[R] is an Operation[object]: holders of "the running one" need no Any
Work = Callable[[Progress, Cancelled], T]  # Work[T]: what a worker runs, returning T


class OperationCancelled(CounterpartError):
    """Raised by work that noticed `cancelled()`; reported through `failed` like any other error."""


def stoppable(progress: Progress, cancelled: Cancelled, stopped: str) -> Callable[[int], None]:
    """A service's progress callback (a count so far) that passes the count on, and stops the work with
    OperationCancelled(`stopped`) when the person cancelled."""

    def report(done: int) -> None:
        if cancelled():
            raise OperationCancelled(stopped)
        progress(done, 0)

    return report


def stoppable_export(progress: Progress, cancelled: Cancelled) -> Callable[[int], None]:
    """`stoppable` for a file export, which leaves no file when stopped (it is written aside until done)."""
    return stoppable(progress, cancelled, _("The export was stopped; no file was written."))


class _Relay(QObject):
    """Lives on the UI thread; the worker emits through it, so Qt queues every signal to the UI thread."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    errored = Signal(object)


class _Runnable(QRunnable, Generic[R]):
    def __init__(self, work: Work[R], relay: _Relay, cancel_flag: threading.Event) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Operation keeps it until the worker is done
        self._work: Work[R] | None = work
        self._relay = relay
        self._cancel = cancel_flag
        # Set once the worker is out of its last emit. The UI thread may receive the queued result before the
        # worker's emit call has returned through PySide; an Operation deleted then (deleteLater on `ended`)
        # freed the relay under that call, a rare segfault in processEvents (test_ui_audit, 1 run in 5).
        self.handed_over = threading.Event()

    def release(self) -> None:
        """Forget the work once its result is delivered (see Operation._worker_done)."""
        self._work = None

    def run(self) -> None:
        work = self._work
        if work is None:
            return
        try:
            result = work(self._relay.progressed.emit, self._cancel.is_set)
        except Exception as exc:  # every failure goes back to the UI thread, never lost in the pool
            if not isinstance(exc, CounterpartError):
                # A bug: log the kind only; a message or traceback could hold customer data.
                log.error("operation failed unexpectedly: %s", type(exc).__name__)
            self._relay.errored.emit(exc)
        else:
            self._relay.succeeded.emit(result)
        finally:
            self.handed_over.set()


class Operation(QObject, Generic[R]):
    """One piece of work on the thread pool, with progress, cancel and result signals (see module doc)."""

    progressed = Signal(int, int)  # done, total (total 0: unknown)
    finished = Signal(object)  # the work's return value
    failed = Signal(object)  # the exception it raised
    changed = Signal()  # data changed: views refresh
    ended = Signal()  # after finished or failed, always

    def __init__(self, work: Work[R], parent: QObject | None = None, *, changes_data: bool = True) -> None:
        super().__init__(parent)
        self._work: Work[R] | None = work
        self._changes_data = changes_data
        self._cancel = threading.Event()
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_progress)
        self._relay.succeeded.connect(self._on_success)
        self._relay.errored.connect(self._on_error)
        self._runnable: _Runnable[R] | None = None
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> Operation[R]:
        if self._running or self._work is None:
            raise RuntimeError("an operation runs once")
        self._running = True
        self._cancel.clear()
        self._runnable = _Runnable(self._work, self._relay, self._cancel)
        QThreadPool.globalInstance().start(self._runnable)
        return self

    def cancel(self) -> None:
        """Ask the work to stop; it stops where it next checks `cancelled()` (some work cannot stop)."""
        self._cancel.set()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)

    def _worker_done(self) -> None:
        """Wait (microseconds) until the worker is out of its emit, then let go of the work: its closure may hold
        a password or a path, and the Operation itself stays a child of its parent (it is not deleteLater'd:
        deleting Operations that way crashed in ~QObject now and then, 5 runs in 30 of test_ui_audit; kept
        as children, never). The runnable is kept: dropping it here could leave its deletion to the worker."""
        if self._runnable is not None:
            self._runnable.handed_over.wait(5)
            self._runnable.release()
        self._work = None
        self._running = False

    @Slot(object)
    def _on_success(self, result: object) -> None:
        self._worker_done()
        self.finished.emit(result)
        if self._changes_data:
            self.changed.emit()
        self.ended.emit()

    @Slot(object)
    def _on_error(self, exc: object) -> None:
        self._worker_done()
        self.failed.emit(exc)
        self.ended.emit()


def message_for(exc: object) -> str:
    """What to tell the person: our errors are written for people; anything else is a bug we name only."""
    if isinstance(exc, CounterpartError):
        return str(exc)
    if isinstance(exc, Exception) and (named := name_error(exc)) is not None:  # a database error app/ names
        return str(named)
    if isinstance(exc, OSError):  # a save to a missing, read-only or full place: what and where, in words
        return describe_file_error(exc)
    return _("An unexpected error happened ({kind}). Please report it.").format(kind=type(exc).__name__)
