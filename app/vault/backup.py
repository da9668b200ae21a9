"""Encrypted backups, verified restores, restore drills and rotation.

A backup is a folder: `vault.db` (made with SQLCipher's backup API, encrypted to encrypted under the same data
key: never a plaintext copy), `vault.keys` (the key slots as they were), and `manifest.json` (time, versions,
data-key fingerprint, SHA-256 of each file). It is built under a hidden name and renamed when complete, so an
interrupted backup never looks like a good one and never touches the older ones.

A backup opens with the password or recovery key that was valid when it was made. Restoring verifies the
checksums and the database's integrity first, keeps the current vault aside, and then erases again everyone
erased since the backup (from every copy of the erasure ledger it finds: see restore()).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from filelock import FileLock, Timeout

from app import __version__
from app.errors import AuthenticationFailed, DiskFull, InvalidInput, VaultDamaged
from app.fileio import atomic_write
from app.locale import _
from app.store import database, migrations
from app.vault import marks, sealing
from app.vault.keyfile import CURRENT, KeyFile, key_check

if TYPE_CHECKING:
    from app.vault.vault import Vault

MANIFEST, DATABASE, KEYS = "manifest.json", "vault.db", "vault.keys"
FORMAT = "counterpart-backup/1"
# Readable without any key, so a restore finds them even when the vault being replaced is gone: the erasure
# ledger as it was ([pseudonym, action] pairs: keyed hashes of ids, nothing about the person) and the highest
# person id handed out.
LEDGER_FIELD, HIGH_WATER_FIELD = "erasure_ledger", "person_id_high_water"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime
    vault_id: str
    schema_version: int
    app_version: str
    key_fingerprint: str
    reason: str
    counts: dict[str, int]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(conn: database.Connection) -> dict[str, int]:
    tables = ("contact", "deal", "activity", "consent_event", "audit_event", "user")
    present = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables if t in present}


def make_backup(
    vault: Vault,
    folder: Path,
    reason: str = "manual",
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> Path:
    """Back the open vault up into a new folder inside `folder`; returns that folder. Safe while the app writes."""
    if vault.db is None:
        raise AuthenticationFailed(_("The vault is locked."))
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(
            _("The backup folder {path} does not exist (is the USB drive plugged in?).").format(path=folder)
        )
    now = now or datetime.now(UTC)
    name = "counterpart-" + now.strftime("%Y%m%d-%H%M%S") + "Z"
    number = 1
    while (folder / name).exists():  # two backups in one second (a daily one, then one before a migration)
        number += 1
        name = "counterpart-" + now.strftime("%Y%m%d-%H%M%S") + f"Z-{number}"
    final = folder / name
    started = time.time()
    remove_stale_partials(folder, started)
    partial = Path(tempfile.mkdtemp(prefix=PARTIAL + name + "-", dir=folder))
    holder = FileLock(_holder(partial), timeout=0, thread_local=False)
    held: FileLock | None = holder
    try:
        holder.acquire()  # tells a backup starting meanwhile that this folder is in use, not left over
    except (OSError, NotImplementedError, Timeout):  # a drive without file locks: back up all the same
        held = None
    try:
        try:
            target = database.connect(partial / DATABASE, vault.data_key(), create=True)
            try:

                def report(status: int, remaining: int, total: int) -> None:
                    if progress is not None:
                        progress(total - remaining, total)

                vault.db.backup(target, pages=256, progress=report)  # a consistent snapshot, in steps
                target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
                counts = table_counts(target)
                schema = migrations.schema_version(target)
                ledger, high_water = erasure_ledger(target), marks.person_high_water(target)
                head = sealing.head_for_backup(vault, target)
            finally:
                target.close()
        except sqlcipher3.DatabaseError as exc:  # the backup's own file: a full disk names the backup folder
            if isinstance(database.classify(exc), DiskFull):
                raise database.disk_full(folder) from None
            raise
        shutil.copyfile(vault.paths.keyfile, partial / KEYS)
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(timespec="seconds"),
            "vault_id": vault.vault_id,
            "app_version": __version__,
            "schema_version": schema,
            "reason": reason,
            "key_fingerprint": key_check(vault.data_key(), vault.vault_id).hex(),
            "counts": counts,
            "files": {n: _sha256(partial / n) for n in (DATABASE, KEYS)},
        }
        manifest.update({LEDGER_FIELD: ledger, HIGH_WATER_FIELD: high_water})  # for restores: see restore()
        if head is not None:  # the log's end, signed, kept outside the vault: verify compares it
            manifest[sealing.HEAD_FIELD] = head
        atomic_write(partial / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        if held is not None:
            held.release()
        if not partial.exists():  # else a failed clean-up: the unheld holder lets the next backup remove it
            _holder(partial).unlink(missing_ok=True)
    return final


PARTIAL = ".partial-"
LEGACY_PARTIAL_AGE = 3600.0  # seconds untouched before a partial folder without a holder file counts as left over


def _holder(partial: Path) -> Path:
    """The lock file a running backup holds beside its partial folder (outside it: the folder is renamed)."""
    return partial.with_name(partial.name + ".lock")


def remove_stale_partials(folder: Path, started: float | None = None) -> list[Path]:
    """Delete what interrupted backups left in `folder` (a killed process, a pulled drive: up to a whole vault's
    size each): partial folders older than this backup that no running backup holds. Returns what was removed."""
    started = time.time() if started is None else started
    removed = []
    for child in sorted(Path(folder).glob(PARTIAL + "*")):
        if not child.is_dir() or child.is_symlink():
            continue
        try:
            if child.stat().st_mtime >= started:
                continue  # made after this backup began: another backup's
            holder = _holder(child)
            if not holder.exists():  # an older version's backup: wait until nothing has written in it a while
                newest = max([child.stat().st_mtime] + [f.stat().st_mtime for f in child.iterdir()])
                if newest > started - LEGACY_PARTIAL_AGE:
                    continue
                shutil.rmtree(child)
                removed.append(child)
                continue
            lock = FileLock(holder, timeout=0, thread_local=False)
            try:
                lock.acquire()
            except Timeout:
                continue  # a backup running in another process
            try:
                shutil.rmtree(child)
                removed.append(child)
            finally:
                lock.release()
                holder.unlink(missing_ok=True)
        except OSError:
            continue  # cleaning up is a courtesy: it never stops the backup
    return removed


def read_manifest(backup: Path) -> BackupInfo:
    """What a backup says of itself; a backup that is not there is a file not found (exit 1), a folder that is
    no backup is bad input (5): only a backup whose manifest is unreadable is damaged (6)."""
    if not backup.exists():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(backup))
    if not (backup / MANIFEST).is_file():
        raise InvalidInput(
            _("{path} is not a Counterpart backup (it has no {name}).").format(path=backup, name=MANIFEST)
        )
    try:
        data = json.loads((backup / MANIFEST).read_text("utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("not a Counterpart backup")
        return BackupInfo(
            backup,
            datetime.fromisoformat(data["created"]),
            str(data["vault_id"]),
            int(data["schema_version"]),
            str(data["app_version"]),
            str(data["key_fingerprint"]),
            str(data.get("reason", "")),
            {k: int(v) for k, v in data.get("counts", {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        message = _("{path} is not a readable Counterpart backup ({detail}).").format(path=backup, detail=exc)
        raise VaultDamaged(message) from None


def list_backups(folder: Path) -> list[BackupInfo]:
    """Complete backups in `folder`, newest first (partial ones from an interrupted run are skipped)."""
    found = []
    for child in Path(folder).iterdir() if Path(folder).is_dir() else []:
        if child.is_dir() and not child.name.startswith(".") and (child / MANIFEST).exists():
            try:
                found.append(read_manifest(child))
            except VaultDamaged:
                continue
    return sorted(found, key=lambda b: b.created, reverse=True)


def check_files(backup: Path) -> BackupInfo:
    """Checksums first: a backup with a changed byte is refused before anything opens it."""
    info = read_manifest(backup)
    expected = json.loads((backup / MANIFEST).read_text("utf-8"))["files"]
    for name, digest in expected.items():
        path = backup / name
        if not path.exists() or _sha256(path) != digest:
            raise VaultDamaged(
                _("The backup {path} is damaged: {name} does not match its checksum. Use another backup.").format(
                    path=backup.name, name=name
                )
            )
    return info


def erasure_ledger(conn: database.Connection) -> list[list[str]]:
    """The database's erasure ledger as [pseudonym, action] pairs (none in a vault from before the ledger)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'erasure_ledger'").fetchone() is None:
        return []
    return [
        [str(r[0]), str(r[1])] for r in conn.execute("SELECT pseudonym, action FROM erasure_ledger ORDER BY pseudonym")
    ]


def keep_set(
    created: Iterable[datetime], now: datetime, daily: int = 7, weekly: int = 4, monthly: int = 12
) -> set[datetime]:
    """Grandfather-father-son rotation: the newest backup of each of the last `daily` days, `weekly` ISO weeks
    and `monthly` months is kept; everything else may go."""
    ordered = sorted(created, reverse=True)
    keep: set[datetime] = set()
    for count, bucket in (
        (daily, lambda d: d.date()),
        (weekly, lambda d: tuple(d.isocalendar())[:2]),
        (monthly, lambda d: (d.year, d.month)),
    ):
        seen: list[object] = []
        for moment in ordered:
            key = bucket(moment)
            if key not in seen and moment <= now:
                seen.append(key)
                if len(seen) <= count:
                    keep.add(moment)
    return keep


def rotate(folder: Path, now: datetime | None = None) -> list[Path]:
    """Delete backups outside the rotation; returns what was removed. Never removes the newest."""
    backups = list_backups(folder)
    keep = keep_set((b.created for b in backups), now or datetime.now(UTC))
    removed = [b.path for b in backups[1:] if b.created not in keep]
    for path in removed:
        shutil.rmtree(path)
    return removed


def status(folder: str | None, now: datetime | None = None, stale_after: timedelta = timedelta(days=2)) -> str | None:
    """A warning for the status bar, or None when the last good backup is recent."""
    now = now or datetime.now(UTC)
    if not folder:
        return _("No backup folder is set: choose one in Settings › Backups.")
    if not Path(folder).is_dir():
        return _("The backup folder {path} is missing (is the drive plugged in?).").format(path=folder)
    backups = list_backups(Path(folder))
    if not backups:
        return _("No backup has been made yet.")
    age = now - backups[0].created
    if age > stale_after:
        return _("The last backup is {days} days old.").format(days=age.days)
    return None


def current_key_matches(info: BackupInfo, keyfile: KeyFile) -> bool:
    """Whether the backup was made under today's data key (else it needs the recovery key of its time)."""
    return info.vault_id == keyfile.vault_id and bytes.fromhex(info.key_fingerprint) == keyfile.key_checks.get(CURRENT)


def backup_heads(vault: Vault, folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """The newest backup's sealed head (one made since the vault was last restored), for verify to compare."""
    assert vault.db is not None
    restored = vault.db.execute("SELECT max(at) FROM audit_event WHERE action = 'vault.restore'").fetchone()[0]
    for info in list_backups(folder):
        if info.vault_id != vault.vault_id or (restored and info.created.isoformat() < str(restored)):
            continue
        try:
            head = json.loads((info.path / MANIFEST).read_text("utf-8")).get(sealing.HEAD_FIELD)
        except (OSError, ValueError):
            continue
        if isinstance(head, dict):
            return [(_("the backup {name}").format(name=info.path.name), head)]
    return []
