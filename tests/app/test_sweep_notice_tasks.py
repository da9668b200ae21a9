"""Notice tasks and the sweep (#21): an imported person's notice task goes with them, found through an index
(every batch read the whole table before), and the sweep erases exactly whom its preview names."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactService
from app.privacy import notices
from app.privacy.retention import RetentionService

LATER = datetime.now(UTC) + timedelta(days=31)  # the binned are due after 30 days (GDPR template)


def _imported(session: Session, count: int) -> list[int]:
    """People as an import leaves them: each owed the privacy notice (an open notice task)."""
    contacts = ContactService(session)
    ids = [contacts.create(ContactInput(given_name=f"Person{i}", family_name="Imported")) for i in range(count)]
    assert notices.create_tasks(session, ids, "customers.csv") == count
    return ids


def test_the_sweep_deletes_the_notice_tasks_of_whom_it_erases(owner_session: Session) -> None:
    ids = _imported(owner_session, 6)
    contacts = ContactService(owner_session)
    for contact_id in ids[::2]:
        contacts.delete(contact_id)
    result = RetentionService(owner_session).apply(LATER)
    assert result.counts == {"deleted_contact": 3}
    left = {int(r[0]) for r in owner_session.conn.execute("SELECT contact_id FROM notice_task")}
    assert left == set(ids[1::2])


def test_notice_tasks_are_deleted_through_an_index(owner_session: Session) -> None:
    """Erasing reads only the erased people's tasks: without the index every batch read the whole table."""
    plan = [
        str(r[3])
        for r in owner_session.conn.execute(
            "EXPLAIN QUERY PLAN DELETE FROM notice_task WHERE contact_id IN (SELECT value FROM json_each(?))",
            ("[1, 2]",),
        )
    ]
    assert any("notice_task_contact" in step for step in plan), plan
    assert not any(step.startswith("SCAN notice_task") for step in plan), plan


def test_the_sweep_erases_exactly_whom_the_preview_names(owner_session: Session) -> None:
    ids = _imported(owner_session, 5)
    contacts = ContactService(owner_session)
    for contact_id in ids[:3]:
        contacts.delete(contact_id)
    service = RetentionService(owner_session)
    items = service.preview(LATER)
    assert {i.contact_id for i in items} == set(ids[:3])
    assert all("untouched since" in i.reason for i in items)  # the preview still says why
    result = service.apply(LATER)
    assert result.counts == dict(Counter(i.category for i in items))
    remaining = {int(r[0]) for r in owner_session.conn.execute("SELECT id FROM contact")}
    assert remaining == set(ids[3:])
