"""Vault-wide settings (app/store/settings.py names them all): everyone signed in reads them; a change needs the
permission the registry gives the setting, and lands in the audit log with the change itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import _
from app.store import settings
from app.store.settings import BACKUP_FOLDER, BACKUP_LAST_DRILL, LOCK_IDLE_MINUTES, Setting

T = TypeVar("T", int, str)
IDLE_LIMITS = (1, 240)
DEFAULT_IDLE_MINUTES = LOCK_IDLE_MINUTES.default

Change = tuple[Setting[int] | Setting[str], int | str, str]  # setting, value, suffix (a family's member)


class SettingsService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, setting: Setting[T], suffix: str = "") -> T:
        return settings.read(self.session.conn, setting, suffix)

    def set(
        self,
        setting: Setting[T],
        value: T,
        *,
        suffix: str = "",
        action: str = "setting.change",
        entity_id: str | None = None,
        summary: str | None = None,
    ) -> None:
        self.set_many([(setting, value, suffix)], action=action, entity_id=entity_id, summary=summary)

    def set_many(
        self,
        changes: list[Change],
        *,
        action: str = "setting.change",
        entity_type: str = "setting",
        entity_id: str | None = None,
        summary: str | None = None,
    ) -> None:
        """Several settings in one transaction with one audit entry. The summary defaults to key=value: give
        another where a value may name a person (a DPO, a contact)."""
        for setting, _value, _suffix in changes:
            self.session.require(Permission(setting.changed_by))
        with self.session.change() as conn:
            for setting, value, suffix in changes:
                settings.write(conn, setting, value, suffix)  # type: ignore[misc]  # (a setting and its own type)
            keys = ", ".join(setting.key + suffix for setting, _value, suffix in changes)
            self.session.audit(
                action,
                entity_type,
                entity_id or keys,
                summary
                if summary is not None
                else ", ".join(f"{s.key + suffix}={value}" for s, value, suffix in changes),
            )

    def idle_minutes(self) -> int:
        """Minutes without input before the app locks itself (every user reads it; the owner sets it)."""
        return self.get(LOCK_IDLE_MINUTES)

    def set_idle_minutes(self, minutes: int) -> None:
        low, high = IDLE_LIMITS
        if not low <= minutes <= high:
            raise InvalidInput(_("The idle lock must be between {low} and {high} minutes.").format(low=low, high=high))
        self.set(LOCK_IDLE_MINUTES, minutes)


def backup_folder(session: Session) -> str | None:
    return settings.read(session.conn, BACKUP_FOLDER) or None


def set_backup_folder(session: Session, folder: Path) -> None:
    session.require(Permission.BACKUP)
    if not folder.is_dir():
        raise InvalidInput(_("{path} is not a folder.").format(path=folder))
    SettingsService(session).set(
        BACKUP_FOLDER, str(folder.resolve()), action="backup.folder", entity_id="", summary="backup folder changed"
    )


def record_drill(session: Session, backup_name: str, counts: dict[str, int]) -> None:
    SettingsService(session).set_many(
        [(BACKUP_LAST_DRILL, datetime.now(UTC).isoformat(timespec="seconds"), "")],
        action="backup.drill",
        entity_type="backup",
        entity_id=backup_name,
        summary=", ".join(f"{k}={v}" for k, v in sorted(counts.items())),
    )


def drill_due(session: Session, now: datetime | None = None, every: timedelta = timedelta(days=90)) -> bool:
    """True when no restore drill was recorded in the last 90 days (the app reminds the owner)."""
    last = settings.read(session.conn, BACKUP_LAST_DRILL)
    return not last or datetime.fromisoformat(last) < (now or datetime.now(UTC)) - every
