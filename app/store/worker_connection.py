"""A second connection to the vault for one background thread, which another thread may close safely.

The vault closes its extra connections at lock and rekey, from whichever thread locks. Closing a SQLite
connection while another thread still steps a statement on it frees memory that statement is using:
sqlcipher3 crashed (segfault) within 100 tries of closing under a running query. So every use holds the
connection's lock, and `close()` first interrupts the statement under way, then waits for it to let go.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.store.database import Connection


class ConnectionClosed(Exception):
    """The vault closed this connection (lock, rekey): open another with `Vault.connect()` if still unlocked."""


class WorkerConnection:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._in_use = threading.Lock()  # held while a thread runs statements on the connection
        self._state = threading.Lock()  # guards `_closing` and the connection handle against interrupt()
        self._closing = False

    @property
    def closed(self) -> bool:
        return self._closing

    @contextmanager
    def use(self) -> Iterator[Connection]:
        """The connection, for as long as the block runs; raises ConnectionClosed once it is closed or closing.
        Finish reading every row inside the block: a cursor left open outlives the lock."""
        with self._in_use:
            if self._closing:
                raise ConnectionClosed()
            yield self._conn

    def interrupt(self) -> None:
        """Make the statement under way (if any) stop with an 'interrupted' error; safe from any thread."""
        with self._state:
            if not self._closing:
                self._conn.interrupt()

    def close(self) -> None:
        """Interrupt the statement under way, wait until its thread leaves `use()`, then close."""
        with self._state:
            if self._closing:
                return
            self._closing = True  # nobody new gets in
            self._conn.interrupt()
        with self._in_use:
            self._conn.close()
