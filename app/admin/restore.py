"""Open a backup with the credentials of its time, test it (a drill), or restore it over the vault: atomically,
and erasing again everyone erased since that backup was made.

Above the privacy floor because the erasure replay is privacy's (app.privacy.erasure); the backup files
themselves are the vault's (app.vault.backup)."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from app.access.roles import Permission
from app.errors import CounterpartError, InvalidInput, PermissionDenied, VaultDamaged
from app.locale import _
from app.privacy import erasure
from app.store import audit, database
from app.vault import marks, restore_journal
from app.vault.backup import (
    DATABASE,
    FORMAT,
    HIGH_WATER_FIELD,
    KEYS,
    LEDGER_FIELD,
    MANIFEST,
    check_files,
    erasure_ledger,
    read_manifest,
    table_counts,
)
from app.vault.keyfile import KeyFile, key_check, user_key
from app.vault.vault import Vault, VaultPaths, acquire_lock

NOT_OWNER = "not owner"  # why a restore was refused (the access.refused summary, with the permission backup)


@dataclass(frozen=True)
class RestoreResult:
    counts: dict[str, int]
    reerased: int
    kept_aside: Path | None
    ledger: int = 0  # people in the erasure ledger that was replayed (the union of every copy found)


def restore(
    backup: Path,
    to: Path,
    *,
    user: str | None = None,
    password: str | None = None,
    recovery_key: str | None = None,
    now: datetime | None = None,
    replace_other_vault: bool = False,
) -> RestoreResult:
    """Replace the vault at `to` with a verified backup; the current files are kept aside, never deleted.

    Everyone erased since the backup is erased again, from the union of every copy of the erasure ledger found:
    the vault's .erasures file, the database being replaced (when the backup's key opens it), and the manifests
    of the other backups in the same folder. Person ids restart above the highest id any of them (or the vault's
    marks file) knew, so an erased person's id is never handed to someone new. The files are swapped through a
    journal (app/vault/restore_journal.py): a kill at any point leaves the old vault or the new one.

    Refused while the vault is open anywhere (its lock is held for the whole restore), for anyone but an owner
    of the backup's time (or the recovery key's holder), and for another vault's backup unless
    `replace_other_vault`.
    """
    target = VaultPaths.of(to)
    info = read_manifest(backup)  # open_backup checks the files' hashes (once)
    restore_journal.finish_interrupted(target)  # an earlier restore stopped halfway: whole files to compare
    if target.keyfile.exists() and not replace_other_vault:
        current_id = KeyFile.load(target.keyfile)[0].vault_id
        if current_id != info.vault_id:
            raise InvalidInput(
                _(
                    "{backup} is a backup of another vault, not of {vault}. To replace {vault} with "
                    "it (its current files are kept aside), say so with --replace-with-other-vault."
                ).format(backup=backup.name, vault=target.database.name)
            )
    lock = acquire_lock(target)  # the app or another command has it open: VaultBusy, nothing touched
    try:
        restore_journal.finish_locked(target)  # an earlier restore stopped halfway: finish it first
        staging_prefix = f".restore-{target.database.name}-"
        for stale in target.database.parent.glob(staging_prefix + "*"):  # a restore killed before its swap
            shutil.rmtree(stale, ignore_errors=True)  # (ours alone: this vault's lock is held, its journal done)
        staging_dir = Path(tempfile.mkdtemp(prefix=staging_prefix, dir=target.database.parent))
    except BaseException:  # a read-only folder or a full disk: the vault must not stay "already open"
        lock.release()
        raise
    staging = VaultPaths.of(staging_dir / target.database.name)
    try:
        vault = open_backup(backup, user=user, password=password, recovery_key=recovery_key, into=staging.database)
        with vault:
            if user is not None and _role_of(vault, user) != "owner":
                _record_refusal(target, vault, user)
                raise PermissionDenied(_("Only an owner may restore a backup over the vault."))
            ledger, high_water = _known_elsewhere(target, backup, info.vault_id, vault.data_key())
            reerased = erasure.reapply_ledger(vault.db, ledger.items())
            with database.transaction(vault.db):
                marks.raise_person_high_water(vault.db, high_water)
            _record_restore(vault, backup, user, reerased)
            vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            counts = table_counts(vault.db)
        outside = dict(erasure.read_outside(target.erasures))
        erasure.remember_outside(target.erasures, [(n, a) for n, a in ledger.items() if outside.get(n) != a])
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        kept_aside = target.database.with_name(f"{target.database.name}.before-restore-{stamp}")
        number = 1
        while kept_aside.exists():
            number += 1
            kept_aside = target.database.with_name(f"{target.database.name}.before-restore-{stamp}-{number}")
        kept = restore_journal.swap(target, staging_dir, kept_aside)
        return RestoreResult(counts, reerased, kept, len(ledger))
    finally:
        if not restore_journal.journal_path(target).exists():  # else the next open finishes the swap from it
            shutil.rmtree(staging_dir, ignore_errors=True)
        lock.release()


def _known_elsewhere(target: VaultPaths, backup: Path, vault_id: str, data_key: bytes) -> tuple[dict[str, str], int]:
    """The erasure ledger (pseudonym -> action, erase winning over anonymise) and the highest person id, from
    every place outside the backup that may know more: the .erasures and marks files beside the vault, the
    database being replaced (if this key opens it: it may be damaged, or under a later key), and the manifests
    of the backups beside this one."""
    pairs: list[tuple[str, str]] = list(erasure.read_outside(target.erasures))
    found = marks.read(target.marks)  # unauthenticated: it may only raise the mark
    high_water = found.person_ids if found is not None and found.vault_id == vault_id else 0
    if target.database.exists():
        conn = None
        try:
            conn = database.connect(target.database, data_key)
            pairs += [(n, a) for n, a in erasure_ledger(conn)]
            high_water = max(high_water, marks.person_high_water(conn))
        except (sqlcipher3.DatabaseError, CounterpartError):
            pass
        finally:
            if conn is not None:
                conn.close()
    for child in backup.parent.iterdir():
        try:
            data = json.loads((child / MANIFEST).read_text("utf-8"))
            if data.get("format") != FORMAT or data.get("vault_id") != vault_id:
                continue
            pairs += [(str(n), str(a)) for n, a in data.get(LEDGER_FIELD, [])]
            high_water = max(high_water, int(data.get(HIGH_WATER_FIELD, 0)))
        except (OSError, ValueError, TypeError, AttributeError):
            continue
    ledger: dict[str, str] = {}
    for name, action in pairs:
        if action in (erasure.ERASE, erasure.ANONYMISE) and ledger.get(name) != erasure.ERASE:
            ledger[name] = action
    return ledger, high_water


def _role_of(vault: Vault, user: str) -> str | None:
    """The user's role in the backup (the credentials that opened it are of its time)."""
    row = vault.db.execute(
        "SELECT role FROM user WHERE name_key = ? AND removed_at IS NULL", (user_key(user),)
    ).fetchone()
    return None if row is None else str(row[0])


def _record_refusal(target: VaultPaths, opened: Vault, user: str) -> bool:
    """A restore refused to a non-owner, in the log of the vault it would have replaced (the backup's copy, where
    the refusal is found, is thrown away). Only while the backup's key still opens that database (no rekey
    since). The user is named by her id in the backup (the same in the vault, even if removed there since); the
    entry is signed with her key when that vault trusts it (a slot's or a vouched one), else unsigned and under no
    user, naming her as its entity (an unsigned entry that claims a user breaks `verify`). Returns whether it
    was recorded."""
    if not target.database.exists() or not target.keyfile.exists():
        return False
    row = opened.db.execute("SELECT id FROM user WHERE name_key = ?", (user_key(user),)).fetchone()
    user_id = None if row is None else int(row[0])
    conn = None
    try:
        conn = database.connect(target.database, opened.data_key())
        signer = opened.signer
        trusted = audit.trusted_signers(conn, KeyFile.load(target.keyfile)[0].signers())
        signs = (
            signer is not None
            and user_id is not None
            and signer.key_id in trusted
            and trusted[signer.key_id].user_id == user_id
        )
        with database.transaction(conn):
            audit.append(
                conn,
                opened.data_key(),
                user_id=user_id if signs else None,
                action="access.refused",
                entity_type=None if signs else "user",
                entity_id=None if signs else user_id,
                summary=f"{Permission.BACKUP.value}: {NOT_OWNER}",
                signer=signer if signs else None,
            )
        return True
    except (sqlcipher3.DatabaseError, CounterpartError, OSError, ValueError):
        return False  # another key (a rekey since the backup), or a damaged vault: the refusal still stands
    finally:
        if conn is not None:
            conn.close()


def _record_restore(vault: Vault, backup: Path, user: str | None, reerased: int) -> None:
    """The restored vault's own audit log says it was restored, from what, by whom."""
    row = vault.db.execute("SELECT id FROM user WHERE name_key = ?", (user_key(user),)).fetchone() if user else None
    with database.transaction(vault.db) as conn:
        audit.append(
            conn,
            vault.data_key(),
            user_id=int(row[0]) if row else None,
            action="vault.restore",
            entity_type="backup",
            entity_id=backup.name,
            summary=f"re-erased {reerased}",
            signer=vault.signer,
        )


def open_backup(
    backup: Path, *, user: str | None = None, password: str | None = None, recovery_key: str | None = None, into: Path
) -> Vault:
    """Copy a verified backup to `into` (a vault path) and open it there with the credentials of its time."""
    info = check_files(backup)
    paths = VaultPaths.of(into)
    for existing in (paths.database, paths.keyfile):
        if existing.exists():
            raise InvalidInput(_("There is already a file at {path}.").format(path=existing))
    shutil.copyfile(backup / DATABASE, paths.database)
    shutil.copyfile(backup / KEYS, paths.keyfile)
    try:
        if recovery_key is not None:
            vault = Vault.open_with_recovery_key(paths.database, recovery_key)
        elif user is not None and password is not None:
            vault = Vault.unlock(paths.database, user, password)
        else:
            raise InvalidInput(_("Give a user and password, or the recovery key, to open the backup."))
        if key_check(vault.data_key(), vault.vault_id).hex() != info.key_fingerprint:
            vault.close()
            raise VaultDamaged(_("The backup's key does not match its manifest."))
        problems = database.integrity_problems(vault.db)
        if problems:
            vault.close()
            raise VaultDamaged(
                _("The backup {path} is damaged ({detail}).").format(path=backup.name, detail="; ".join(problems[:3]))
            )
        return vault
    except BaseException:
        for leftover in [*restore_journal.vault_files(paths), paths.lockfile]:
            leftover.unlink(missing_ok=True)
        raise


def drill(
    backup: Path, *, user: str | None = None, password: str | None = None, recovery_key: str | None = None
) -> dict[str, int]:
    """Test a backup: restore it into a temporary place, verify, count, and throw it away."""
    with tempfile.TemporaryDirectory(prefix="counterpart-drill-") as folder:
        vault = open_backup(
            backup, user=user, password=password, recovery_key=recovery_key, into=Path(folder) / "drill.vault"
        )
        with vault:
            return table_counts(vault.db)
