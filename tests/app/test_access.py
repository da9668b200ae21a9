"""Users, roles and the permission matrix, exercised through the services (never the UI)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.access import rekey_due
from app.access.roles import Role
from app.access.session import Session, open_session
from app.access.settings import SettingsService
from app.access.users import UserService
from app.admin import security
from app.errors import AuthenticationFailed, InvalidInput, LockedOut, PermissionDenied
from app.privacy import audit_service
from app.privacy.requests import RequestService
from app.privacy.retention import RetentionService
from app.vault import lockout
from app.vault.lockout import LockoutBook, delay_after
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD

PASSWORDS = {role: f"{role.value}-password" for role in Role}
NAMES = {Role.OWNER: OWNER, Role.MANAGER: "Mia Manager", Role.STAFF: "Sam Staff", Role.AUDITOR: "Aud Itor"}


@pytest.fixture
def staffed_vault(owner_session: Session) -> Path:
    """A vault with one user of each role, each past their first-login password change."""
    users = UserService(owner_session)
    for role in (Role.MANAGER, Role.STAFF, Role.AUDITOR):
        users.add(NAMES[role], role, "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock("logout")
    for role in (Role.MANAGER, Role.STAFF, Role.AUDITOR):
        session = open_session(path, NAMES[role], "temporary-1")
        UserService(session).change_own_password("temporary-1", PASSWORDS[role])
        session.lock("logout")
    return path


@pytest.fixture
def sign_in(staffed_vault: Path) -> Iterator[Callable[[Role], Session]]:
    opened: list[Session] = []

    def sign_in(role: Role) -> Session:
        session = open_session(staffed_vault, NAMES[role], OWNER_PASSWORD if role is Role.OWNER else PASSWORDS[role])
        opened.append(session)
        return session

    yield sign_in
    for session in opened:
        session.vault.close()


ACTIONS: dict[str, tuple[Callable[[Session, Path], object], set[Role]]] = {
    "list users": (lambda s, tmp: UserService(s).list(), {Role.OWNER}),
    "add user": (lambda s, tmp: UserService(s).add("New Person", "staff", "temporary-9"), {Role.OWNER}),
    "reset password": (lambda s, tmp: UserService(s).reset_password(NAMES[Role.STAFF], "temporary-8"), {Role.OWNER}),
    "change role": (lambda s, tmp: UserService(s).set_role(NAMES[Role.STAFF], "manager"), {Role.OWNER}),
    "disable user": (lambda s, tmp: UserService(s).set_active(NAMES[Role.AUDITOR], False), {Role.OWNER}),
    "remove user": (lambda s, tmp: UserService(s).remove(NAMES[Role.AUDITOR]), {Role.OWNER}),
    "set idle lock": (lambda s, tmp: SettingsService(s).set_idle_minutes(10), {Role.OWNER}),
    "rekey": (lambda s, tmp: security.rekey(s), {Role.OWNER}),
    "verify": (lambda s, tmp: security.verify(s), {Role.OWNER, Role.MANAGER, Role.AUDITOR}),
    "view audit": (lambda s, tmp: audit_service.view(s), {Role.OWNER, Role.AUDITOR}),
    "page through audit": (lambda s, tmp: audit_service.page(s, limit=5), {Role.OWNER, Role.AUDITOR}),
    "export audit": (lambda s, tmp: audit_service.export_csv(s, tmp / "audit.csv"), {Role.OWNER, Role.AUDITOR}),
    "list legal holds": (lambda s, tmp: RetentionService(s).holds(), {Role.OWNER, Role.MANAGER}),
    "register a request": (
        lambda s, tmp: RequestService(s).create("access", "gdpr", requester="At the counter"),
        {Role.OWNER, Role.MANAGER, Role.STAFF},
    ),
    "list open requests": (lambda s, tmp: RequestService(s).open_requests(), {Role.OWNER, Role.MANAGER}),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(sign_in: Callable[[Role], Session], tmp_path: Path, role: Role, action: str) -> None:
    run, allowed_roles = ACTIONS[action]
    session = sign_in(role)
    if role in allowed_roles:
        run(session, tmp_path)
    else:
        with pytest.raises(PermissionDenied):
            run(session, tmp_path)


def test_staff_cannot_add_users_from_the_cli(staffed_vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "user",
        "add",
        staffed_vault,
        "--user",
        NAMES[Role.STAFF],
        "--name",
        "Eve",
        "--role",
        "owner",
        "--password-stdin",
        stdin=f"{PASSWORDS[Role.STAFF]}\nsome-password\nsome-password\n",
    )
    assert result.code == 4, result
    assert "may not manage users" in result.err
    owner = run_cli("user", "list", staffed_vault, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert "Eve" not in owner.out and NAMES[Role.STAFF] in owner.out


def test_cli_user_lifecycle(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    owner_login = OWNER_PASSWORD + "\n"
    added = run_cli(
        "user",
        "add",
        path,
        "--user",
        OWNER,
        "--name",
        "Lee",
        "--role",
        "staff",
        "--password-stdin",
        stdin=owner_login + "temp-pass-1\n",
    )
    assert added.code == 0, added.err
    # The temporary password works only for changing it.
    blocked = run_cli("verify", path, "--user", "Lee", "--password-stdin", stdin="temp-pass-1\n")
    assert blocked.code == 4 and "temporary password" in blocked.err
    changed = run_cli("user", "passwd", path, "--user", "Lee", "--password-stdin", stdin="temp-pass-1\nlees-own-pw\n")
    assert changed.code == 0, changed.err
    assert (
        run_cli("user", "disable", path, "--user", OWNER, "--name", "Lee", "--password-stdin", stdin=owner_login).code
        == 0
    )
    assert run_cli("verify", path, "--user", "Lee", "--password-stdin", stdin="lees-own-pw\n").code == 3
    removed = run_cli("user", "remove", path, "--user", OWNER, "--name", "Lee", "--password-stdin", stdin=owner_login)
    assert removed.code == 0 and "rekey" in removed.out
    assert "Lee" not in Vault.unlock(path, OWNER, OWNER_PASSWORD).keyfile.users()


def test_last_owner_cannot_be_removed_demoted_or_disabled(owner_session: Session) -> None:
    users = UserService(owner_session)
    for attempt in (
        lambda: users.remove(OWNER),
        lambda: users.set_role(OWNER, "manager"),
        lambda: users.set_active(OWNER, False),
    ):
        with pytest.raises(PermissionDenied, match="last owner"):
            attempt()
    users.add("Second Owner", "owner", "temporary-2")
    users.set_role(OWNER, "manager")  # allowed now: someone else is owner (even if not yet signed in)
    assert {u.name: u.role for u in users.list()}[OWNER] is Role.MANAGER


def test_change_own_password_rewraps_only_that_slot(owner_session: Session, no_throttle: None) -> None:
    users = UserService(owner_session)
    users.add("Kim", "staff", "temporary-3")
    vault = owner_session.vault
    kim_before = vault.keyfile.find_slot("Kim")
    owner_slot_before = vault.keyfile.find_slot(OWNER)
    users.change_own_password(OWNER_PASSWORD, "owners-new-password")
    assert vault.keyfile.find_slot("Kim") == kim_before
    assert vault.keyfile.find_slot(OWNER) != owner_slot_before
    path = vault.paths.database
    owner_session.lock()
    with pytest.raises(AuthenticationFailed):
        open_session(path, OWNER, OWNER_PASSWORD)
    open_session(path, OWNER, "owners-new-password").vault.close()


def test_duplicate_and_bad_user_names(owner_session: Session) -> None:
    users = UserService(owner_session)
    with pytest.raises(InvalidInput, match="already"):
        users.add(OWNER.upper(), "staff", "temporary-4")
    with pytest.raises(InvalidInput):
        users.add("   ", "staff", "temporary-4")
    with pytest.raises(InvalidInput, match="role"):
        users.add("Pat", "janitor", "temporary-4")


def test_lockout_delay_grows_and_is_capped() -> None:
    assert [delay_after(n) for n in range(0, 6)] == [0, 1, 2, 4, 8, 16]
    assert delay_after(40) == lockout.MAX_DELAY_SECONDS


def test_lockout_persists_across_restarts_and_clears_on_success(tmp_path: Path) -> None:
    book = LockoutBook(tmp_path / "v.lockout")
    for _ in range(3):
        book.fail("Ana", now=1000.0)
    restarted = LockoutBook(tmp_path / "v.lockout")  # a new process reads the same file
    assert restarted.wait_seconds("ana", now=1000.0) == 4.0
    assert restarted.wait_seconds("Ana", now=1003.5) == pytest.approx(0.5)
    with pytest.raises(LockedOut, match="Try again in 4 seconds"):
        restarted.check("Ana", now=1000.0)
    assert restarted.succeed("Ana").failures == 3
    assert restarted.wait_seconds("Ana", now=1000.0) == 0


def test_unlock_is_throttled_after_a_wrong_password(
    new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = new_vault[0]
    monkeypatch.setattr(lockout.time, "time", lambda: 5000.0)
    with pytest.raises(AuthenticationFailed):
        Vault.unlock(path, OWNER, "wrong-password")
    with pytest.raises(LockedOut) as caught:  # even the right password waits
        Vault.unlock(path, OWNER, OWNER_PASSWORD)
    assert caught.value.wait_seconds == 1.0
    monkeypatch.setattr(lockout.time, "time", lambda: 5001.5)
    Vault.unlock(path, OWNER, OWNER_PASSWORD).close()


# --- issue #17: a disabled or removed login loses its slot; a rekey is due until done -------------------------


def test_a_disabled_users_old_password_no_longer_opens_the_vault_even_with_the_old_key_file(
    staffed_vault: Path,
) -> None:
    from app.errors import VaultDamaged

    sam, sams_password = NAMES[Role.STAFF], PASSWORDS[Role.STAFF]
    keyfile = Vault.paths_of(staffed_vault).keyfile
    old_keys = keyfile.read_bytes()  # what Sam could have copied while she still worked here
    owner = open_session(staffed_vault, OWNER, OWNER_PASSWORD)
    UserService(owner).set_active(sam, False)
    assert owner.vault.keyfile.find_slot(sam) is None  # deleted at once, not kept for later
    current_keys = keyfile.read_bytes()
    owner.lock("logout")
    with pytest.raises(AuthenticationFailed, match="no user called"):
        Vault.unlock(staffed_vault, sam, sams_password)
    keyfile.write_bytes(old_keys)  # the old key file put back: her slot is in it, but it is older than the vault
    with pytest.raises(VaultDamaged, match="key file is older than the vault"):
        Vault.unlock(staffed_vault, sam, sams_password)
    with pytest.raises(VaultDamaged, match="key file is older than the vault"):
        Vault.unlock(staffed_vault, OWNER, OWNER_PASSWORD)
    keyfile.write_bytes(current_keys)
    open_session(staffed_vault, OWNER, OWNER_PASSWORD).lock("logout")


def test_enabling_a_user_issues_a_temporary_password_that_must_be_changed(
    staffed_vault: Path, no_throttle: None
) -> None:
    sam = NAMES[Role.STAFF]
    owner = open_session(staffed_vault, OWNER, OWNER_PASSWORD)
    users = UserService(owner)
    users.set_active(sam, False)
    with pytest.raises(InvalidInput, match="already sign in"):
        users.enable(NAMES[Role.MANAGER], "temporary-7")
    assert users.enable(sam, "temporary-7") == "temporary-7"
    owner.lock("logout")
    with pytest.raises(AuthenticationFailed):  # her own old password died with her old slot
        open_session(staffed_vault, sam, PASSWORDS[Role.STAFF])
    again = open_session(staffed_vault, sam, "temporary-7")
    assert again.user.active and again.user.must_change_password
    with pytest.raises(PermissionDenied, match="temporary password"):
        RequestService(again).open_requests()
    UserService(again).change_own_password("temporary-7", "sams-new-password")
    again.lock("logout")
    # Without a typed password the owner is given one to hand over.
    owner = open_session(staffed_vault, OWNER, OWNER_PASSWORD)
    UserService(owner).disable(sam)
    made_up = UserService(owner).enable(sam)
    owner.lock("logout")
    assert len(made_up) == 14 and made_up.count("-") == 2
    assert open_session(staffed_vault, sam, made_up).user.must_change_password


def test_a_rekey_is_due_after_disabling_or_removing_until_the_rekey(staffed_vault: Path) -> None:
    owner = open_session(staffed_vault, OWNER, OWNER_PASSWORD)
    try:
        users = UserService(owner)
        assert rekey_due.rekey_due_notice(owner) == ""
        users.disable(NAMES[Role.STAFF])
        notice = rekey_due.rekey_due_notice(owner)
        assert notice.startswith("A rekey is due: Sam Staff was disabled on ")
        users.remove(NAMES[Role.AUDITOR])
        notice = rekey_due.rekey_due_notice(owner)
        assert "Sam Staff was disabled on" in notice and "Aud Itor was removed on" in notice
        assert security.verify(owner).rekey_due == rekey_due.rekey_due_reasons(owner)
        security.rekey(owner)
        assert rekey_due.rekey_due_notice(owner) == "" and security.verify(owner).rekey_due == []
        assert sorted(owner.vault.keyfile.users()) == sorted([OWNER, NAMES[Role.MANAGER]])
    finally:
        owner.lock("logout")


def test_cli_verify_says_a_rekey_is_due_until_one_is_done(staffed_vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    owner_login = OWNER_PASSWORD + "\n"
    clean = run_cli("verify", staffed_vault, "--user", OWNER, "--password-stdin", stdin=owner_login)
    assert clean.code == 0 and "rekey" not in clean.out
    disabled = run_cli(
        "user",
        "disable",
        staffed_vault,
        "--user",
        OWNER,
        "--name",
        NAMES[Role.STAFF],
        "--password-stdin",
        stdin=owner_login,
    )
    assert disabled.code == 0 and "rekey" in disabled.out
    due = run_cli(
        "verify", staffed_vault, "--user", NAMES[Role.AUDITOR], "--password-stdin", stdin=PASSWORDS[Role.AUDITOR] + "\n"
    )
    assert due.code == 0, due.err
    assert "A rekey is due: Sam Staff was disabled on " in due.out and "counterpart-admin rekey" in due.out
    enabled = run_cli(
        "user",
        "enable",
        staffed_vault,
        "--user",
        OWNER,
        "--name",
        NAMES[Role.STAFF],
        "--generate",
        "--password-stdin",
        stdin=owner_login,
    )
    assert enabled.code == 0, enabled.err
    temporary = next(
        line.split(": ", 1)[1] for line in enabled.out.splitlines() if line.startswith("Temporary password: ")
    )
    assert (
        run_cli("verify", staffed_vault, "--user", NAMES[Role.STAFF], "--password-stdin", stdin=temporary + "\n").code
        == 4
    )  # signs in, but must change the password first
    assert run_cli("rekey", staffed_vault, "--user", OWNER, "--password-stdin", stdin=owner_login).code == 0
    after = run_cli("verify", staffed_vault, "--user", OWNER, "--password-stdin", stdin=owner_login)
    assert after.code == 0 and "rekey" not in after.out
