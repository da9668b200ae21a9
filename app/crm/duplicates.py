"""Finding people entered twice (same email or phone) and merging them without losing anything.

A merge moves every contact point, note, tag, organisation link, deal and activity to the person kept, then
removes the emptied record; the audit log records both ids.
"""

from __future__ import annotations

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import _
from app.store import search_index

# A merge removes a record for good, so it is a manager's decision: the roles that may erase people.
MERGE_PERMISSION = Permission.ERASE


def may_merge(session: Session) -> bool:
    """Whether this session's role may merge duplicates (the UI offers it only then; `merge` refuses others)."""
    return session.can(MERGE_PERMISSION)


def find_duplicates(session: Session, limit: int = 100) -> list[list[int]]:
    """Groups of contact ids sharing a normalised email or phone, largest groups first."""
    session.require(Permission.VIEW_CUSTOMERS)
    rows = session.conn.execute(
        "SELECT group_concat(DISTINCT p.contact_id) FROM contact_point p JOIN contact c ON c.id = p.contact_id "
        "WHERE p.kind IN ('email', 'phone') AND p.normalized <> '' AND c.deleted_at IS NULL "  # '': unchecked
        "GROUP BY p.kind, p.normalized "
        "HAVING count(DISTINCT p.contact_id) > 1 ORDER BY count(DISTINCT p.contact_id) DESC LIMIT ?",
        (limit * 4,),
    ).fetchall()
    groups: list[set[int]] = []
    for (ids,) in rows:  # join groups that share a person (email in one pair, phone in another)
        members = {int(i) for i in str(ids).split(",")}
        overlapping = [g for g in groups if g & members]
        for g in overlapping:
            members |= g
            groups.remove(g)
        groups.append(members)
    return [sorted(g) for g in sorted(groups, key=len, reverse=True)[:limit]]


def merge(session: Session, keep_id: int, other_id: int) -> None:
    """Fold `other_id` into `keep_id` in one transaction. It removes a record for good, so it is a manager's
    decision (the same permission as erasure), though nothing of the person is lost."""
    session.require(MERGE_PERMISSION)
    if keep_id == other_id:
        raise InvalidInput(_("Choose two different customers to merge."))
    conn = session.conn
    found = conn.execute(
        "SELECT count(*) FROM contact WHERE id IN (?, ?) AND deleted_at IS NULL", (keep_id, other_id)
    ).fetchone()[0]
    if found != 2:
        raise InvalidInput(_("Both customers must exist to merge them."))
    with session.change():
        # The same detail on both: drop the other's copy (an unchecked one, with no normalised form, only when
        # typed the same way).
        conn.execute(
            "DELETE FROM contact_point WHERE contact_id = ? AND EXISTS (SELECT 1 FROM contact_point k "
            "WHERE k.contact_id = ? AND k.kind = contact_point.kind "
            "AND k.normalized = contact_point.normalized "
            "AND (k.normalized <> '' OR k.value = contact_point.value))",
            (other_id, keep_id),
        )
        conn.execute(
            "UPDATE contact_point SET contact_id = ?, is_primary = 0 WHERE contact_id = ?", (keep_id, other_id)
        )
        for table in ("note", "activity", "deal"):
            conn.execute(f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (keep_id, other_id))
        conn.execute(
            "INSERT OR IGNORE INTO contact_tag(contact_id, tag_id) SELECT ?, tag_id FROM contact_tag "
            "WHERE contact_id = ?",
            (keep_id, other_id),
        )
        conn.execute(
            "INSERT OR IGNORE INTO contact_organisation(contact_id, organisation_id, job_title) "
            "SELECT ?, organisation_id, job_title FROM contact_organisation WHERE contact_id = ?",
            (keep_id, other_id),
        )
        conn.execute("DELETE FROM contact WHERE id = ?", (other_id,))
        search_index.reindex(conn, other_id)
        search_index.reindex(conn, keep_id)
        session.audit("contact.merge", "contact", keep_id, f"merged {other_id}")
