"""A background thread's connection that the vault closes (lock, rekey) while a statement runs on it.

Closing a SQLite connection under a running statement frees memory the statement still uses; sqlcipher3
crashed within 100 tries of doing it. The vault's close must interrupt the statement and wait for it."""

from __future__ import annotations

import threading

import pytest
import sqlcipher3

from app.access.session import Session
from app.store.worker_connection import ConnectionClosed

ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"


def _run_until_stopped(reader, started: threading.Event, outcome: list[str]) -> None:  # type: ignore[no-untyped-def]
    with reader.use() as conn:  # the outcome is noted before the connection is let go
        conn.set_progress_handler(started.set, 1000)  # proves the statement is stepping
        try:
            conn.execute(ENDLESS).fetchall()
            outcome.append("finished")
        except sqlcipher3.OperationalError as exc:
            outcome.append(str(exc))


@pytest.mark.parametrize("how", ["lock", "rekey"])
def test_closing_interrupts_the_running_statement_and_waits_for_it(owner_session: Session, how: str) -> None:
    reader = owner_session.vault.connect()
    started, outcome = threading.Event(), []
    worker = threading.Thread(target=_run_until_stopped, args=(reader, started, outcome))
    worker.start()
    assert started.wait(10)
    if how == "lock":
        owner_session.vault.close()
    else:
        owner_session.vault.rekey()
    assert outcome == ["interrupted"]  # already over when close returned: it waited for the statement
    worker.join(10)
    assert reader.closed
    with pytest.raises(ConnectionClosed), reader.use():
        pass
    if how == "rekey":  # the vault itself goes on, and a new second connection reads under the new key
        with owner_session.vault.connect().use() as conn:
            assert conn.execute("SELECT count(*) FROM user").fetchone()[0] == 1


def test_interrupt_stops_only_the_statement_under_way(owner_session: Session) -> None:
    reader = owner_session.vault.connect()
    started, outcome = threading.Event(), []
    worker = threading.Thread(target=_run_until_stopped, args=(reader, started, outcome))
    worker.start()
    assert started.wait(10)
    reader.interrupt()
    worker.join(10)
    assert outcome == ["interrupted"]
    with reader.use() as conn:  # still open: the next statement runs
        assert conn.execute("SELECT count(*) FROM user").fetchone()[0] == 1
    reader.close()
    reader.interrupt()  # closed: a no-op, not an error
    reader.close()
