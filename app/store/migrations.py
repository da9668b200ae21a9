"""Numbered schema migrations, tracked in `PRAGMA user_version`, each applied in its own transaction.

Never edit a migration that has shipped: add the next one. An old vault always opens in a new version.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from app.locale import _
from app.store.database import Connection, VaultTooNew, transaction

Step = str | Callable[[Connection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    steps: tuple[Step, ...]


def _owner_becomes_first_user(conn: Connection) -> None:
    """Schema 1 knew the owner only by name (in vault_meta); schema 2 gives every person with a slot a row."""
    row = conn.execute("SELECT value FROM vault_meta WHERE key = 'owner'").fetchone()
    created = conn.execute("SELECT value FROM vault_meta WHERE key = 'created_at'").fetchone()
    if row is not None:
        name = unicodedata.normalize("NFC", str(row[0])).strip()
        conn.execute("INSERT INTO user(name, name_key, role, created_at) VALUES (?, ?, 'owner', ?)",
                     (name, name.casefold(), str(created[0]) if created else ""))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "vault metadata and settings", (
        """CREATE TABLE vault_meta (
               key TEXT PRIMARY KEY,
               value TEXT NOT NULL
           ) STRICT""",
        """CREATE TABLE setting (
               key TEXT PRIMARY KEY,
               value TEXT NOT NULL
           ) STRICT""",
    )),
    Migration(2, "staff users and the audit log", (
        """CREATE TABLE user (
               id INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               name_key TEXT NOT NULL UNIQUE,
               role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'staff', 'auditor')),
               active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
               must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
               created_at TEXT NOT NULL,
               removed_at TEXT
           ) STRICT""",
        """CREATE TABLE audit_event (
               id INTEGER PRIMARY KEY,
               at TEXT NOT NULL,
               user_id INTEGER,
               action TEXT NOT NULL,
               entity_type TEXT,
               entity_id TEXT,
               summary TEXT NOT NULL,
               prev_hash BLOB NOT NULL,
               hash BLOB NOT NULL
           ) STRICT""",
        "CREATE INDEX audit_event_at ON audit_event(at)",
        "CREATE INDEX audit_event_entity ON audit_event(entity_type, entity_id)",
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        _owner_becomes_first_user,
    )),
)

LATEST = MIGRATIONS[-1].version


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int = LATEST) -> list[int]:
    """Bring the schema up to `target`; returns the versions applied. Refuses vaults from a newer app."""
    current = schema_version(conn)
    if current > LATEST:
        raise VaultTooNew(_("This vault was made by a newer version of Counterpart (schema {found}, this "
                            "version knows up to {known}). Install the newer version to open it.")
                          .format(found=current, known=LATEST))
    applied = []
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            with transaction(conn):
                for step in migration.steps:
                    if isinstance(step, str):
                        conn.execute(step)
                    else:
                        step(conn)
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            applied.append(migration.version)
    return applied
