"""The staff privacy lesson, and who has read it (GDPR Art. 39(1)(b) awareness and training, PIPL Art. 51(4)).

The lesson is a few screens of plain text kept as message ids, so it is translated with the rest of the app.
Each user acknowledges it at first sign-in and then once a year; a new LESSON_VERSION (the text changed in
substance) makes everyone due again. The owner sees who has and has not, and when each is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.access.roles import Permission, Role
from app.access.session import Session
from app.locale import N_, _
from app.privacy.requests import add_months

LESSON_VERSION = 1

# (title, text) per screen, as message ids: translated when shown (app.locale._)
LESSON: tuple[tuple[str, str], ...] = (
    (
        N_("What counts as personal data"),
        N_(
            "Personal data is anything that tells who a person is or can be linked to them: a name, an email "
            "address, a phone number, a postal address, what they bought, a note you wrote about them, their "
            "signature. Some data is sensitive and needs special care: health, religion, ethnic origin, political "
            "views, sexual life, ID or passport numbers, bank and card numbers, and, under Chinese law, the data of "
            "a child under 14.\n\nKeep only what the shop needs. Do not write sensitive details into notes, do not "
            "copy customer data to your own phone, email or USB stick, and lock the program when you leave the "
            "counter (Ctrl+L)."
        ),
    ),
    (
        N_("Consent"),
        N_(
            "We may send offers by email, SMS or phone only to people who agreed to it, for that purpose. Consent "
            "must be freely given, specific and informed: the person gets the privacy notice first, and a ticked box "
            "must be ticked by them, never by you.\n\nRecord each consent in the program as it was given (on the "
            "form, on paper, told in person). A person may withdraw it at any time, as easily as they gave it: record "
            "the withdrawal at once, and never contact them for that purpose again. Consent given long ago expires; "
            "the program says when to ask again."
        ),
    ),
    (
        N_("Requests at the counter"),
        N_(
            "Customers may ask to see their data, to correct it, to have it erased, to take it elsewhere, to stop "
            "marketing or to stop their data being sold or shared. They do not need to use any special words or "
            "form.\n\nWhen someone asks, register the request in the program straight away (Privacy › Requests): the "
            "legal deadline starts on the day they asked, and it is short (one month in the EU and UK, 45 days in "
            "California, 15 days in China). Check who they are before you give out any data; never give one "
            "person's data to another, not even to family."
        ),
    ),
    (
        N_("Breaches"),
        N_(
            "A breach is any loss of, or unauthorised access to, personal data: a lost laptop or USB stick, an "
            "email sent to the wrong person, a stolen password, a screen left open for a stranger to read, papers "
            "thrown away whole.\n\nTell the owner or manager at once, even if you are not sure, and even if it was "
            "your own mistake. The shop may have only 72 hours to tell the authority. Do not try to hide or fix it "
            "alone, and do not delete anything that shows what happened."
        ),
    ),
)


def lesson() -> list[tuple[str, str]]:
    """The lesson's screens in the reader's language."""
    return [(_(title), _(text)) for title, text in LESSON]


@dataclass(frozen=True)
class TrainingStatus:
    """One user's training as the owner sees it."""

    user_id: int
    name: str
    role: Role
    acknowledged_at: str | None  # UTC, ISO; None: never
    lesson_version: int | None
    due_on: date | None  # None: due now (never read, or an older lesson)

    def due(self, today: date) -> bool:
        return self.due_on is None or self.due_on <= today


def _now() -> datetime:
    return datetime.now(UTC)


def _status(row: tuple[object, ...]) -> TrainingStatus:
    user_id, name, role, at, version = row
    read = None if at is None else (str(at), int(str(version)))
    current = read is not None and read[1] >= LESSON_VERSION  # an older lesson is due again now
    due_on = add_months(datetime.fromisoformat(read[0]).date(), 12) if read is not None and current else None
    return TrainingStatus(
        int(str(user_id)), str(name), Role(str(role)), read[0] if read else None, read[1] if read else None, due_on
    )


class TrainingService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def acknowledge(self, now: datetime | None = None) -> None:
        """The signed-in user has read this version of the lesson (anyone may, for themselves only)."""
        session = self.session
        session.require(Permission.VIEW_CUSTOMERS)  # every role has it; refuses a temporary password
        moment = (now or _now()).isoformat(timespec="seconds")
        with session.change() as conn:
            conn.execute(
                "INSERT INTO training_ack(user_id, lesson_version, at) VALUES (?, ?, ?)",
                (session.user.id, LESSON_VERSION, moment),
            )
            session.audit("training.acknowledge", "user", session.user.id, f"lesson {LESSON_VERSION}")

    # Each user with their latest acknowledgement, in one query (a LEFT JOIN on the newest row per user)
    _WITH_LATEST = (
        "SELECT u.id, u.name, u.role, a.at, a.lesson_version FROM user u LEFT JOIN training_ack a "
        "ON a.id = (SELECT id FROM training_ack WHERE user_id = u.id ORDER BY at DESC, id DESC LIMIT 1) "
    )

    def my_status(self) -> TrainingStatus:
        """The signed-in user's own training (everyone may read their own)."""
        row = self.session.conn.execute(self._WITH_LATEST + "WHERE u.id = ?", (self.session.user.id,)).fetchone()
        return _status(row)

    def i_am_due(self, today: date | None = None) -> bool:
        return self.my_status().due(today or _now().date())

    def status(self) -> list[TrainingStatus]:
        """Every active user's training, for the owner (who has read the lesson, and when each is due)."""
        self.session.require(Permission.MANAGE_USERS)
        rows = self.session.conn.execute(
            self._WITH_LATEST + "WHERE u.active = 1 AND u.removed_at IS NULL ORDER BY u.name COLLATE NOCASE, u.id"
        )
        return [_status(row) for row in rows]

    def due_users(self, today: date | None = None) -> list[TrainingStatus]:
        day = today or _now().date()
        return [status for status in self.status() if status.due(day)]
