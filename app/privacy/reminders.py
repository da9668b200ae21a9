"""What the app reminds a person of when they unlock, decided by their role here rather than in the window.

Each reminder says where its "Show me" leads (`Place`); the UI only maps places to tabs. A role sees the
reminders it can act on: the owner the rekey, those who handle requests the request deadlines, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from app.access import rekey_due, settings
from app.access.roles import Permission
from app.access.session import Session
from app.locale import _, ngettext
from app.privacy.requests import RequestService
from app.privacy.retention import RetentionService
from app.privacy.review import ReviewService
from app.privacy.training import TrainingService
from app.vault import backup

SOON_DAYS = 7


class Place(StrEnum):
    """Where a reminder's "Show me" leads; NONE: nowhere (the reminder is the whole message)."""

    SECURITY = "security"
    REQUESTS = "requests"
    RETENTION = "retention"
    TRAINING = "training"
    REVIEW = "review"
    NONE = "none"


@dataclass(frozen=True)
class Reminder:
    text: str
    place: Place


def requests_reminder(session: Session, today: date) -> str | None:
    """Overdue requests and those due within 7 days, for a role that handles them; None otherwise."""
    if not session.can(Permission.HANDLE_REQUESTS):
        return None
    requests = RequestService(session).open_requests(today=today)
    overdue = sum(1 for r in requests if r.overdue(today))
    soon = sum(
        1
        for r in requests
        if not r.overdue(today) and date.fromisoformat(r.due_at) <= today + timedelta(days=SOON_DAYS)
    )
    if not overdue and not soon:
        return None
    parts = []
    if overdue:
        parts.append(
            ngettext("{n} privacy request is overdue", "{n} privacy requests are overdue", overdue).format(n=overdue)
        )
    if soon:
        parts.append(
            ngettext("{n} is due within 7 days", "{n} are due within 7 days", soon).format(n=soon)
            if overdue
            else ngettext(
                "{n} privacy request is due within 7 days", "{n} privacy requests are due within 7 days", soon
            ).format(n=soon)
        )
    return _("{what}. See Privacy › Requests.").format(what=_("; ").join(parts))


def reminders_for(session: Session, now: datetime | None = None) -> list[Reminder]:
    """Every reminder due for this session's role at unlock, in the order the window shows them."""
    now = now or datetime.now(UTC)
    found: list[Reminder] = []
    if session.can(Permission.MANAGE_SECURITY) and (rekey := rekey_due.rekey_due_notice(session)):
        found.append(Reminder(rekey, Place.SECURITY))
    if requests := requests_reminder(session, now.date()):
        found.append(Reminder(requests, Place.REQUESTS))
    if session.can(Permission.ERASE) and RetentionService(session).due(now):
        found.append(Reminder(_("A retention sweep is due: review it in Privacy › Retention."), Place.RETENTION))
    if TrainingService(session).i_am_due(now.date()):
        found.append(Reminder(_("Your privacy lesson is due: a few minutes of reading, once a year."), Place.TRAINING))
    if session.can(Permission.REVIEW_PRIVACY) and ReviewService(session).due(now.date()):
        found.append(
            Reminder(
                _("The yearly privacy review is due: go through the checklist in Privacy › Privacy health."),
                Place.REVIEW,
            )
        )
    if (
        session.can(Permission.BACKUP)
        and backup.status(settings.backup_folder(session), now) is None
        and settings.drill_due(session, now)
    ):
        found.append(Reminder(_("No restore drill in 90 days: test a backup in Settings › Backups."), Place.NONE))
    return found
