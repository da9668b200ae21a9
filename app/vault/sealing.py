"""What an open vault does for the signed audit log (app/store/audit.py): hold the unlocking slot's signing key,
give an older slot one at its user's unlock, vouch for keys of slots that leave the key file, and keep the chain's
signed head in the key file: checked at unlock before anything is written, sealed again at every lock.

Kept apart from vault.py, which only calls in here at those moments.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import sqlcipher3

from app.store import audit, database
from app.store.database import Connection
from app.store.signing import PublicSigner, Signer
from app.vault.keyfile import CURRENT, Slot, Unsealed, user_key

if TYPE_CHECKING:
    from app.vault.vault import Vault

HEAD_FIELD = "audit_head"  # in a backup's manifest


def user_id_of(conn: Connection, name: str) -> int | None:
    """The database's id for a login name (None before the user table exists, as in a schema 1 vault)."""
    try:
        row = conn.execute(
            "SELECT id FROM user WHERE name_key = ? AND removed_at IS NULL", (user_key(name),)
        ).fetchone()
    except sqlcipher3.OperationalError:
        return None
    return None if row is None else int(row[0])


def signed_entries(conn: Connection) -> bool:
    return any(str(r[1]) == "signer" for r in conn.execute("PRAGMA table_info(audit_event)"))


def after_unlock(vault: Vault, slot: Slot, opened: Unsealed) -> None:
    """Take the slot's signing key (making one for a slot from before signing: same password, one save), then
    compare the log with the head the key file sealed at the last lock, before this session writes anything."""
    assert vault.db is not None
    user_id = user_id_of(vault.db, slot.user)
    signing_key = opened.signing_key
    if signed_entries(vault.db) and (signing_key is None or (slot.user_id is None and user_id is not None)):
        upgraded, signing_key = slot.with_signing_key(
            vault.vault_id, opened, user_id, {CURRENT: vault.data_key()}, signing_key
        )
        vault.keyfile.replace_slot(upgraded)
        vault._save_keyfile()
        slot = upgraded
    if signing_key is not None:
        vault.signer = Signer(slot.slot_id, slot.user_id, signing_key)
    vault.sealing = True
    head = vault.keyfile.audit_head
    forged = (
        bool(head) and signed_entries(vault.db) and not audit.head_signed(vault.db, head or {}, vault.keyfile.signers())
    )
    finding = {"forged": True} if forged else audit.head_finding(vault.db, head)
    if finding is not None:
        with database.transaction(vault.db):
            audit.record_cut(vault.db, vault.data_key(), vault.signer, finding)
        seal(vault, force=True)


def seal(vault: Vault, force: bool = False) -> None:
    """Write the newest entry's id and hash, signed, into the key file. Not over a head the log has lost (that
    is evidence for the next unlock to record), unless `force` (just recorded)."""
    if not vault.sealing or vault.db is None or vault.signer is None or not signed_entries(vault.db):
        return
    if not force and audit.head_finding(vault.db, vault.keyfile.audit_head) is not None:
        return
    head = audit.seal_head(vault.db, vault.signer)
    if head is None or (vault.keyfile.audit_head or {}).get("hash") == head["hash"]:
        return
    vault.keyfile.audit_head = head
    vault.keyfile.save(vault.paths.keyfile, vault.data_key())


def seal_at_close(vault: Vault) -> None:
    """At lock; a failure here (a full disk, a mangled head) must not keep the vault open: the next unlock
    compares the log with whatever head the key file still holds."""
    with contextlib.suppress(Exception):
        seal(vault)


def retire(vault: Vault, slot: Slot | None) -> None:
    """`slot` leaves the key file with no successor (a login disabled or removed): vouch for its signing keys with
    the acting user's, so its entries still verify."""
    if slot is None or vault.db is None or vault.signer is None:
        return
    with database.transaction(vault.db) as conn:
        for key in slot.signing_keys:
            audit.record_retired_key(conn, vault.data_key(), vault.signer, PublicSigner(slot.user_id, key))


def head_for_backup(vault: Vault, snapshot: Connection) -> dict[str, Any] | None:
    """The backup's newest entry, signed by whoever makes the backup: an outside copy of the log's end."""
    if vault.signer is None or not signed_entries(snapshot):
        return None
    return audit.seal_head(snapshot, vault.signer)


def earlier_keys(vault: Vault, user: str) -> list[bytes]:
    """The signing keys a new slot for `user` must list: those of the slot it replaces, or, for a login given back
    (enabled again), the keys the log vouches for since it was taken away."""
    replaced = vault.keyfile.find_slot(user)
    if replaced is not None:
        return replaced.signing_keys
    user_id = user_id_of(vault.db, user) if vault.db is not None else None
    if user_id is None or vault.db is None or not signed_entries(vault.db):
        return []
    trusted = audit.trusted_signers(vault.db, vault.keyfile.signers())
    return [signer.public_key for signer in trusted.values() if signer.user_id == user_id]
