"""Privacy health: every open duty on one list, each line naming the place where it is fixed.

Plain data for the Privacy › Health tab and `counterpart-admin health`. A line appears only when something is
to be done, and only to a role that may do it (or read it): the checks reuse the services that own each duty.
`place` is a stable key the UI maps to a screen (PLACES lists them), so this module knows nothing of widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.access import settings
from app.access.roles import Permission
from app.access.session import Session
from app.consent.jurisdiction import anyone_under_pipl, asks_consent
from app.consent.ledger import ConsentService
from app.locale import _, ngettext
from app.locale.formatting import day
from app.privacy.dpia import DpiaService
from app.privacy.requests import RequestService
from app.privacy.retention import RetentionService
from app.privacy.review import ReviewService
from app.privacy.ropa import EDITABLE, RopaService
from app.privacy.training import TrainingService

# Where each line is fixed: the Privacy tabs, Settings tabs, and the accountability dialogs
PLACES = (
    "lists",
    "requests",
    "retention",
    "backups",
    "shop",
    "consent",
    "training",
    "training_status",
    "review",
    "dpia",
)
# The facts the record of processing needs (the representative and DPO are "if any": not gaps)
ROPA_REQUIRED = ("shop.name", "shop.address", "shop.contact", "ropa.recipients", "ropa.transfers")


@dataclass(frozen=True)
class HealthLine:
    key: str  # what is wrong, stable: "consent_expired:email_marketing", "requests_overdue", …
    text: str  # in the reader's language
    place: str  # one of PLACES
    count: int = 1


def expired_consents(session: Session, now: datetime) -> dict[str, int]:
    """purpose key -> people whose latest event for it is a consent older than the purpose's expiry (the
    "expired" of audience_overview, all purposes in one query). The latest event is found by a lookup per
    event: a join on a GROUP BY subquery was planned as a scan of it per event (minutes at 100k people)."""
    cutoffs = [
        (p.key, (now - timedelta(days=p.expires_after_days)).astimezone(UTC).isoformat(timespec="seconds"))
        for p in ConsentService(session).purposes()
        if p.lawful_basis == "consent" and p.expires_after_days
    ]
    if not cutoffs:
        return {}
    values = ", ".join("(?, ?)" for _ in cutoffs)
    rows = session.conn.execute(
        f"WITH cutoff(key, before) AS (VALUES {values}) "
        "SELECT e.purpose_key, count(*) FROM cutoff k JOIN consent_event e ON e.purpose_key = k.key "
        "JOIN contact c ON c.id = e.contact_id "
        "WHERE e.action = 'grant' AND e.at < k.before AND c.deleted_at IS NULL AND c.anonymised_at IS NULL "
        "AND e.id = (SELECT max(id) FROM consent_event WHERE purpose_key = e.purpose_key "
        "AND contact_id = e.contact_id) GROUP BY e.purpose_key",
        [part for pair in cutoffs for part in pair],
    )
    return {str(key): int(count) for key, count in rows}


def health(session: Session, now: datetime | None = None) -> list[HealthLine]:
    """The open duties this user may see, most urgent first (deadlines, then chores, then paperwork)."""
    now = now or datetime.now(UTC)
    today = now.date()
    lines: list[HealthLine] = []
    can = session.can
    if can(Permission.HANDLE_REQUESTS):
        overdue = len(RequestService(session).open_requests(overdue_only=True, today=today))
        if overdue:
            lines.append(
                HealthLine(
                    "requests_overdue",
                    ngettext(
                        "{n} privacy request is past its deadline.",
                        "{n} privacy requests are past their deadline.",
                        overdue,
                    ).format(n=overdue),
                    "requests",
                    overdue,
                )
            )
    if can(Permission.VIEW_CUSTOMERS):
        counts = expired_consents(session, now)
        for purpose in ConsentService(session).purposes():
            expired = counts.get(purpose.key, 0)
            if expired:
                lines.append(
                    HealthLine(
                        f"consent_expired:{purpose.key}",
                        ngettext(
                            "{n} person's consent to {purpose} has expired: ask again before contacting them.",
                            "{n} people's consent to {purpose} has expired: ask again before contacting them.",
                            expired,
                        ).format(n=expired, purpose=_(purpose.name)),
                        "lists",
                        expired,
                    )
                )
    if can(Permission.ERASE) and RetentionService(session).due(now):
        lines.append(
            HealthLine(
                "sweep_due", _("A retention sweep is due: some records are past their retention period."), "retention"
            )
        )
    if can(Permission.BACKUP) and settings.drill_due(session, now):
        lines.append(
            HealthLine("drill_due", _("No restore drill in the last 90 days: test that a backup restores."), "backups")
        )
    if can(Permission.VIEW_CUSTOMERS):
        legitimate = [
            p
            for p in ConsentService(session).purposes()  # a basis PIPL lacks: it asks consent there
            if p.lawful_basis != "consent" and asks_consent(p.lawful_basis, "pipl")
        ]
        for purpose in legitimate if legitimate and anyone_under_pipl(session.conn) else []:
            lines.append(
                HealthLine(
                    f"pipl_basis:{purpose.key}",
                    _(
                        "{purpose} relies on legitimate interests, which PIPL does not recognise, and some people "
                        "here are "
                        "under PIPL: choose consent or another basis."
                    ).format(purpose=_(purpose.name)),
                    "consent",
                )
            )
    if can(Permission.MANAGE_POLICIES):
        facts = RopaService(session).facts()
        gaps = [_(EDITABLE[key]) for key in ROPA_REQUIRED if not facts.get(key, "").strip()]
        if gaps:
            lines.append(
                HealthLine(
                    "ropa_gaps",
                    _("The record of processing is missing: {what}.").format(what=_(", ").join(gaps)),
                    "shop",
                    len(gaps),
                )
            )
        needed = DpiaService(session).needed()
        if needed:
            lines.append(
                HealthLine(
                    "dpia_missing",
                    _(
                        "No impact assessment is recorded, yet the shop processes data "
                        "that calls for one (sensitive data, profiling, sharing or "
                        "transfers abroad)."
                    ),
                    "dpia",
                    len(needed),
                )
            )
    training = TrainingService(session)
    if can(Permission.MANAGE_USERS):
        due = training.due_users(today)
        if due:
            lines.append(
                HealthLine(
                    "training_due",
                    ngettext(
                        "{n} user has not read this year's privacy lesson: {names}.",
                        "{n} users have not read this year's privacy lesson: {names}.",
                        len(due),
                    ).format(n=len(due), names=_(", ").join(status.name for status in due)),
                    "training_status",
                    len(due),
                )
            )
    elif training.i_am_due(today):
        lines.append(HealthLine("training_due", _("Your privacy lesson is due: read it and confirm."), "training"))
    if can(Permission.REVIEW_PRIVACY):
        review = ReviewService(session)
        if review.due(today):
            lines.append(
                HealthLine(
                    "review_due",
                    _("The yearly privacy review was due on {date}.").format(date=day(review.due_on())),
                    "review",
                )
            )
    return lines
