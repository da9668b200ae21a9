"""Signed audit entries and the chain's head sealed outside the database (#17).

The attacker is a staff member who holds the data key through her own slot and runs her own program on the vault
(direct SQL on the connection her slot opens, the append-only triggers dropped). Each attack passed `verify`
before entries were signed and the head was sealed; now `counterpart-admin verify` names it and exits 6 ("vault
damaged", README's exit codes), while an ordinary shop's life still verifies (exit 0).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.access import settings
from app.access.session import Session, open_session
from app.access.settings import SettingsService
from app.access.users import UserService
from app.admin import security
from app.errors import AuthenticationFailed
from app.privacy.retention import RetentionService
from app.store import audit
from app.store.database import Connection, transaction
from app.store.signing import Signer, new_private_key, public_key_of
from app.vault import kdf
from app.vault.backup import MANIFEST, make_backup
from app.vault.keyfile import CURRENT, KeyFile, Slot
from app.vault.vault import Vault, VaultPaths
from tests.conftest import OWNER, OWNER_PASSWORD

STAFF, STAFF_PASSWORD = "Sam Staff", "sam-pass-123"


def _set_idle(session: Session, *minutes: int) -> None:
    for value in minutes:
        SettingsService(session).set_idle_minutes(value)


@pytest.fixture
def shop(new_vault: tuple[Path, str]) -> Path:
    """Owner Ana and staff member Sam, each with entries of their own, interleaved; locked."""
    path = new_vault[0]
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    UserService(owner).add(STAFF, "staff", "temporary-1")
    _set_idle(owner, 5, 6, 7)
    owner.lock()
    sam = open_session(path, STAFF, "temporary-1")
    UserService(sam).change_own_password("temporary-1", STAFF_PASSWORD)
    sam.lock()
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    _set_idle(owner, 8, 9, 10, 11)
    owner.lock()
    return path


@contextmanager
def staff_program(path: Path) -> Iterator[tuple[Vault, Connection]]:
    """Sam's own program: her slot gives the data key; SQL straight on the connection, guards dropped."""
    vault = Vault.unlock(path, STAFF, STAFF_PASSWORD)
    try:
        assert vault.db is not None
        with transaction(vault.db) as conn:
            conn.execute("DROP TRIGGER audit_event_no_update")
            conn.execute("DROP TRIGGER audit_event_no_delete")
            yield vault, conn
    finally:
        vault.close()


def verify(run_cli, path: Path):  # type: ignore[no-untyped-def]
    return run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")


def _user_id(conn: Connection, name: str) -> int:
    return int(conn.execute("SELECT id FROM user WHERE name = ?", (name,)).fetchone()[0])


def _owner_slot(vault: Vault) -> Slot:
    slot = vault.keyfile.find_slot(OWNER)
    assert slot is not None
    return slot


def test_an_ordinary_shop_verifies_with_every_entry_signed(shop: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = verify(run_cli, shop)
    assert result.code == 0, result.err
    assert "unsigned" not in result.out
    with Vault.unlock(shop, OWNER, OWNER_PASSWORD) as vault:
        unsigned = vault.db.execute("SELECT count(*) FROM audit_event WHERE signature IS NULL").fetchone()[0]
        signers = {row[0] for row in vault.db.execute("SELECT DISTINCT signer FROM audit_event")}
    assert unsigned == 0
    assert len(signers) == 2  # Ana's key, and Sam's: kept when she replaced her temporary password


def test_retired_keys_still_verify_after_resets_removal_rekey_and_a_sweep(shop: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    UserService(owner).reset_password(STAFF, "temporary-2")  # Sam's key is replaced: Ana vouches for the old one
    owner.lock()
    sam = open_session(shop, STAFF, "temporary-2")
    UserService(sam).change_own_password("temporary-2", "sam-pass-456")
    sam.lock()
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    UserService(owner).remove(STAFF)
    security.rekey(owner)
    assert security.verify(owner).chain.ok
    owner.lock()
    result = verify(run_cli, shop)
    assert result.code == 0, result.err
    with Vault.unlock(shop, OWNER, OWNER_PASSWORD) as vault:
        retired = vault.db.execute("SELECT count(*) FROM audit_event WHERE action = 'audit.key_retired'").fetchone()
    assert retired[0] == 2  # at her removal, Ana vouched for both of Sam's keys (before and after the reset)


def test_a_login_disabled_and_enabled_again_keeps_its_earlier_entries(shop: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    UserService(owner).disable(STAFF)
    UserService(owner).enable(STAFF, "temporary-3")  # a new slot: it lists the key Ana vouched for at disabling
    owner.lock()
    slot = KeyFile.load(VaultPaths.of(shop).keyfile)[0].find_slot(STAFF)
    assert slot is not None and len(slot.previous_signing_keys) == 1
    assert verify(run_cli, shop).code == 0


def test_a_sweep_that_trims_the_log_leaves_a_signed_anchor(shop: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    service = RetentionService(owner)
    service.set_policy("audit", 30, "delete")
    assert service.apply(datetime.now(UTC) + timedelta(days=31)).counts["audit"] > 10
    anchor = json.loads(owner.vault.meta("audit_anchor") or "{}")
    assert anchor["signer"] == (_owner_slot(owner.vault).signing_public_key or b"").hex() and anchor["sig"]
    owner.lock()
    assert verify(run_cli, shop).code == 0


# --- a staff member writes an entry as the owner --------------------------------------------------------------


def _append_as(conn: Connection, vault: Vault, key_id: str, user_id: int, private_key: bytes) -> int:
    """An entry naming `key_id` as its signer, signed with `private_key` (her program writes what it likes)."""
    key = bytes.fromhex(str(conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_key'").fetchone()[0]))
    last, prev = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    digest = audit._hash(
        key, bytes(prev), audit._canonical(last + 1, at, user_id, "user.role", None, None, "staff->owner", key_id)
    )
    signature = Signer("", user_id, private_key).sign(audit._entry_message(digest))
    conn.execute(
        "INSERT INTO audit_event(id, at, user_id, action, summary, prev_hash, hash, signer, signature) "
        "VALUES (?, ?, ?, 'user.role', 'staff->owner', ?, ?, ?, ?)",
        (last + 1, at, user_id, bytes(prev), digest, key_id, signature),
    )
    return int(last) + 1


@pytest.mark.parametrize(
    "how", ["signed by herself", "unsigned", "the owner's key named, hers used", "a key she vouches for"]
)
def test_staff_cannot_write_an_entry_as_the_owner(shop: Path, run_cli, how: str) -> None:  # type: ignore[no-untyped-def]
    with staff_program(shop) as (vault, conn):
        assert vault.signer is not None
        owner_id, sam_id = _user_id(conn, OWNER), _user_id(conn, STAFF)
        if how == "the owner's key named, hers used":
            owner_key = (_owner_slot(vault).signing_public_key or b"").hex()
            forged = _append_as(conn, vault, owner_key, owner_id, vault.signer.private_key)
        else:
            signer: Signer | None = vault.signer if how == "signed by herself" else None
            if how == "a key she vouches for":  # made owner in the user table, she vouches a key of hers as Ana's
                conn.execute("UPDATE user SET role = 'owner' WHERE id = ?", (sam_id,))
                signer = Signer("", owner_id, new_private_key())
                audit.record_retired_key(
                    conn,
                    vault.data_key(),
                    vault.signer,
                    audit.PublicSigner(owner_id, public_key_of(signer.private_key)),
                )
            forged = audit.append(
                conn,
                vault.data_key(),
                user_id=owner_id,
                action="user.role",
                entity_type="user",
                entity_id=sam_id,
                summary="staff->owner",
                signer=signer,
            )
    result = verify(run_cli, shop)
    assert result.code == 6, result
    assert f"entry {forged} fails" in result.err
    expected = {
        "signed by herself": f"says {OWNER} wrote it, but it was signed with the key of {STAFF}",
        "unsigned": f"says {OWNER} wrote it, but it is not signed",
        "the owner's key named, hers used": "its signature does not match",
        "a key she vouches for": "signed with a key that belongs to no login",
    }[how]
    assert expected in result.err


def test_staff_cannot_put_her_key_in_the_owner_s_slot_without_locking_the_owner_out(shop: Path) -> None:
    keys = VaultPaths.of(shop).keyfile
    with Vault.unlock(shop, STAFF, STAFF_PASSWORD) as vault:
        assert vault.signer is not None
        _owner_slot(vault).signing_public_key = public_key_of(vault.signer.private_key)
        body = vault.keyfile._body()
        data_key = vault.data_key()
        vault.sealing = False  # her program writes the key file, not the app
    keys.write_text(json.dumps(dict(body, mac=base64.b64encode(KeyFile._mac(body, data_key)).decode())))
    with pytest.raises(AuthenticationFailed):  # the header is the seal's associated data: Ana notices at once
        Vault.unlock(shop, OWNER, OWNER_PASSWORD)


# --- a staff member rewrites the owner's entry and re-hashes the chain -----------------------------------------


def _rehash_from(conn: Connection, vault: Vault, first: int) -> None:
    """Recompute every hash from `first` on with the chain key in the database; re-sign her own entries."""
    assert vault.signer is not None
    key = bytes.fromhex(str(conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_key'").fetchone()[0]))
    prev = bytes(conn.execute("SELECT hash FROM audit_event WHERE id = ?", (first - 1,)).fetchone()[0])
    rows = conn.execute(
        "SELECT id, at, user_id, action, entity_type, entity_id, summary, signer, signature "
        "FROM audit_event WHERE id >= ? ORDER BY id",
        (first,),
    ).fetchall()
    for entry_id, at, user_id, action, entity_type, entity_id, summary, slot, signature in rows:
        digest = audit._hash(
            key, prev, audit._canonical(entry_id, at, user_id, action, entity_type, entity_id, summary, slot)
        )
        if slot == vault.signer.key_id:
            signature = vault.signer.sign(audit._entry_message(digest))
        conn.execute(
            "UPDATE audit_event SET prev_hash = ?, hash = ?, signature = ? WHERE id = ?",
            (prev, digest, signature, entry_id),
        )
        prev = digest


@pytest.mark.parametrize("signature", ["left as it was", "hers instead"])
def test_staff_cannot_rewrite_an_owner_entry(shop: Path, run_cli, signature: str) -> None:  # type: ignore[no-untyped-def]
    with staff_program(shop) as (vault, conn):
        assert vault.signer is not None
        owner_id = _user_id(conn, OWNER)
        target = int(
            conn.execute(
                "SELECT min(id) FROM audit_event WHERE action = 'setting.change' AND user_id = ?", (owner_id,)
            ).fetchone()[0]
        )
        conn.execute("UPDATE audit_event SET summary = 'idle_minutes=600' WHERE id = ?", (target,))
        if signature == "hers instead":
            conn.execute("UPDATE audit_event SET signer = ? WHERE id = ?", (vault.signer.key_id, target))
        _rehash_from(conn, vault, target)
        assert audit.verify_chain(conn).ok  # the hash chain alone (what verify checked before) is satisfied
    result = verify(run_cli, shop)
    assert result.code == 6, result
    assert f"entry {target} fails" in result.err
    assert (
        "its signature does not match: it was changed after " + OWNER
        if signature == "left as it was"
        else f"signed with the key of {STAFF}"
    ) in result.err


# --- cutting the chain at either end ---------------------------------------------------------------------------


def test_deleting_the_last_entries_is_named(shop: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    with staff_program(shop) as (_vault, conn):
        newest = int(conn.execute("SELECT max(id) FROM audit_event").fetchone()[0])
        conn.execute("DELETE FROM audit_event WHERE id > ?", (newest - 5,))
    result = verify(run_cli, shop)
    assert result.code == 6, result
    assert f"the last 5 entries were missing: the vault was last locked after entry {newest}" in result.err
    again = verify(run_cli, shop)  # recorded, signed by the owner who found it: it stays named
    assert again.code == 6 and "the last 5 entries were missing" in again.err


def test_the_app_does_not_seal_over_a_cut_end_at_lock(shop: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    sam = open_session(shop, STAFF, STAFF_PASSWORD)  # signed in through the app, then SQL on its connection
    sealed = int(sam.vault.keyfile.audit_head["id"])  # type: ignore[index]
    with transaction(sam.conn) as conn:
        conn.execute("DROP TRIGGER audit_event_no_delete")
        conn.execute("DELETE FROM audit_event WHERE id > ?", (sealed - 5,))
    sam.lock()
    assert int(KeyFile.load(VaultPaths.of(shop).keyfile)[0].audit_head["id"]) == sealed  # type: ignore[index]
    result = verify(run_cli, shop)
    assert result.code == 6 and "the last 5 entries were missing" in result.err


@pytest.mark.parametrize("anchor", ["unsigned", "signed by her"])
def test_deleting_the_first_entries_with_a_forged_anchor_is_named(shop: Path, run_cli, anchor: str) -> None:  # type: ignore[no-untyped-def]
    with staff_program(shop) as (vault, conn):
        tenth = bytes(conn.execute("SELECT hash FROM audit_event WHERE id = 10").fetchone()[0])
        conn.execute("DELETE FROM audit_event WHERE id <= 10")
        audit.set_anchor(conn, vault.signer if anchor == "signed by her" else None, 10, tenth)
        assert audit.verify_chain(conn).ok  # the hash chain alone is satisfied
    result = verify(run_cli, shop)
    assert result.code == 6, result
    assert "The first 10 entries are missing" in result.err and "forged" in result.err


def test_a_backup_s_manifest_names_an_end_cut_behind_a_new_seal(shop: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "backups"
    folder.mkdir()
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    settings.set_backup_folder(owner, folder)
    _set_idle(owner, 12, 13, 14, 15, 16, 17)
    made = make_backup(owner.vault, folder)
    head = json.loads((made / MANIFEST).read_text())["audit_head"]
    owner.lock()
    with staff_program(shop) as (vault, conn):  # cut the end, then seal a head of her own over it
        conn.execute("DELETE FROM audit_event WHERE id > ?", (int(head["id"]) - 5,))
        vault.keyfile.audit_head = audit.seal_head(conn, vault.signer)  # type: ignore[arg-type]
        vault.keyfile.save(vault.paths.keyfile, vault.data_key())
    result = verify(run_cli, shop)
    assert result.code == 6, result
    assert f"the backup {made.name}" in result.err and f"entry {head['id']}" in result.err


# --- a vault from before signed entries ----------------------------------------------------------------------


def _version_1(slot: Slot, vault_id: str, password: str, data_key: bytes) -> Slot:
    """The same slot as the previous version wrote it: no signing key in it."""
    opened = slot.unseal(vault_id, password, None)
    old = Slot(
        slot_id=slot.slot_id,
        user=slot.user,
        created=slot.created,
        kdf=slot.kdf,
        salt=slot.salt,
        device_id=None,
        public_key=slot.public_key,
        sealed_private_nonce=b"",
        sealed_private_key=b"",
    )
    old._seal(vault_id, opened.slot_key, opened.private_key, None)
    old.wrap(vault_id, data_key, CURRENT)
    return old


def test_entries_from_before_signing_are_reported_unsigned_not_tampered(vault_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(
        vault_path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP, schema_target=15
    )
    with vault:
        assert vault.signer is None
        owner_id = _user_id(vault.db, OWNER)
        with transaction(vault.db) as conn:
            for n in range(4):
                audit.append(conn, vault.data_key(), user_id=owner_id, action="setting.change", summary=f"n={n}")
        vault.keyfile.replace_slot(_version_1(_owner_slot(vault), vault.vault_id, OWNER_PASSWORD, vault.data_key()))
        vault._save_keyfile()
    assert KeyFile.load(VaultPaths.of(vault_path).keyfile)[0].slots[0].signing_public_key is None
    result = verify(run_cli, vault_path)  # migrates, gives Ana's slot a signing key, signs from here on
    assert result.code == 0, result.err
    assert "4 entries unsigned (written before version" in result.out
    slot = KeyFile.load(VaultPaths.of(vault_path).keyfile)[0].slots[0]
    assert slot.signing_public_key is not None and slot.user_id == owner_id
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as vault:  # the same password still opens it
        signed = vault.db.execute(
            "SELECT count(*) FROM audit_event WHERE signer = ?", (slot.signing_public_key.hex(),)
        ).fetchone()
    assert signed[0] >= 2  # the login and the verify


def test_a_seal_she_rewrote_without_a_login_s_key_is_named(shop: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    with staff_program(shop) as (vault, conn):  # cut the end, and move the owner's seal back to the new end
        head = dict(vault.keyfile.audit_head or {})
        conn.execute("DELETE FROM audit_event WHERE id > ?", (int(head["id"]) - 5,))
        newest, digest = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        vault.keyfile.audit_head = dict(head, id=int(newest), hash=bytes(digest).hex())  # the owner's signature kept
        vault.keyfile.save(vault.paths.keyfile, vault.data_key())
        vault.sealing = False
    result = verify(run_cli, shop)
    assert result.code == 6, result
    assert "the key file's record of the log's end was not signed by a login of this vault" in result.err


def test_after_a_recovery_the_owner_s_earlier_entries_still_verify(
    shop: Path, new_vault: tuple[Path, str], run_cli
) -> None:  # type: ignore[no-untyped-def]
    before = KeyFile.load(VaultPaths.of(shop).keyfile)[0].find_slot(OWNER)
    assert before is not None and before.signing_public_key is not None
    security.recover(shop, new_vault[1], "recovered-pass-1", kdf_params=kdf.CHEAP)
    after = KeyFile.load(VaultPaths.of(shop).keyfile)[0].find_slot(OWNER)
    assert after is not None and after.signing_public_key != before.signing_public_key
    assert after.previous_signing_keys == [before.signing_public_key]  # her new slot vouches for her old key
    result = run_cli("verify", shop, "--user", OWNER, "--password-stdin", stdin="recovered-pass-1\n")
    assert result.code == 0, result.err
