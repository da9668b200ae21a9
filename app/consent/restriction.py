"""Restriction of processing (GDPR Art. 18): the person's data is kept, and nothing else is done with it.

A restricted person stays in the vault and is shown as restricted wherever they appear, but is left out of every
list that processes people in bulk: marketing audiences, customer-list exports and the retention sweep. Art. 18(2)
allows storage only, and a person often asks for restriction *instead of* erasure (Art. 18(1)(b)), so the sweep
keeps them too and says how many it kept. Setting and lifting are audited with who did it; the reasons are kept
here, not in the audit log (which holds no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import _
from app.store.database import Connection

# The ids of people whose processing is restricted now (an index probe per person: restriction_in_force).
RESTRICTED_IDS = "SELECT contact_id FROM restriction WHERE lifted_at IS NULL"


@dataclass(frozen=True)
class Restriction:
    id: int
    contact_id: int
    reason: str
    request_id: int | None
    set_by: str
    set_at: str
    lifted_by: str | None
    lifted_at: str | None
    lift_reason: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def restricted_ids(conn: Connection) -> set[int]:
    """Everyone restricted now (few people: read whole, for filtering a stream of rows)."""
    return {int(row[0]) for row in conn.execute(RESTRICTED_IDS)}


def is_restricted(conn: Connection, contact_id: int) -> bool:
    return (
        conn.execute("SELECT 1 FROM restriction WHERE contact_id = ? AND lifted_at IS NULL", (contact_id,)).fetchone()
        is not None
    )


class RestrictionService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    def restrict(self, contact_id: int, reason: str, request_id: int | None = None) -> int:
        """Restrict processing of one person, with the reason (a contested record, a pending objection, …)."""
        self.session.require(Permission.HANDLE_REQUESTS)
        if not reason.strip():
            raise InvalidInput(_("Say why processing is restricted (e.g. the customer contests the address)."))
        if (
            self.conn.execute(
                "SELECT 1 FROM contact WHERE id = ? AND deleted_at IS NULL AND anonymised_at IS NULL", (contact_id,)
            ).fetchone()
            is None
        ):
            raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
        if is_restricted(self.conn, contact_id):
            raise InvalidInput(_("Processing of customer {id} is already restricted.").format(id=contact_id))
        with self.session.change() as conn:
            restriction_id = int(
                conn.execute(
                    "INSERT INTO restriction(contact_id, reason, request_id, set_by_user_id, set_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (contact_id, reason.strip(), request_id, self.session.user.id, _now()),
                ).lastrowid
            )
            self.session.audit(
                "restriction.set",
                "contact",
                contact_id,
                f"restriction {restriction_id}" + (f" request {request_id}" if request_id else ""),
            )
        return restriction_id

    def lift(self, contact_id: int, reason: str) -> None:
        """End a restriction, explicitly and with a reason (the person must be told before, Art. 18(3))."""
        self.session.require(Permission.HANDLE_REQUESTS)
        if not reason.strip():
            raise InvalidInput(_("Say why the restriction ends (e.g. the address was checked and corrected)."))
        with self.session.change() as conn:
            lifted = conn.execute(
                "UPDATE restriction SET lifted_at = ?, lifted_by_user_id = ?, lift_reason = ? "
                "WHERE contact_id = ? AND lifted_at IS NULL",
                (_now(), self.session.user.id, reason.strip(), contact_id),
            ).rowcount
            if not lifted:
                raise InvalidInput(_("Processing of customer {id} is not restricted.").format(id=contact_id))
            self.session.audit("restriction.lift", "contact", contact_id)

    def current(self, contact_id: int) -> Restriction | None:
        """The restriction in force for this person, if any (what the detail banner shows)."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        found = self.history(contact_id)
        return next((r for r in found if r.lifted_at is None), None)

    def history(self, contact_id: int) -> list[Restriction]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        rows = self.conn.execute(
            "SELECT r.id, r.contact_id, r.reason, r.request_id, coalesce(s.name, ''), r.set_at, l.name, r.lifted_at, "
            "r.lift_reason FROM restriction r LEFT JOIN user s ON s.id = r.set_by_user_id "
            "LEFT JOIN user l ON l.id = r.lifted_by_user_id WHERE r.contact_id = ? ORDER BY r.id",
            (contact_id,),
        )
        return [Restriction(*row) for row in rows]

    def kept_by_sweep(self) -> int:
        """Restricted people the retention sweep leaves alone (it reports them as kept for restriction)."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return int(self.conn.execute(f"SELECT count(*) FROM contact WHERE id IN ({RESTRICTED_IDS})").fetchone()[0])
