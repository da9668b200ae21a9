"""Vault chores on a worker while a session is open: rekey, the recovery kit, backups and restore drills."""

from __future__ import annotations

from pathlib import Path

from app.access import settings
from app.access.session import Session
from app.admin import restore, security
from ui.operation import Cancelled, Progress, Work


def rekey(session: Session) -> Work[str]:
    """Re-encrypt the vault under a new key; returns the new recovery key, to show once."""
    return lambda progress, cancelled: security.rekey(session)


def write_recovery_kit(session: Session, path: Path) -> Work[None]:
    """The printable kit as PDF (reportlab loads here, on the worker, the first time someone prints one)."""

    def work(progress: Progress, cancelled: Cancelled) -> None:
        from app.admin import recovery_kit

        recovery_kit.write_recovery_kit(session, path)

    return work


def back_up(session: Session) -> Work[Path]:
    """A backup now, into the configured folder; returns the backup made."""
    return lambda progress, cancelled: security.backup_now(session, None, "manual", progress)


def back_up_if_due(session: Session) -> Work[Path | None]:
    """The daily backup, only when one is due; returns it, or None."""
    return lambda progress, cancelled: security.backup_if_due(session)


def drill(
    session: Session, backup: Path, *, user: str | None, password: str | None, recovery_key: str | None
) -> Work[dict[str, int]]:
    """Open the backup in a temporary place, verify and count it, and record the drill; returns the counts."""

    def work(progress: Progress, cancelled: Cancelled) -> dict[str, int]:
        counts = restore.drill(backup, user=user, password=password, recovery_key=recovery_key)
        settings.record_drill(session, backup.name, counts)
        return counts

    return work
