"""A refused command is audited: who tried what (the permission, never the data), in an entry of its own that
outlives the rollback of the refused work, from the CLI, the services and the app's screens alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.access.roles import Permission, Role
from app.access.session import Session, open_session
from app.access.users import UserService
from app.crm.contacts import ContactInput, ContactService
from app.errors import PermissionDenied
from app.privacy.audit_actions import SummaryNames, summary_text
from app.store import audit
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD

STAFF, STAFF_PASSWORD = "Bea Staff", "bea-own-pass-1"


@pytest.fixture
def shop(new_vault: tuple[Path, str]) -> Path:
    """A vault with one customer and a staff member who has not yet replaced her temporary password."""
    owner = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    ContactService(owner).create(ContactInput(given_name="Zelda", family_name="Quinn"))
    UserService(owner, kdf.CHEAP).add(STAFF, Role.STAFF, "temporary-1")
    owner.lock("logout")
    return new_vault[0]


@pytest.fixture
def staff(shop: Path) -> Iterator[Session]:
    session = open_session(shop, STAFF, "temporary-1")
    UserService(session, kdf.CHEAP).change_own_password("temporary-1", STAFF_PASSWORD)
    yield session
    session.vault.close()


def _refusals(session: Session) -> list[tuple[str, str]]:
    """(user name, summary) of each refusal in the log."""
    return [(str(r[0]), str(r[1])) for r in session.conn.execute(
        "SELECT u.name, a.summary FROM audit_event a JOIN user u ON u.id = a.user_id "
        "WHERE a.action = 'access.refused' ORDER BY a.id")]


def test_a_refused_cli_command_is_audited(run_cli, shop: Path, staff: Session) -> None:
    staff.vault.close()
    result = run_cli("user", "list", shop, "--user", STAFF, "--password-stdin", stdin=STAFF_PASSWORD + "\n")
    assert result.code == 4 and "may not manage users" in result.err
    result = run_cli("erase", shop, "--contact", "1", "--user", STAFF, "--password-stdin",
                     stdin=STAFF_PASSWORD + "\n")
    assert result.code == 4
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        assert _refusals(owner) == [(STAFF, "manage_users"), (STAFF, "erase")]
        assert audit.verify_chain(owner.conn).ok
        assert ContactService(owner).page()[0].name == "Zelda Quinn"  # nothing was erased
    finally:
        owner.vault.close()


def test_a_refusal_outlives_the_rollback_of_the_refused_work(staff: Session) -> None:
    """A service that finds out only half-way that it may not go on: its work is undone, the refusal stays."""
    conn = staff.conn
    with pytest.raises(PermissionDenied), staff.change():
        conn.execute("INSERT INTO tag(name, name_key) VALUES ('half-done', 'half-done')")
        staff.audit("contact.update", "contact", 1)
        staff.require(Permission.MANAGE_POLICIES)
    assert conn.execute("SELECT count(*) FROM tag WHERE name = 'half-done'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit_event WHERE action = 'contact.update'").fetchone()[0] == 0
    assert _refusals(staff) == [(STAFF, "manage_policies")]
    assert not conn.in_transaction
    assert audit.verify_chain(conn).ok


def test_a_refusal_inside_a_nested_change_waits_for_the_outermost(staff: Session) -> None:
    conn = staff.conn
    with staff.change():
        with pytest.raises(PermissionDenied), staff.change():
            staff.require(Permission.ERASE)
        assert _refusals(staff) == []  # not inside the transaction that is still open: it could be undone
        conn.execute("INSERT INTO tag(name, name_key) VALUES ('kept', 'kept')")
    assert _refusals(staff) == [(STAFF, "erase")]
    assert conn.execute("SELECT count(*) FROM tag WHERE name = 'kept'").fetchone()[0] == 1


def test_a_refusal_met_outside_session_change_is_recorded_at_lock(shop: Path, staff: Session) -> None:
    from app.store.database import transaction

    with pytest.raises(PermissionDenied), transaction(staff.conn):  # a service's own transaction
        staff.require(Permission.BACKUP)
    staff.lock("logout")
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        assert _refusals(owner) == [(STAFF, "backup")]
    finally:
        owner.vault.close()


def test_the_temporary_password_refusal_is_audited_and_says_so(shop: Path) -> None:
    session = open_session(shop, STAFF, "temporary-1")
    try:
        with pytest.raises(PermissionDenied, match="temporary password"):
            ContactService(session).page()
        assert _refusals(session) == [(STAFF, "view_customers: temporary password")]
        assert summary_text("access.refused", "view_customers: temporary password", SummaryNames({}, {})) == \
            "view customers: the temporary password was not replaced yet"
    finally:
        session.vault.close()


def test_a_refusal_that_cannot_be_written_still_refuses(staff: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk must not turn 'not permitted' into another error; the entry is written at the next change."""
    def full(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit, "append", full)
    with pytest.raises(PermissionDenied):
        staff.require(Permission.MANAGE_USERS)
    monkeypatch.undo()
    assert _refusals(staff) == []
    staff.record("session.lock")
    assert _refusals(staff) == [(STAFF, "manage_users")]


def test_a_refusal_in_the_app_window_is_audited(qtbot, shop: Path, staff: Session) -> None:
    """Screens hide what a role may not do, so a refusal there means a screen asked anyway (built directly here,
    as one that forgot to check would be): the person sees why, and the log has it like any other."""
    from tests.ui_helpers import open_session_for_ui, shutdown_session
    from ui.pages.users import UsersPage
    from ui.session_context import SessionContext

    staff.vault.close()
    session = open_session_for_ui(shop, STAFF, STAFF_PASSWORD)
    page = UsersPage(SessionContext(session))  # lists the users as it opens
    qtbot.addWidget(page)
    page.show()
    assert "may not manage users" in page.message.text()
    assert page.model.rowCount() == 0
    assert _refusals(session) == [(STAFF, "manage_users")]
    shutdown_session(session)
