"""Disabling or removing a user changes the database and the key file: a commit that fails must leave both as
they were (never a user active in the database without a slot, or disabled with one), and a crash after the
commit but before the new key file is in place must not lock everyone out."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3

from app.access.roles import Role
from app.access.session import Session, find_user, open_session
from app.access.users import UserService
from app.errors import AuthenticationFailed
from app.vault import kdf
from app.vault import vault as vault_module
from app.vault.keyfile import KeyFile
from tests.conftest import OWNER, OWNER_PASSWORD

STAFF, STAFF_PASSWORD = "Bea Staff", "temporary-1"


class CommitFails:
    """The vault's connection, except that COMMIT fails as on a full disk (SQLite then keeps the transaction
    open; app/store/database.transaction rolls it back)."""

    def __init__(self, conn: object) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: object) -> object:
        if sql == "COMMIT":
            raise sqlcipher3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


@pytest.fixture
def owner(owner_session: Session) -> Session:
    UserService(owner_session, kdf.CHEAP).add(STAFF, Role.STAFF, STAFF_PASSWORD)
    return owner_session


def _state(session: Session) -> tuple[bool, bool, bool]:
    """(active in the database, slot in memory, slot in the key file on disk) for the staff member."""
    user = find_user(session.conn, STAFF)
    active = user is not None and user.active
    in_memory = session.vault.keyfile.find_slot(STAFF) is not None
    keyfile, _mac = KeyFile.load(session.vault.paths.keyfile)
    return active, in_memory, keyfile.find_slot(STAFF) is not None


ACTIONS: dict[str, Callable[[UserService], None]] = {
    "disable": lambda users: users.disable(STAFF),
    "remove": lambda users: users.remove(STAFF),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_failed_commit_leaves_the_user_and_the_slot_as_they_were(
    owner: Session, new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    generation_before = owner.vault.generation
    real = owner.vault.db
    monkeypatch.setattr(owner.vault, "db", CommitFails(real))
    with pytest.raises(sqlcipher3.OperationalError):
        ACTIONS[action](UserService(owner))
    monkeypatch.setattr(owner.vault, "db", real)
    assert _state(owner) == (True, True, True)  # before the fix: active, and no slot on disk
    assert owner.vault.generation == generation_before
    assert not list(owner.vault.paths.keyfile.parent.glob("*.next"))
    owner.vault.close()
    open_session(new_vault[0], STAFF, STAFF_PASSWORD).vault.close()  # she can still sign in, as the DB says


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_done_the_slot_is_gone_from_the_key_file(owner: Session, new_vault: tuple[Path, str], action: str) -> None:
    ACTIONS[action](UserService(owner))
    assert _state(owner) == (False, False, False)
    owner.vault.close()
    with pytest.raises(AuthenticationFailed):
        open_session(new_vault[0], STAFF, STAFF_PASSWORD)


def _die(session: Session) -> None:
    """The process dies here: nothing more is written (no lock entry, no seal); the OS closes its files and lets
    go of its lock."""
    session.vault.db.close()
    session.vault.db = None
    session.vault._lock.release()


def test_a_crash_between_commit_and_key_file_is_settled_at_the_next_unlock(
    owner: Session, new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database has the change and the newer generation; the new key file waits beside the old one."""
    replace = os.replace

    def crash(source: str | Path, target: str | Path) -> None:  # only the new key file's last step
        if str(source).endswith(".next"):
            raise OSError(5, "Input/output error")
        replace(source, target)

    owner.vault.close()
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)  # one to let die (the fixture's is closed)
    monkeypatch.setattr(vault_module.os, "replace", crash)
    with pytest.raises(OSError):
        UserService(session).disable(STAFF)
    monkeypatch.undo()
    assert find_user(session.conn, STAFF).active is False  # type: ignore[union-attr]
    keyfile, _mac = KeyFile.load(session.vault.paths.keyfile)
    assert keyfile.find_slot(STAFF) is not None  # the old key file is still in place
    _die(session)
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)  # not refused as an older key file
    try:
        assert session.vault.keyfile.find_slot(STAFF) is None
        keyfile, _mac = KeyFile.load(session.vault.paths.keyfile)
        assert keyfile.find_slot(STAFF) is None
        assert not list(session.vault.paths.keyfile.parent.glob("*.next"))
    finally:
        session.vault.close()
    with pytest.raises(AuthenticationFailed):
        open_session(new_vault[0], STAFF, STAFF_PASSWORD)


def test_a_staged_key_file_left_from_a_rolled_back_change_is_deleted(
    owner: Session, new_vault: tuple[Path, str]
) -> None:
    staged = owner.vault.paths.keyfile.with_name(owner.vault.paths.keyfile.name + ".next")
    staged.write_bytes(owner.vault.paths.keyfile.read_bytes())  # an earlier generation: never of use again
    owner.vault.close()
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    session.vault.close()
    assert not staged.exists()


def test_a_failed_commit_when_adding_leaves_no_slot_for_nobody(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = owner_session.vault.db
    monkeypatch.setattr(owner_session.vault, "db", CommitFails(real))
    with pytest.raises(sqlcipher3.OperationalError):
        UserService(owner_session, kdf.CHEAP).add("Carl New", Role.STAFF, "temporary-2")
    monkeypatch.setattr(owner_session.vault, "db", real)
    keyfile, _mac = KeyFile.load(owner_session.vault.paths.keyfile)
    assert keyfile.users() == [OWNER] == owner_session.vault.keyfile.users()
