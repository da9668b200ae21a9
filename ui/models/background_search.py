"""The customer search, run on a worker thread over a second connection, so typing never waits for it.

At a million customers a keystroke's search takes 30 to 470 ms (measured: "ga", "王芳" and "lukas m" are the
slow ones). Run on the UI thread, each froze the window that long. Here the statement (built and permission-
checked on the UI thread by `ContactService.search_statement`) runs on the vault's second connection
(`Vault.connect`, WAL lets it read beside the session's), one at a time; a newer keystroke interrupts the
search under way (`sqlite3_interrupt`) and only the newest result is delivered.

`stop()` interrupts and waits for the worker: the page calls it before an operation takes the vault and at
lock, so no result lands after either. Should the vault close the connection anyway (a lock from elsewhere),
its close interrupts the statement and waits for it (app/store/worker_connection.py); the next search opens
another connection.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from app.store.database import bound_cache
from app.store.worker_connection import WorkerConnection
from ui.operation import message_for
from ui.session_context import SessionContext


class BackgroundSearch(QObject):
    found = Signal(int, list)  # ticket, ranked ids: only for the newest ticket
    failed = Signal(int, str)  # ticket, what went wrong in words (message_for: never what was typed)

    def __init__(self, context: SessionContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._conn: WorkerConnection | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="customer-search")
        self._running: Future[None] | None = None
        self._ticket = 0
        self._guard = threading.Lock()  # the ticket, read by the worker

    @property
    def busy(self) -> bool:
        return self._running is not None and not self._running.done()

    def start(self, statement: tuple[str, list[object]]) -> int:
        """Search in the background; returns the ticket its `found` will carry."""
        with self._guard:
            self._ticket += 1
            ticket = self._ticket
        self._running = self._pool.submit(self._run, self._reader(), statement, ticket)
        return ticket

    def _reader(self) -> WorkerConnection:
        """The second connection, opened once; a search under way on it is interrupted (it is stale now)."""
        if self._conn is not None and not self._conn.closed:
            self._conn.interrupt()
            return self._conn
        self._conn = self._context.session.vault.connect()  # the first, or the vault closed the last (rekey)
        with self._conn.use() as conn:
            bound_cache(conn)
        return self._conn

    def _run(self, reader: WorkerConnection, statement: tuple[str, list[object]], ticket: int) -> None:
        if not self._current(ticket):
            return  # queued behind a search that a newer keystroke replaced already
        try:
            with reader.use() as conn:
                ids = [int(row[0]) for row in conn.execute(*statement)]
        except Exception as exc:  # whatever it is, app/ names it and message_for puts it in words
            # A newer search or stop() moves the ticket on before it interrupts, so a failure of the current
            # ticket is the vault closing the connection (lock, rekey) or a real error: the model then searches
            # on the session's connection instead, if the vault is still open.
            if self._current(ticket):
                self.failed.emit(ticket, message_for(exc))
            return
        if self._current(ticket):
            self.found.emit(ticket, ids)

    def _current(self, ticket: int) -> bool:
        with self._guard:
            return ticket == self._ticket

    def stop(self) -> None:
        """Drop any search under way and wait until the worker is idle (the vault may then close the
        connection: it does at lock and rekey, and `_reader` opens another for the next search)."""
        with self._guard:
            self._ticket += 1
        if self._conn is not None:
            self._conn.interrupt()
        if self._running is not None:
            self._running.result()
            self._running = None

    def shut_down(self) -> None:
        self.stop()
        self._pool.shutdown(wait=True)
