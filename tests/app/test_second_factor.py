"""A FIDO2 security key on a login (issue #20): its hmac-secret answer joins the slot's key derivation.

python-fido2's real client runs against a software authenticator (tests/fido_soft_authenticator.py) speaking
CTAP2 with real crypto; real SQLCipher vaults with cheap KDF parameters.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.access.second_factor import SecurityKeyService
from app.access.session import Session, open_session
from app.access.users import UserService
from app.errors import (
    AuthenticationFailed,
    InvalidInput,
    NoSecurityKey,
    PermissionDenied,
    SecurityKeyCancelled,
    SecurityKeyError,
    SecurityKeyTimeout,
    WrongSecurityKey,
)
from app.vault import kdf, second_factor
from app.vault.keyfile import FACTOR_VERSION, SIGNED_VERSION, Enrolment, KeyFile, Slot
from app.vault.second_factor import Fido2SecondFactor
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.fido_soft_authenticator import SoftAuthenticator

MANAGER, MANAGER_PASSWORD = "Mia Manager", "manager-pass-1"
STAFF, STAFF_PASSWORD = "Sam Staff", "staff-pass-1"


@pytest.fixture
def plug(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Which security keys are 'plugged in' (what python-fido2 would find on USB)."""

    def plugged(*keys: SoftAuthenticator) -> None:
        monkeypatch.setattr(second_factor, "list_devices", lambda: list(keys))

    return plugged


def actions(session: Session) -> list[tuple[str, str]]:
    rows = session.conn.execute("SELECT action, coalesce(summary, '') FROM audit_event ORDER BY id").fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def add_user(owner: Session, name: str, role: str, password: str) -> Session:
    """Add a user past their first password change; returns the owner signed in again (the old session locked)."""
    UserService(owner).add(name, role, "temporary-1")
    path = owner.vault.paths.database
    owner.lock("logout")
    session = open_session(path, name, "temporary-1")
    UserService(session).change_own_password("temporary-1", password)
    session.lock("logout")
    return open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())  # asked only if she has a key


@pytest.fixture
def keyed_owner(owner_session: Session, plug: Callable[..., None]) -> tuple[Path, SoftAuthenticator]:
    """The owner has added a security key (the one plugged in) and signed out."""
    key = SoftAuthenticator()
    plug(key)
    owner = add_user(owner_session, MANAGER, "manager", MANAGER_PASSWORD)
    SecurityKeyService(owner).add(OWNER_PASSWORD, Fido2SecondFactor())
    path = owner.vault.paths.database
    owner.lock("logout")
    return path, key


# --- the key file --------------------------------------------------------------------------------------------


def test_a_slot_with_a_key_needs_its_answer_and_says_so_in_its_authenticated_header() -> None:
    enrolment = Enrolment(b"credential", b"s" * 32, "discouraged", "counterpart.invalid")
    answer = b"a" * 32
    slot = Slot.create(
        vault_id="v1",
        user="Ana",
        password="password-1",
        data_key=b"k" * 32,
        params=kdf.CHEAP,
        device_secret=None,
        second_factor=enrolment,
        factor_secret=answer,
    )
    assert slot.version == FACTOR_VERSION
    assert json.loads(slot.header("v1"))["second_factor"]["credential_id"] == "Y3JlZGVudGlhbA=="
    assert slot.open("v1", "password-1", None, answer) == {"current": b"k" * 32}
    with pytest.raises(AuthenticationFailed, match="also needs its security key"):
        slot.open("v1", "password-1", None)
    with pytest.raises(AuthenticationFailed, match="password or the security key"):
        slot.open("v1", "password-1", None, b"b" * 32)
    again = Slot.from_json(json.loads(json.dumps(slot.to_json())))
    assert again.second_factor == enrolment
    assert again.open("v1", "password-1", None, answer) == {"current": b"k" * 32}
    # Another salt in the header (an edit of the file) breaks the seal even with the right answer
    again.second_factor = Enrolment(b"credential", b"t" * 32, "discouraged", "counterpart.invalid")
    with pytest.raises(AuthenticationFailed):
        again.open("v1", "password-1", None, answer)


def test_a_slot_without_a_key_derives_exactly_as_before() -> None:
    """Existing slots are unchanged: the old HKDF label over argon2 + device secret, and no factor asked."""
    device = b"d" * 32
    slot = Slot.create(
        vault_id="v1", user="Ana", password="password-1", data_key=b"k" * 32, params=kdf.CHEAP, device_secret=device
    )
    assert slot.version == SIGNED_VERSION and slot.second_factor is None
    assert "second_factor" not in json.loads(slot.header("v1")) and "second_factor" not in slot.to_json()
    stretched = kdf.derive("password-1", slot.salt, kdf.CHEAP)
    expected = HKDF(hashes.SHA256(), 32, salt=b"v1", info=b"counterpart slot v1 " + slot.slot_id.encode()).derive(
        stretched + device
    )
    assert slot.unseal("v1", "password-1", device, b"ignored" * 4 + b"1234").slot_key == expected


# --- the real fido2 client against the software key ----------------------------------------------------------


def test_the_answer_is_hmac_of_the_keys_credential_secret(plug: Callable[..., None]) -> None:
    plug(SoftAuthenticator())
    factor = Fido2SecondFactor()
    enrolment = factor.enrol("Ana")
    first = factor.hmac_secret(enrolment, enrolment.salt)
    assert len(first) == 32 and first == factor.hmac_secret(enrolment, enrolment.salt)
    assert first != factor.hmac_secret(enrolment, b"x" * 32)
    assert enrolment.user_verification == "discouraged" and enrolment.rp_id == second_factor.RP_ID


def test_no_key_wrong_key_no_touch_and_cancel_are_told_apart(plug: Callable[..., None]) -> None:
    right = SoftAuthenticator()
    plug(right)
    enrolment = Fido2SecondFactor().enrol("Ana")
    plug()
    with pytest.raises(NoSecurityKey, match="No security key is plugged in"):
        Fido2SecondFactor().hmac_secret(enrolment, enrolment.salt)
    plug(SoftAuthenticator())
    with pytest.raises(WrongSecurityKey, match="not the security key"):
        Fido2SecondFactor().hmac_secret(enrolment, enrolment.salt)
    plug(SoftAuthenticator(), right)  # two keys: the one that knows the credential answers
    assert len(Fido2SecondFactor().hmac_secret(enrolment, enrolment.salt)) == 32
    plug(SoftAuthenticator(master_key=right._master, user_presence=lambda: False))
    with pytest.raises(SecurityKeyTimeout, match="not touched in time"):
        Fido2SecondFactor().hmac_secret(enrolment, enrolment.salt)

    waiting = threading.Event()
    factor = Fido2SecondFactor(on_touch=waiting.set)

    def touch_never_comes() -> bool:
        threading.Timer(0.05, factor.cancel).start()
        threading.Event().wait(0.3)
        return False

    plug(SoftAuthenticator(master_key=right._master, user_presence=touch_never_comes))
    with pytest.raises(SecurityKeyCancelled):
        factor.hmac_secret(enrolment, enrolment.salt)
    assert waiting.is_set()  # the touch prompt was shown before it was cancelled


# --- the vault and the service --------------------------------------------------------------------------------


def test_the_slot_cannot_open_without_its_key(
    keyed_owner: tuple[Path, SoftAuthenticator], plug: Callable[..., None]
) -> None:
    path, key = keyed_owner
    keyfile, _mac = KeyFile.load(Vault.paths_of(path).keyfile)
    slot = keyfile.find_slot(OWNER)
    assert slot is not None and slot.version == FACTOR_VERSION and slot.needs_security_key
    with pytest.raises(SecurityKeyError, match="also needs its security key"):
        open_session(path, OWNER, OWNER_PASSWORD)
    plug()
    with pytest.raises(NoSecurityKey):
        open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())
    plug(SoftAuthenticator())
    with pytest.raises(WrongSecurityKey):
        open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())
    plug(key)
    touches = key.touches
    session = open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())  # the key errors locked nobody out
    assert key.touches == touches + 1
    assert ("user.security_key_add", "") in actions(session)
    session.lock("logout")
    with pytest.raises(AuthenticationFailed, match="password or the security key"):
        open_session(path, OWNER, "not-the-password", Fido2SecondFactor())


def test_a_key_the_slot_never_saw_cannot_forge_its_answer(keyed_owner: tuple[Path, SoftAuthenticator]) -> None:
    """Not a check the app makes: a made-up 32-byte answer simply does not unseal the slot."""
    path, _key = keyed_owner

    class Forger:
        def enrol(self, user_name: str) -> Enrolment:
            raise AssertionError("not asked")

        def hmac_secret(self, enrolment: Enrolment, salt: bytes) -> bytes:
            return hmac.new(b"guess", salt, hashlib.sha256).digest()

    with pytest.raises(AuthenticationFailed):
        open_session(path, OWNER, OWNER_PASSWORD, Forger())


def test_other_logins_and_the_recovery_key_open_without_the_key(
    new_vault: tuple[Path, str], plug: Callable[..., None]
) -> None:
    path, recovery_key = new_vault
    key = SoftAuthenticator()
    plug(key)
    owner = add_user(open_session(path, OWNER, OWNER_PASSWORD), MANAGER, "manager", MANAGER_PASSWORD)
    manager_slot_before = owner.vault.keyfile.find_slot(MANAGER)
    SecurityKeyService(owner).add(OWNER_PASSWORD, Fido2SecondFactor())
    assert owner.vault.keyfile.find_slot(MANAGER) == manager_slot_before  # untouched
    owner.lock("logout")
    plug()
    manager = open_session(path, MANAGER, MANAGER_PASSWORD)  # no key, no touch
    assert manager.user.name == MANAGER
    manager.lock("logout")
    vault = Vault.open_with_recovery_key(path, recovery_key)
    assert vault.user is None and vault.meta("owner") == OWNER
    vault.close()


def test_staff_may_not_add_a_key_and_the_refusal_is_audited(owner_session: Session, plug: Callable[..., None]) -> None:
    plug(SoftAuthenticator())
    owner = add_user(owner_session, STAFF, "staff", STAFF_PASSWORD)
    path = owner.vault.paths.database
    owner.lock("logout")
    staff = open_session(path, STAFF, STAFF_PASSWORD)
    with pytest.raises(PermissionDenied, match="only owners and managers"):
        SecurityKeyService(staff).add(STAFF_PASSWORD, Fido2SecondFactor())
    assert ("access.refused", "security_key: staff") in actions(staff)
    assert not SecurityKeyService(staff).has_key()
    staff.lock("logout")


def test_changing_your_own_password_keeps_your_key(keyed_owner: tuple[Path, SoftAuthenticator]) -> None:
    path, _key = keyed_owner
    session = open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())
    UserService(session).change_own_password(OWNER_PASSWORD, "new-owner-pass")
    session.lock("logout")
    with pytest.raises(SecurityKeyError):
        open_session(path, OWNER, "new-owner-pass")
    open_session(path, OWNER, "new-owner-pass", Fido2SecondFactor()).lock("logout")


def test_removing_a_key_needs_the_key(keyed_owner: tuple[Path, SoftAuthenticator], plug: Callable[..., None]) -> None:
    path, key = keyed_owner
    session = open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())
    service = SecurityKeyService(session)
    with pytest.raises(InvalidInput, match="already has a security key"):
        service.add(OWNER_PASSWORD, Fido2SecondFactor())
    plug(SoftAuthenticator())
    with pytest.raises(WrongSecurityKey):
        service.remove(OWNER_PASSWORD, Fido2SecondFactor())
    plug(key)
    with pytest.raises(AuthenticationFailed):
        service.remove("wrong-password", Fido2SecondFactor())
    assert service.has_key()
    service.remove(OWNER_PASSWORD, Fido2SecondFactor())
    assert not service.has_key()
    assert [a for a, _s in actions(session)].count("user.security_key_remove") == 1
    session.lock("logout")
    plug()
    open_session(path, OWNER, OWNER_PASSWORD).lock("logout")  # the password alone again


def test_the_owner_takes_a_lost_key_off_a_manager_with_a_password_reset(
    keyed_owner: tuple[Path, SoftAuthenticator], plug: Callable[..., None]
) -> None:
    path, key = keyed_owner
    plug(SoftAuthenticator())
    manager = open_session(path, MANAGER, MANAGER_PASSWORD)
    SecurityKeyService(manager).add(MANAGER_PASSWORD, Fido2SecondFactor())
    with pytest.raises(PermissionDenied):
        SecurityKeyService(manager).remove_for(OWNER, "temporary-2")
    manager.lock("logout")
    plug(key)  # the manager's key is lost; the owner signs in with hers
    owner = open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())
    with pytest.raises(InvalidInput, match="recovery key"):
        SecurityKeyService(owner).remove_for(OWNER, "temporary-2")
    SecurityKeyService(owner).remove_for(MANAGER, "temporary-2")
    assert ("user.security_key_remove", "by the owner, with a password reset") in actions(owner)
    owner.lock("logout")
    plug()
    manager = open_session(path, MANAGER, "temporary-2")
    assert manager.user.must_change_password
    manager.lock("logout")


# --- the command line -----------------------------------------------------------------------------------------


def test_cli_adds_and_removes_a_key_and_asks_for_a_touch(
    new_vault: tuple[Path, str],
    run_cli,  # type: ignore[no-untyped-def]
    plug: Callable[..., None],
) -> None:
    path, _recovery = new_vault
    key = SoftAuthenticator()
    plug(key)
    added = run_cli(
        "user",
        "security-key",
        "add",
        path,
        "--user",
        OWNER,
        "--password-stdin",
        stdin=f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n",
    )
    assert added.code == 0, added.err
    assert "security key" in added.out
    listed = run_cli("user", "list", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert listed.code == 0 and OWNER in listed.out
    assert "Touch your security key" in listed.err
    plug()
    refused = run_cli("user", "list", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert refused.code == 3 and "No security key is plugged in" in refused.err
    plug(SoftAuthenticator())
    wrong = run_cli("user", "list", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert wrong.code == 3 and "not the security key" in wrong.err
    plug(key)
    removed = run_cli(
        "user",
        "security-key",
        "remove",
        path,
        "--user",
        OWNER,
        "--password-stdin",
        stdin=f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n",
    )
    assert removed.code == 0, removed.err
    plug()
    assert run_cli("user", "list", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n").code == 0


def test_cli_refuses_staff_and_lets_the_owner_take_a_lost_key_off(
    keyed_owner: tuple[Path, SoftAuthenticator],
    run_cli,  # type: ignore[no-untyped-def]
    plug: Callable[..., None],
) -> None:
    path, key = keyed_owner
    plug(SoftAuthenticator())
    manager_added = run_cli(
        "user",
        "security-key",
        "add",
        path,
        "--user",
        MANAGER,
        "--password-stdin",
        stdin=f"{MANAGER_PASSWORD}\n{MANAGER_PASSWORD}\n",
    )
    assert manager_added.code == 0, manager_added.err
    plug(key)
    owner = open_session(path, OWNER, OWNER_PASSWORD, Fido2SecondFactor())
    owner = add_user(owner, STAFF, "staff", STAFF_PASSWORD)
    owner.lock("logout")
    refused = run_cli(
        "user",
        "security-key",
        "add",
        path,
        "--user",
        STAFF,
        "--password-stdin",
        stdin=f"{STAFF_PASSWORD}\n{STAFF_PASSWORD}\n",
    )
    assert refused.code == 4 and "only owners and managers" in refused.err
    reset = run_cli(
        "user",
        "security-key",
        "remove",
        path,
        "--user",
        OWNER,
        "--name",
        MANAGER,
        "--password-stdin",
        stdin=f"{OWNER_PASSWORD}\ntemporary-3\ntemporary-3\n",
    )
    assert reset.code == 0, reset.err
    assert "temporary password" in reset.out
    plug()
    manager = open_session(path, MANAGER, "temporary-3")
    assert manager.user.must_change_password
    manager.lock("logout")
