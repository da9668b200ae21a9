"""Vault chores a user asks for by name: verify, rekey, recover, print the recovery kit, back up now.

Each checks the caller's permission and lands in the audit log, like every other service.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.access.rekey_due import drop_slots_without_active_user, rekey_due_reasons
from app.access.roles import Permission
from app.access.session import REKEY_DUE_KEY, Session, find_user
from app.access.settings import backup_folder
from app.errors import InvalidInput, VaultDamaged
from app.fileio import open_regular
from app.locale import _
from app.privacy.retention import RetentionService
from app.store import audit, database, migrations
from app.store.audit import PDF_HEAD_KEY
from app.store.audit import ZIP_HEAD_MEMBER as HEAD_MEMBER
from app.vault import backup
from app.vault.kdf import KdfParams
from app.vault.vault import Vault, check_new_password


@dataclass(frozen=True)
class VerifyReport:
    problems: list[str]
    schema_version: int
    counts: dict[str, int]
    chain: audit.ChainReport
    rekey_due: list[str] = field(default_factory=list)  # why a rekey is due, in words (see rekey_due_reasons)
    traces_pending: list[str] = field(default_factory=list)  # since when an erasure's trace removal is owed

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain.ok and not self.traces_pending


COUNTED_TABLES = ("user", "contact", "organisation", "deal", "activity", "audit_event")


def verify(session: Session, head_files: Sequence[Path] = ()) -> VerifyReport:
    """Page authentication, SQLite structure, schema version, the audit chain, and that every erasure (a sweep's
    or one person's) removed the erased people's words from the search index, in that order.

    The chain's signatures are checked against the keys in the key file's slot headers; its end against the
    head sealed in the key file at the last lock, in the newest backup's manifest (app/store/audit.py) and in
    each of `head_files` (exported files, see head_from_file)."""
    session.require(Permission.VERIFY)
    exported = [head_from_file(Path(path)) for path in head_files]
    conn = session.conn
    problems = database.integrity_problems(conn)
    chain = audit.ChainReport(0, None)
    if not problems:
        keyfile = session.vault.keyfile
        heads = [(_("the key file"), keyfile.audit_head)] if keyfile.audit_head else []
        folder = backup_folder(session)
        if folder and Path(folder).is_dir():
            heads += backup.backup_heads(session.vault, Path(folder))
        heads += exported
        chain = audit.verify_chain(conn, keyfile.signers(), heads)
    counts = (
        {}
        if problems
        else {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in COUNTED_TABLES}
    )
    report = VerifyReport(
        problems,
        migrations.schema_version(conn),
        counts,
        chain,
        [] if problems else rekey_due_reasons(session),
        [] if problems else RetentionService(session).traces_pending(),
    )
    if not problems:
        outcome = "chain broken" if not chain.ok else "traces pending" if report.traces_pending else "ok"
        session.record("vault.verify", summary=outcome)
    return report


_TEXT_SPAN = 65536  # a text export's head is in its first card (vCard) or on its last line (CSV)


def head_from_file(path: Path) -> tuple[str, dict[str, Any]]:
    """(where, head): the audit log's signed head an export carries: a CSV's last line or a vCard's first card
    (audit.head_text), a PDF's metadata (PDF_HEAD_KEY) or a ZIP's HEAD_MEMBER. A file without one is refused."""
    from pypdf import PdfReader  # pypdf loads only for a verify that reads a PDF, not with every window
    from pypdf.errors import PyPdfError

    where = _("the export {name}").format(name=path.name)
    head: dict[str, Any] | None = None
    # /dev/zero was read until the process was killed, a pipe hung; a missing file is exit 1, naming it (OSError)
    handle = open_regular(path, _("{path} is not a file (a folder, a device or a pipe)."))
    try:
        with handle:
            start = handle.read(_TEXT_SPAN)
            size = handle.seek(0, 2)
            handle.seek(max(len(start), size - _TEXT_SPAN))
            end = handle.read(_TEXT_SPAN)
        if start.startswith(b"PK"):
            with zipfile.ZipFile(path) as archive:
                found = json.loads(archive.read(HEAD_MEMBER)) if HEAD_MEMBER in archive.namelist() else None
            head = found if isinstance(found, dict) else None
        elif start.startswith(b"%PDF"):
            reader = PdfReader(path)
            if reader.is_encrypted:
                raise InvalidInput(
                    _(
                        "{file} is protected with a password, which hides the record of the audit "
                        "log's end too: use the ZIP of the same request, or a copy without a "
                        "password."
                    ).format(file=path.name)
                )
            text = reader.metadata.get(PDF_HEAD_KEY) if reader.metadata is not None else None
            head = audit.read_head_text(str(text)) if text else None
        else:
            head = audit.read_head_text((start + end).decode("utf-8", errors="replace"))
    except (OSError, zipfile.BadZipFile, ValueError, PyPdfError) as exc:
        raise InvalidInput(_("Cannot read {file}: {reason}").format(file=path, reason=exc)) from None
    if head is None:
        raise InvalidInput(
            _(
                "{file} holds no record of the audit log's end: it is not an export made by "
                "Counterpart with a login's key."
            ).format(file=path.name)
        )
    return where, head


def rekey(session: Session) -> str:
    """New data key for the whole database; returns the new recovery key (show it once)."""
    session.require(Permission.MANAGE_SECURITY)
    folder = backup_folder(session)
    if folder and Path(folder).is_dir():  # the old key's last state, in case the rekey must be undone
        backup_now(session, Path(folder), "before-rekey")
    session.record("vault.rekey_start")
    drop_slots_without_active_user(session.vault)  # a rekey must not hand the new key to a slot nobody should hold
    new_recovery_key = session.vault.rekey()
    with session.change() as conn:
        conn.execute("DELETE FROM vault_meta WHERE key = ?", (REKEY_DUE_KEY,))
        session.audit("vault.rekey", summary=f"{len(session.vault.keyfile.slots)} slots rewrapped")
    return new_recovery_key


@dataclass(frozen=True)
class RecoveryResult:
    owner: str
    keychain_bound: bool
    stale_users: list[str]  # their slots need the old keychain secret: the owner resets their passwords


def recover(
    path: str | Path, recovery_key: str, new_password: str, kdf_params: KdfParams | None = None
) -> RecoveryResult:
    """Open with the recovery key, give the first owner `new_password`, bind the vault to this computer's
    keychain again, and record it. The shop's way back in after a lost password or a new computer."""
    check_new_password(new_password)
    vault = Vault.open_with_recovery_key(path, recovery_key)
    with vault:
        row = vault.db.execute(
            "SELECT name FROM user WHERE role = 'owner' AND active = 1 AND removed_at IS NULL ORDER BY id LIMIT 1"
        ).fetchone()
        owner = find_user(vault.db, str(row[0])) if row else None
        if owner is None:
            raise VaultDamaged(_("The vault opened with the recovery key, but it has no active owner."))
        drop_slots_without_active_user(vault)  # the key file may be an earlier copy, with slots taken away since
        stale = vault.rebind_to_this_computer(owner.name, new_password, kdf_params)
        session = Session(vault, owner)
        with session.change() as conn:
            conn.execute("UPDATE user SET must_change_password = 0 WHERE id = ?", (owner.id,))
            session.audit(
                "vault.recover",
                "user",
                owner.id,
                "recovery key used; owner password set; keychain "
                + ("bound" if vault.keychain_bound else "unavailable"),
            )
        return RecoveryResult(owner.name, vault.keychain_bound, stale)


def backup_now(
    session: Session,
    folder: Path | None = None,
    reason: str = "manual",
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """An encrypted backup into `folder` (default: the configured one), then rotation. Owner only, audited.
    An erasure's trace removal still owed is done first: a backup must not keep erased people's words."""
    session.require(Permission.BACKUP)
    target = folder or (Path(configured) if (configured := backup_folder(session)) else None)
    if target is None:
        raise InvalidInput(_("Choose a backup folder first."))
    finishing = (lambda: progress(0, 0)) if progress else None  # "Finishing…": the merge says no count
    RetentionService(session).remove_traces(finishing)  # one lookup when nothing is owed
    made = backup.make_backup(session.vault, target, reason, progress)
    removed = backup.rotate(target)
    session.record("backup.create", "backup", made.name, f"{reason}; rotated out {len(removed)}")
    return made


def backup_if_due(session: Session, now: datetime | None = None) -> Path | None:
    """The daily automatic backup (at unlock and on a timer): only when a folder is set and the last is a day old."""
    folder = backup_folder(session)
    if folder is None or not Path(folder).is_dir() or not session.can(Permission.BACKUP):
        return None
    latest = backup.list_backups(Path(folder))
    moment = now or datetime.now(UTC)
    if latest and latest[0].created > moment - timedelta(days=1):
        return None
    return backup_now(session, Path(folder), "daily")
