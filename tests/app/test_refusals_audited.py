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
    return [
        (str(r[0]), str(r[1]))
        for r in session.conn.execute(
            "SELECT u.name, a.summary FROM audit_event a JOIN user u ON u.id = a.user_id "
            "WHERE a.action = 'access.refused' ORDER BY a.id"
        )
    ]


def test_a_refused_cli_command_is_audited(run_cli, shop: Path, staff: Session) -> None:
    staff.vault.close()
    result = run_cli("user", "list", shop, "--user", STAFF, "--password-stdin", stdin=STAFF_PASSWORD + "\n")
    assert result.code == 4 and "may not manage users" in result.err
    result = run_cli("erase", shop, "--contact", "1", "--user", STAFF, "--password-stdin", stdin=STAFF_PASSWORD + "\n")
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
        assert (
            summary_text("access.refused", "view_customers: temporary password", SummaryNames({}, {}))
            == "view customers: the temporary password was not replaced yet"
        )
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
    from ui.session_context import SessionContext
    from ui.settings.users import UsersPage

    staff.vault.close()
    session = open_session_for_ui(shop, STAFF, STAFF_PASSWORD)
    page = UsersPage(SessionContext(session))  # lists the users as it opens
    qtbot.addWidget(page)
    page.show()
    assert "may not manage users" in page.message.text()
    assert page.model.rowCount() == 0
    assert _refusals(session) == [(STAFF, "manage_users")]
    shutdown_session(session)


# --- refusals decided beyond the role (#17): the last owner, a legal hold, a restore by a non-owner -----------


def test_taking_away_the_last_owner_is_refused_and_audited(owner_session: Session) -> None:
    users = UserService(owner_session, kdf.CHEAP)
    for attempt in (
        lambda: users.set_role(OWNER, Role.MANAGER),
        lambda: users.disable(OWNER),
        lambda: users.remove(OWNER),
    ):
        with pytest.raises(PermissionDenied, match="last owner"):
            attempt()
    assert _refusals(owner_session) == [(OWNER, "manage_users: last owner")] * 3
    assert owner_session.conn.execute("SELECT role, active FROM user WHERE name = ?", (OWNER,)).fetchone() == (
        "owner",
        1,
    )
    assert audit.verify_chain(owner_session.conn, owner_session.vault.keyfile.signers()).ok
    users.add("Olga Owner", Role.OWNER, "temporary-2")  # with a second owner it is no refusal at all
    users.set_role(OWNER, Role.MANAGER)
    assert len(_refusals(owner_session)) == 3


def test_erasing_a_person_under_legal_hold_is_refused_and_audited(run_cli, shop: Path) -> None:  # type: ignore[no-untyped-def]
    from app.privacy.erasure import erase
    from app.privacy.retention import RetentionService

    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        zelda = ContactService(owner).page()[0].id
        RetentionService(owner).hold(zelda, "tax audit 2025")
        with pytest.raises(PermissionDenied, match="legal hold"):
            erase(owner, zelda)
        assert _refusals(owner) == [(OWNER, "erase: legal hold")]
        assert not any("tax audit" in summary for _name, summary in _refusals(owner))  # a fixed word, not the reason
    finally:
        owner.lock("logout")
    result = run_cli(
        "erase", shop, "--contact", str(zelda), "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert result.code == 4 and "legal hold" in result.err
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        assert _refusals(owner) == [(OWNER, "erase: legal hold")] * 2
        assert ContactService(owner).page()[0].name == "Zelda Quinn"
    finally:
        owner.vault.close()


def _backup_with_staff(shop: Path, staff: Session, folder: Path) -> Path:
    """A backup made while Bea (with her own password by then) was a member of staff."""
    from app.admin import security

    staff.vault.close()
    folder.mkdir()
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        return security.backup_now(owner, folder)
    finally:
        owner.lock("logout")


def _restore_as_bea(run_cli, made: Path, shop: Path):  # type: ignore[no-untyped-def]
    return run_cli("restore", made, "--to", shop, "--user", STAFF, "--password-stdin", stdin=STAFF_PASSWORD + "\n")


def test_a_restore_refused_to_staff_is_audited_in_the_vault_it_would_replace(
    run_cli, shop: Path, staff: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    made = _backup_with_staff(shop, staff, tmp_path / "backups")
    result = _restore_as_bea(run_cli, made, shop)
    assert result.code == 4 and "Only an owner may restore" in result.err, result
    assert not list(shop.parent.glob("*before-restore*"))  # nothing was replaced
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        assert _refusals(owner) == [(STAFF, "backup: not owner")]
        bea_keys = {key for key, signer in owner.vault.keyfile.signers().items() if signer.user_id == staff.user.id}
        signer = owner.conn.execute("SELECT signer FROM audit_event WHERE action = 'access.refused'").fetchone()[0]
        assert signer in bea_keys  # signed by her own key: it is hers, and the log still verifies
    finally:
        owner.lock("logout")
    verified = run_cli("verify", shop, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert verified.code == 0, verified


def test_a_removed_staff_member_s_refused_restore_is_audited_under_her_vouched_key(
    run_cli, shop: Path, staff: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The attack of #17: taken away, she keeps her old password and the backups. Her slot is gone from the vault,
    but the key it had is vouched for in the log (audit.key_retired), so the refusal is signed and verifies."""
    made = _backup_with_staff(shop, staff, tmp_path / "backups")
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    UserService(owner).remove(STAFF)
    owner.lock("logout")
    assert _restore_as_bea(run_cli, made, shop).code == 4
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        row = owner.conn.execute(
            "SELECT user_id, summary, signer FROM audit_event WHERE action = 'access.refused'"
        ).fetchone()
        assert (row[0], row[1]) == (staff.user.id, "backup: not owner") and row[2] is not None
    finally:
        owner.lock("logout")
    verified = run_cli("verify", shop, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert verified.code == 0, verified


def test_after_a_rekey_the_refused_restore_cannot_be_written_but_is_still_refused(
    run_cli, shop: Path, staff: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The backup's key no longer opens the vault, so there is nowhere trustworthy to write it: the refusal stands."""
    from app.admin import security

    made = _backup_with_staff(shop, staff, tmp_path / "backups")
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    security.rekey(owner)
    owner.lock("logout")
    assert _restore_as_bea(run_cli, made, shop).code == 4
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        assert _refusals(owner) == []
    finally:
        owner.vault.close()
