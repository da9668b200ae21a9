"""Vault-wide settings kept inside the encrypted database (idle lock, backup folder, drills…), audited on change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import _

DEFAULT_IDLE_MINUTES = 5
IDLE_LIMITS = (1, 240)


class SettingsService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _get(self, key: str) -> str | None:
        row = self.session.conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set(self, key: str, value: str) -> None:
        self.session.require(Permission.MANAGE_SETTINGS)
        with self.session.change() as conn:
            conn.execute("INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                         "value = excluded.value", (key, value))
            self.session.audit("setting.change", "setting", key, f"{key}={value}")

    def idle_minutes(self) -> int:
        """Minutes without input before the app locks itself (every user reads it; the owner sets it)."""
        value = self._get("idle_lock_minutes")
        return int(value) if value and value.isdigit() else DEFAULT_IDLE_MINUTES

    def set_idle_minutes(self, minutes: int) -> None:
        low, high = IDLE_LIMITS
        if not low <= minutes <= high:
            raise InvalidInput(_("The idle lock must be between {low} and {high} minutes.").format(low=low, high=high))
        self._set("idle_lock_minutes", str(minutes))


def backup_folder(session: Session) -> str | None:
    row = session.conn.execute("SELECT value FROM setting WHERE key = 'backup_dir'").fetchone()
    return str(row[0]) if row else None


def set_backup_folder(session: Session, folder: Path) -> None:
    session.require(Permission.BACKUP)
    if not folder.is_dir():
        raise InvalidInput(_("{path} is not a folder.").format(path=folder))
    with session.change() as conn:
        conn.execute("INSERT INTO setting(key, value) VALUES ('backup_dir', ?) ON CONFLICT(key) DO UPDATE SET "
                     "value = excluded.value", (str(folder.resolve()),))
        session.audit("backup.folder", summary="backup folder changed")


def record_drill(session: Session, backup_name: str, counts: dict[str, int]) -> None:
    session.require(Permission.BACKUP)
    with session.change() as conn:
        conn.execute("INSERT INTO setting(key, value) VALUES ('last_drill_at', ?) ON CONFLICT(key) DO UPDATE SET "
                     "value = excluded.value", (datetime.now(UTC).isoformat(timespec="seconds"),))
        session.audit("backup.drill", "backup", backup_name, ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))


def drill_due(session: Session, now: datetime | None = None, every: timedelta = timedelta(days=90)) -> bool:
    """True when no restore drill was recorded in the last 90 days (the app reminds the owner)."""
    row = session.conn.execute("SELECT value FROM setting WHERE key = 'last_drill_at'").fetchone()
    return row is None or datetime.fromisoformat(str(row[0])) < (now or datetime.now(UTC)) - every
