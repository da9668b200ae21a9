"""Sensitive data in notes (minimisation, seed 002): what the check finds, and the notes kept anyway, with why.

The detector is app.crm.sensitive_text (the crm floor saves notes and must enforce it; crm may not import
privacy). Saving a note that looks sensitive is refused with its findings unless a reason is given
(`ContactService.add_note(..., keep_reason=...)`); the reason is kept in `note_sensitive_kept` with who and when,
and the keeping is audited (without the reason, which may name the person). Here the owner or a manager reads
them back, for the yearly review: a reason that no longer holds is a note to take out.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.access.roles import Permission
from app.access.session import Session
from app.crm.sensitive_text import KINDS, Finding, SensitiveTextFound, find_sensitive, kinds_of
from app.locale import _

__all__ = ["KINDS", "Finding", "KeptNote", "SensitiveNotesService", "SensitiveTextFound", "find_sensitive", "kinds_of"]


@dataclass(frozen=True)
class KeptNote:
    note_id: int
    contact_id: int | None
    kinds: tuple[str, ...]
    reason: str
    kept_by: str
    at: str

    def what(self) -> str:
        """The kinds found, in words."""
        return ", ".join(_(KINDS[kind]) for kind in self.kinds if kind in KINDS)


class SensitiveNotesService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def kept(self, contact_id: int | None = None) -> list[KeptNote]:
        """Notes kept although they look sensitive, newest first: one person's (anyone who sees customers), or
        everyone's (owners and managers, for the review; recorded with how many were read)."""
        if contact_id is None:
            self.session.require(Permission.REVIEW_PRIVACY)
        else:
            self.session.require(Permission.VIEW_CUSTOMERS)
        rows = self.session.conn.execute(
            "SELECT k.note_id, k.contact_id, k.kinds, k.reason, coalesce(u.name, ''), k.at "
            "FROM note_sensitive_kept k LEFT JOIN user u ON u.id = k.user_id "
            "WHERE ? IS NULL OR k.contact_id = ? ORDER BY k.at DESC, k.note_id DESC",
            (contact_id, contact_id),
        ).fetchall()
        found = [
            KeptNote(
                int(r[0]),
                None if r[1] is None else int(r[1]),
                tuple(str(r[2]).split(",")),
                str(r[3]),
                str(r[4]),
                str(r[5]),
            )
            for r in rows
        ]
        if contact_id is None:
            self.session.record("note.sensitive_list", "note", None, f"{len(found)} notes")
        return found
