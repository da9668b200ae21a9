"""The operation helper: results, errors, progress and cancel arrive on the UI thread; the session gate."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlcipher3

from app.access.session import Session, open_session
from app.errors import InvalidInput
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import open_session_for_ui, shutdown_session, wait_until
from ui.operation import Operation, OperationCancelled, message_for
from ui.password_strength import estimate
from ui.session_context import SessionContext


def _collect(operation: Operation) -> dict[str, list[object]]:
    seen: dict[str, list[object]] = {
        "finished": [],
        "failed": [],
        "progress": [],
        "changed": [],
        "ended": [],
        "threads": [],
    }
    operation.finished.connect(lambda result: seen["finished"].append(result))
    operation.failed.connect(lambda exc: seen["failed"].append(exc))
    operation.progressed.connect(lambda done, total: seen["progress"].append((done, total)))
    operation.changed.connect(lambda: seen["changed"].append(True))
    operation.ended.connect(lambda: seen["ended"].append(threading.get_ident()))
    return seen


def test_work_runs_off_the_ui_thread_and_reports_on_it(qtbot) -> None:
    ui_thread = threading.get_ident()

    def work(progress, cancelled):
        for i in range(3):
            progress(i + 1, 3)
        return threading.get_ident()

    operation = Operation(work)
    seen = _collect(operation)
    operation.start()
    wait_until(qtbot, lambda: bool(seen["ended"]))
    assert seen["finished"][0] != ui_thread  # the work ran on a worker
    assert seen["ended"] == [ui_thread]  # the signals arrived on the UI thread
    assert seen["progress"] == [(1, 3), (2, 3), (3, 3)]
    assert seen["changed"] == [True] and seen["failed"] == []


def test_failures_and_cancel_come_back_as_failed(qtbot) -> None:
    started, go_on = threading.Event(), threading.Event()

    def work(progress, cancelled):
        started.set()
        go_on.wait(5)
        if cancelled():
            raise OperationCancelled("stopped")
        return 1

    operation = Operation(work)
    seen = _collect(operation)
    operation.start()
    started.wait(5)
    operation.cancel()
    go_on.set()
    wait_until(qtbot, lambda: bool(seen["ended"]))
    assert isinstance(seen["failed"][0], OperationCancelled)
    assert seen["finished"] == [] and seen["changed"] == []  # nothing changed: views need not refresh

    failing = Operation(lambda progress, cancelled: (_ for _ in ()).throw(InvalidInput("Nope, in words.")))
    seen = _collect(failing)
    failing.start()
    wait_until(qtbot, lambda: bool(seen["ended"]))
    assert message_for(seen["failed"][0]) == "Nope, in words."
    assert "KeyError" in message_for(KeyError("customer@example.org"))  # a bug: named, data not shown
    assert "customer@example.org" not in message_for(KeyError("customer@example.org"))


def test_a_session_runs_one_operation_at_a_time(qtbot, new_vault: tuple[Path, str]) -> None:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    context = SessionContext(session)
    states: list[bool] = []
    context.busy_changed.connect(lambda busy, _text: states.append(busy))
    release = threading.Event()
    results: list[object] = []
    context.run(
        lambda progress, cancelled: release.wait(5),
        description="x",
        on_done=lambda result: results.append(context.busy),
    )
    with pytest.raises(RuntimeError):
        context.run(lambda progress, cancelled: None, description="second")
    release.set()
    wait_until(qtbot, lambda: not context.busy)
    assert states == [True, False] and results == [False]  # the gate is open again when on_done runs
    shutdown_session(session)
    with pytest.raises(RuntimeError):
        context.run(lambda progress, cancelled: None, description="after lock")


def test_a_vault_unlocked_on_a_pool_thread_locks_on_the_ui_thread_and_unlocks_again(
    qtbot, new_vault: tuple[Path, str]
) -> None:
    """No vault thread: the file lock is not thread-local (app/vault/vault.py), so any thread may close."""
    path = new_vault[0]
    ui_thread = threading.get_ident()
    opened: list[object] = []

    def unlock(progress: object, cancelled: object) -> tuple[Session, int]:
        return open_session(path, OWNER, OWNER_PASSWORD), threading.get_ident()

    for _round in range(2):
        opened.clear()
        operation = Operation(unlock)
        operation.finished.connect(opened.append)
        operation.failed.connect(opened.append)
        operation.start()
        wait_until(qtbot, lambda: bool(opened))
        assert isinstance(opened[0], tuple), opened[0]  # VaultBusy would mean the lock outlived the last close
        session, worker = opened[0]
        assert worker != ui_thread and session.vault.is_open
        session.lock("logout")  # on the UI thread
        assert not session.vault.is_open


def test_database_errors_are_put_in_words_by_app() -> None:
    busy = message_for(sqlcipher3.OperationalError("database is locked"))
    assert "busy" in busy and "unexpected" not in busy
    damaged = message_for(sqlcipher3.DatabaseError("database disk image is malformed"))
    assert "damaged" in damaged and "unexpected" not in damaged
    assert "unexpected" in message_for(sqlcipher3.OperationalError("interrupted"))  # not one app/ names: a bug


def test_run_hands_on_done_what_the_work_returned(qtbot, new_vault: tuple[Path, str]) -> None:
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    context = SessionContext(session)
    got: list[str] = []
    operation = context.run(
        lambda progress, cancelled: session.user.name, description="x", on_done=got.append, changes_data=False
    )
    wait_until(qtbot, lambda: not context.busy)
    assert got == [OWNER] and not operation.running
    shutdown_session(session)


@pytest.mark.parametrize(
    ("password", "level"),
    [
        ("", 0),
        ("aaaaaaaaaaaa", 0),
        ("password", 0),
        ("password1", 1),
        ("owner-pass-1", 2),
        ("correct horse battery staple", 3),
        ("Tr0ub4dor&3x", 2),
    ],
)
def test_the_strength_estimate_is_length_and_kinds_of_characters(password: str, level: int) -> None:
    assert estimate(password).level == level
