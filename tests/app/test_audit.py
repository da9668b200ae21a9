"""The audit log: what gets recorded, and that editing, deleting or inserting entries is detected."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.access.settings import SettingsService
from app.access.users import UserService
from app.admin import security
from app.errors import AuthenticationFailed
from app.privacy import audit_service
from app.store import audit
from app.store.database import transaction
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD


def test_each_logged_action_lands_in_the_log(owner_session: Session, tmp_path: Path, no_throttle: None) -> None:
    path = owner_session.vault.paths.database
    users = UserService(owner_session)
    users.add("Kim", "staff", "temporary-1")
    users.set_role("Kim", "manager")
    users.set_active("Kim", False)
    users.set_active("Kim", True)
    users.reset_password("Kim", "temporary-2")
    SettingsService(owner_session).set_idle_minutes(7)
    security.verify(owner_session)
    security.rekey(owner_session)
    audit_service.view(owner_session)
    audit_service.export_csv(owner_session, tmp_path / "a.csv")
    users.remove("Kim")
    owner_session.lock()
    with pytest.raises(AuthenticationFailed):
        open_session(path, OWNER, "wrong-password")
    with open_session(path, OWNER, OWNER_PASSWORD).vault as vault:
        actions = [row[0] for row in vault.db.execute("SELECT action FROM audit_event ORDER BY id")]
    for expected in (
        "vault.create",
        "session.login",
        "user.add",
        "user.role",
        "user.disable",
        "user.enable",
        "user.password_reset",
        "setting.change",
        "vault.verify",
        "vault.rekey",
        "audit.view",
        "audit.export",
        "user.remove",
        "session.lock",
    ):
        assert expected in actions, expected
    # The failed attempt is written at the next successful sign-in (the vault is closed while it happens).
    assert actions[-2:] == ["session.login_failed", "session.login"]


def test_summaries_hold_no_personal_data(owner_session: Session) -> None:
    UserService(owner_session).add("Zoë Secretname", "staff", "temporary-1")
    rows = owner_session.conn.execute("SELECT action, entity_type, entity_id, summary FROM audit_event").fetchall()
    assert rows and not any("Secretname" in str(value) for row in rows for value in row)


def test_audit_rows_cannot_be_changed_through_sql(owner_session: Session) -> None:
    import sqlcipher3

    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"), transaction(owner_session.conn) as conn:
        conn.execute("UPDATE audit_event SET summary = 'x'")
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"), transaction(owner_session.conn) as conn:
        conn.execute("DELETE FROM audit_event")


def _tamper(path: Path, *statements: str) -> None:
    """What someone with the raw key could do: drop the guards and rewrite history."""
    with Vault.unlock(path, OWNER, OWNER_PASSWORD) as vault, transaction(vault.db) as conn:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("DROP TRIGGER audit_event_no_delete")
        for statement in statements:
            conn.execute(statement)


@pytest.fixture
def logged_vault(owner_session: Session) -> Path:
    users = UserService(owner_session)
    for name in ("Kim", "Lou", "Max"):
        users.add(name, "staff", "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock()
    return path


@pytest.mark.parametrize("tampering", ["edit", "delete", "insert"])
def test_tampering_is_detected_by_verify(logged_vault: Path, run_cli, tampering: str) -> None:  # type: ignore[no-untyped-def]
    statements = {
        "edit": ["UPDATE audit_event SET summary = 'role=owner' WHERE id = 4"],
        "delete": ["DELETE FROM audit_event WHERE id = 4"],
        "insert": [
            "UPDATE audit_event SET id = id + 1000 WHERE id >= 4",
            "INSERT INTO audit_event SELECT 4, at, user_id, 'user.remove', entity_type, entity_id, summary, "
            "prev_hash, hash, signer, signature FROM audit_event WHERE id = 1003",
            "UPDATE audit_event SET id = id - 999 WHERE id > 1000",
        ],
    }[tampering]
    _tamper(logged_vault, *statements)
    result = run_cli("verify", logged_vault, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 6, result
    assert "entry 4" in result.err or "entry 5" in result.err


def test_untouched_chain_verifies_and_survives_rekey(logged_vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    login = OWNER_PASSWORD + "\n"
    assert run_cli("rekey", logged_vault, "--user", OWNER, "--password-stdin", stdin=login).code == 0
    result = run_cli("verify", logged_vault, "--user", OWNER, "--password-stdin", stdin=login)
    assert result.code == 0 and result.out.startswith("ok\n")
    assert "entries intact" in result.out


def test_audit_cli_lists_and_exports_csv(logged_vault: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    login = OWNER_PASSWORD + "\n"
    listed = run_cli("audit", logged_vault, "--user", OWNER, "--password-stdin", stdin=login)
    assert listed.code == 0 and "user.add" in listed.out
    out = tmp_path / "audit.csv"
    exported = run_cli(
        "audit", logged_vault, "--user", OWNER, "--since", "2000-01-01", "--csv", out, "--password-stdin", stdin=login
    )
    assert exported.code == 0, exported.err
    rows = list(csv.DictReader(line for line in out.open(encoding="utf-8-sig") if line[0] != "#"))  # #17's head
    assert {"user.add", "session.login"} <= {row["action"] for row in rows}
    assert all(row["user"] in ("", OWNER) for row in rows)
    future = run_cli("audit", logged_vault, "--user", OWNER, "--since", "2999-01-01", "--password-stdin", stdin=login)
    assert future.code == 0 and future.out == ""


def test_csv_cells_cannot_become_formulas() -> None:
    assert audit.neutralise_formula('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert audit.neutralise_formula("@SUM(A1)").startswith("'")
    assert audit.neutralise_formula("plain") == "plain"


def test_entries_are_paged_by_keyset(logged_vault: Path) -> None:
    with Vault.unlock(logged_vault, OWNER, OWNER_PASSWORD) as vault:
        total = vault.db.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        first = audit.entries(vault.db, limit=3)
        rest = audit.entries(vault.db, after_id=first[-1].id, limit=1000)
        assert len(first) == 3 and len(first) + len(rest) == total
        assert [e.id for e in first + rest] == sorted(e.id for e in first + rest)


def test_audit_since_must_be_a_date(logged_vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "audit",
        logged_vault,
        "--user",
        OWNER,
        "--since",
        "last tuesday",
        "--password-stdin",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert result.code == 5 and "YYYY-MM-DD" in result.err


def test_newest_first_paging_and_filter_choices(logged_vault: Path) -> None:
    session = open_session(logged_vault, OWNER, OWNER_PASSWORD)
    newest = audit.entries(session.conn, newest_first=True, limit=2)
    older = audit.entries(session.conn, newest_first=True, after_id=newest[-1].id, limit=1000)
    ids = [e.id for e in newest + older]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    users, actions = audit_service.filter_choices(session)
    assert {name for _id, name in users} >= {OWNER, "Kim", "Lou", "Max"} and "user.add" in actions
    session.vault.close()


def test_an_audit_export_reports_progress_and_a_stop_leaves_no_file(owner_session: Session, tmp_path: Path) -> None:
    """A shop's log grows by every record read: its export counts the rows as it goes and can be stopped, and a
    stopped export leaves no part of the file and no entry saying the log was exported."""
    with transaction(owner_session.conn):
        for n in range(2600):
            owner_session.audit("contact.view", "contact", n)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "audit.csv"
    seen: list[int] = []

    def stop_at_the_second_thousand(rows: int) -> None:
        seen.append(rows)
        if rows >= 2000:
            raise InterruptedError("stopped")

    with pytest.raises(InterruptedError):
        audit_service.export_csv(owner_session, out, progress=stop_at_the_second_thousand)

    assert seen == [1000, 2000]
    assert not out.exists() and list(folder.iterdir()) == []  # no part of it, under any name
    actions = [row[0] for row in owner_session.conn.execute("SELECT action FROM audit_event")]
    assert "audit.export" not in actions
    counted: list[int] = []
    rows = audit_service.export_csv(owner_session, out, progress=counted.append)
    assert rows > 2600 and counted == [1000, 2000] and out.exists()
