"""Vault-wide operations a user asks for by name: verify, rekey, print the recovery kit.

Each checks the caller's permission and lands in the audit log, like every other service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.privacy import audit
from app.store import database, migrations


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
