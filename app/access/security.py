"""Vault-wide operations a user asks for by name: verify, rekey, print the recovery kit.

Each checks the caller's permission and lands in the audit log, like every other service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session, find_user
from app.errors import VaultDamaged
from app.locale import _
from app.privacy import audit
from app.store import database, migrations
from app.vault.kdf import KdfParams
from app.vault.vault import Vault, check_new_password


@dataclass(frozen=True)
class VerifyReport:
    problems: list[str]
    schema_version: int
    counts: dict[str, int]
    chain: audit.ChainReport

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain.ok


COUNTED_TABLES = ("user", "contact", "organisation", "deal", "activity", "audit_event")


def verify(session: Session) -> VerifyReport:
    """Page authentication, SQLite structure, schema version and the audit chain, in that order."""
    session.require(Permission.VERIFY)
    conn = session.conn
    problems = database.integrity_problems(conn)
    chain = audit.verify_chain(conn) if not problems else audit.ChainReport(0, None)
    counts = {} if problems else {
        table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in COUNTED_TABLES
    }
    report = VerifyReport(problems, migrations.schema_version(conn), counts, chain)
    if not problems:
        session.record("vault.verify", summary="ok" if report.ok else "chain broken")
    return report


def rekey(session: Session) -> str:
    """New data key for the whole database; returns the new recovery key (show it once)."""
    session.require(Permission.MANAGE_SECURITY)
    session.record("vault.rekey_start")
    new_recovery_key = session.vault.rekey()
    session.record("vault.rekey", summary=f"{len(session.vault.keyfile.slots)} slots rewrapped")
    return new_recovery_key


def write_recovery_kit(session: Session, out: Path) -> None:
    """The printable recovery kit (it holds the data key: owner only, and audited)."""
    from app.documents.recovery_kit import write_recovery_kit as render  # reportlab is heavy: load on use

    session.require(Permission.MANAGE_SECURITY)
    vault = session.vault
    created = datetime.fromisoformat(vault.meta("created_at") or vault.keyfile.created)
    owner = vault.meta("owner") or session.user.name
    render(out, vault_name=vault.paths.database.name, vault_id=vault.vault_id, owner=owner,
           recovery_key=vault.recovery_key(), created=created, keychain_bound=vault.keychain_bound)
    session.record("vault.recovery_kit", summary="recovery kit saved")


@dataclass(frozen=True)
class RecoveryResult:
    owner: str
    keychain_bound: bool
    stale_users: list[str]  # their slots need the old keychain secret: the owner resets their passwords


def recover(path: str | Path, recovery_key: str, new_password: str,
            kdf_params: KdfParams | None = None) -> RecoveryResult:
    """Open with the recovery key, give the first owner `new_password`, bind the vault to this computer's
    keychain again, and record it. The shop's way back in after a lost password or a new computer."""
    check_new_password(new_password)
    vault = Vault.open_with_recovery_key(path, recovery_key)
    with vault:
        row = vault.db.execute("SELECT name FROM user WHERE role = 'owner' AND active = 1 AND removed_at IS NULL "
                               "ORDER BY id LIMIT 1").fetchone()
        owner = find_user(vault.db, str(row[0])) if row else None
        if owner is None:
            raise VaultDamaged(_("The vault opened with the recovery key, but it has no active owner."))
        stale = vault.rebind_to_this_computer(owner.name, new_password, kdf_params)
        session = Session(vault, owner)
        with session.change() as conn:
            conn.execute("UPDATE user SET must_change_password = 0 WHERE id = ?", (owner.id,))
            session.audit("vault.recover", "user", owner.id, "recovery key used; owner password set; keychain "
                          + ("bound" if vault.keychain_bound else "unavailable"))
        return RecoveryResult(owner.name, vault.keychain_bound, stale)
