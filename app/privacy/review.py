"""The yearly privacy review (GDPR Art. 24(1) "reviewed and updated where necessary", PIPL Art. 54 audits).

A checklist of what drifts in a year, recorded with who went through it, which items they ticked and a note.
The next review is due 12 months after the last one; a vault that never had one is due 12 months after it was
made, so a new shop is not greeted by a chore it cannot yet do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import N_, _
from app.privacy.requests import add_months

ITEMS: dict[str, tuple[str, str]] = {
    "notice": (
        N_("Privacy notice"),
        N_("The notice still says who we are, what we collect, why, for how long and who receives it."),
    ),
    "ropa": (
        N_("Records of processing"),
        N_("Purposes, recipients and transfers in the record still match how the shop works."),
    ),
    "users": (N_("Users and roles"), N_("Everyone with a login still works here and has the least role they need.")),
    "retention": (N_("Retention policies"), N_("The periods are still right, and the sweep runs.")),
    "drill": (N_("Restore drill"), N_("A backup was restored in a drill within the last three months.")),
    "training": (N_("Staff training"), N_("Every user has read this year's privacy lesson.")),
}


@dataclass(frozen=True)
class Review:
    id: int
    by: str
    at: str  # UTC, ISO
    items: list[str]  # keys of ITEMS ticked
    note: str


def item_label(key: str) -> str:
    return _(ITEMS[key][0]) if key in ITEMS else key


class ReviewService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, items: list[str], note: str = "", now: datetime | None = None) -> int:
        """Record a review (owners and managers): the ticked items and a note on what was found or left open."""
        self.session.require(Permission.REVIEW_PRIVACY)
        unknown = [key for key in items if key not in ITEMS]
        if unknown:
            raise InvalidInput(
                _("Unknown review item {item}; the items are: {items}.").format(item=unknown[0], items=", ".join(ITEMS))
            )
        ticked = [key for key in ITEMS if key in items]
        if not ticked and not note.strip():
            raise InvalidInput(_("Tick what you checked, or write in the note why nothing could be checked."))
        moment = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        with self.session.change() as conn:
            review_id = int(
                conn.execute(
                    "INSERT INTO privacy_review(user_id, at, items, note) VALUES (?, ?, ?, ?) RETURNING id",
                    (self.session.user.id, moment, json.dumps(ticked), note.strip()),
                ).fetchone()[0]
            )
            self.session.audit("review.record", "privacy_review", review_id, f"{len(ticked)} of {len(ITEMS)} items")
        return review_id

    def reviews(self, limit: int = 50) -> list[Review]:
        """The reviews so far, newest first (everyone who may record one may read them)."""
        self.session.require(Permission.REVIEW_PRIVACY)
        rows = self.session.conn.execute(
            "SELECT r.id, u.name, r.at, r.items, r.note FROM privacy_review r JOIN user u ON u.id = r.user_id "
            "ORDER BY r.at DESC, r.id DESC LIMIT ?",
            (limit,),
        )
        return [Review(int(r[0]), str(r[1]), str(r[2]), list(json.loads(str(r[3]))), str(r[4])) for r in rows]

    def due_on(self) -> date:
        """12 months after the last review, or after the vault was made if there was none."""
        row = self.session.conn.execute("SELECT max(at) FROM privacy_review").fetchone()
        start = (
            row[0]
            if row and row[0]
            else self.session.conn.execute(
                "SELECT coalesce((SELECT value FROM vault_meta WHERE key = 'created_at'), "
                "(SELECT min(created_at) FROM user))"
            ).fetchone()[0]
        )
        return add_months(datetime.fromisoformat(str(start)).date(), 12)

    def due(self, today: date | None = None) -> bool:
        return self.due_on() <= (today or datetime.now(UTC).date())
