"""Calls, meetings, emails and tasks with due times: the shop's follow-ups.

Due times are stored in UTC; "today" is the user's local day, so callers pass `now` as an aware datetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import _
from app.store.database import Connection

KINDS = ("call", "meeting", "email", "task")


@dataclass(frozen=True)
class Activity:
    id: int
    kind: str
    subject: str
    contact_id: int | None
    contact_name: str | None
    deal_id: int | None
    due_at: str | None
    done_at: str | None
    owner_user_id: int | None


@dataclass(frozen=True)
class Agenda:
    overdue: list[Activity]
    today: list[Activity]
    upcoming: list[Activity]


_COLUMNS = (
    "a.id, a.kind, a.subject, a.contact_id, c.display_name, a.deal_id, a.due_at, a.done_at, "
    "a.owner_user_id FROM activity a LEFT JOIN contact c ON c.id = a.contact_id "
)


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("due times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _checked(kind: str, subject: str) -> str:
    """What a new or edited activity must have; returns the trimmed subject."""
    if kind not in KINDS:
        raise InvalidInput(_("An activity is a call, meeting, email or task."))
    if not subject.strip():
        raise InvalidInput(_("An activity needs a subject."))
    return subject.strip()


class ActivityService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    def create(
        self,
        kind: str,
        subject: str,
        *,
        due_at: datetime | None = None,
        contact_id: int | None = None,
        deal_id: int | None = None,
        owner_user_id: int | None = None,
    ) -> int:
        self.session.require(Permission.EDIT_CUSTOMERS)
        subject = _checked(kind, subject)
        with self.session.change() as conn:
            activity_id = int(
                conn.execute(
                    "INSERT INTO activity(kind, subject, contact_id, deal_id, due_at, owner_user_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        kind,
                        subject,
                        contact_id,
                        deal_id,
                        _utc(due_at) if due_at else None,
                        owner_user_id or self.session.user.id,
                        _utc(datetime.now(UTC)),
                    ),
                ).lastrowid
            )
            self.session.audit("activity.create", "activity", activity_id)
        return activity_id

    def get(self, activity_id: int) -> Activity:
        self.session.require(Permission.VIEW_CUSTOMERS)
        row = self.conn.execute(f"SELECT {_COLUMNS} WHERE a.id = ?", (activity_id,)).fetchone()
        if row is None:
            raise InvalidInput(_("There is no activity with id {id}.").format(id=activity_id))
        return Activity(*row)

    def update(
        self,
        activity_id: int,
        *,
        kind: str,
        subject: str,
        due_at: datetime | None = None,
        contact_id: int | None = None,
        deal_id: int | None = None,
        owner_user_id: int | None = None,
    ) -> None:
        """Replace what create() set, checked the same way; pass the current values of what stays. The owner is
        kept when none is given (an edit never takes someone's reminders). Done or not has set_done().
        Nothing changed: nothing written and nothing recorded. The audit entry names the changed fields only."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        activity = self.get(activity_id)
        subject = _checked(kind, subject)
        due = _utc(due_at) if due_at else None
        owner = owner_user_id or activity.owner_user_id
        new = {"kind": kind, "subject": subject, "due": due, "contact": contact_id, "deal": deal_id, "owner": owner}
        old = {
            "kind": activity.kind,
            "subject": activity.subject,
            "due": activity.due_at,
            "contact": activity.contact_id,
            "deal": activity.deal_id,
            "owner": activity.owner_user_id,
        }
        changed = [field for field in new if new[field] != old[field]]
        if not changed:
            return
        with self.session.change() as conn:
            conn.execute(
                "UPDATE activity SET kind = ?, subject = ?, due_at = ?, contact_id = ?, deal_id = ?, "
                "owner_user_id = ? WHERE id = ?",
                (kind, subject, due, contact_id, deal_id, owner, activity_id),
            )
            self.session.audit("activity.update", "activity", activity_id, ", ".join(changed))

    def create_many(self, rows: list[tuple[str, str, int | None, datetime]], source: str) -> int:
        """Bulk activities (kind, subject, contact id, due) owned by the current user; one transaction."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        stamp, user = _utc(datetime.now(UTC)), self.session.user.id
        with self.session.change() as conn:
            conn.executemany(
                "INSERT INTO activity(kind, subject, contact_id, due_at, owner_user_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (kind, subject, contact_id, _utc(due), user, stamp)
                    for kind, subject, contact_id, due in rows
                    if kind in KINDS
                ],
            )
            self.session.audit("activity.bulk_create", "activity", None, f"{len(rows)} from {source}")
        return len(rows)

    def set_done(self, activity_id: int, done: bool = True) -> None:
        """Quick complete (and undo it)."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        with self.session.change() as conn:
            changed = conn.execute(
                "UPDATE activity SET done_at = ? WHERE id = ?", (_utc(datetime.now(UTC)) if done else None, activity_id)
            ).rowcount
            if not changed:
                raise InvalidInput(_("There is no activity with id {id}.").format(id=activity_id))
            self.session.audit("activity.done" if done else "activity.undone", "activity", activity_id)

    def agenda(self, now: datetime, *, mine_only: bool = True, limit: int = 200) -> Agenda:
        """Open activities: overdue (due before now), today (rest of the local day), upcoming (later)."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        local_now = now.astimezone()
        end_of_day = datetime.combine(local_now.date() + timedelta(days=1), time(0), tzinfo=local_now.tzinfo)
        owner = "AND a.owner_user_id = ? " if mine_only else "AND ? IS NOT NULL "

        def select(where: str, *args: object) -> list[Activity]:
            sql = (
                f"SELECT {_COLUMNS} WHERE a.done_at IS NULL AND a.due_at IS NOT NULL {owner}{where} "
                "ORDER BY a.due_at, a.id LIMIT ?"
            )
            return [Activity(*r) for r in self.conn.execute(sql, (self.session.user.id, *args, limit))]

        return Agenda(
            overdue=select("AND a.due_at < ?", _utc(now)),
            today=select("AND a.due_at >= ? AND a.due_at < ?", _utc(now), _utc(end_of_day)),
            upcoming=select("AND a.due_at >= ?", _utc(end_of_day)),
        )

    def due_soon(self, now: datetime, within: timedelta) -> list[Activity]:
        """Reminders: my open activities due in the next `within`."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            Activity(*r)
            for r in self.conn.execute(
                f"SELECT {_COLUMNS} WHERE a.done_at IS NULL AND a.owner_user_id = ? AND a.due_at >= ? AND a.due_at < ? "
                "ORDER BY a.due_at",
                (self.session.user.id, _utc(now), _utc(now + within)),
            )
        ]

    def for_contact(self, contact_id: int) -> list[Activity]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            Activity(*r)
            for r in self.conn.execute(
                f"SELECT {_COLUMNS} WHERE a.contact_id = ? ORDER BY a.due_at DESC, a.id DESC", (contact_id,)
            )
        ]
