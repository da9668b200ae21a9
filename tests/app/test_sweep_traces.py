"""A sweep leaves no token of the people it removed in the search index, and goes as one transaction (issue #21).

The index is contentless: a deleted person's tokens stay in its segments (the shadow table `*_data`) until they
are merged. These tests read those segments raw, so a token left behind is found whatever FTS5 would answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.privacy import retention
from app.privacy.retention import RetentionService

LATER = datetime.now(UTC) + timedelta(days=31)


def _index_bytes(session: Session) -> bytes:
    """Every segment of both search indexes, as stored."""
    conn = session.conn
    return b"".join(
        bytes(row[0])
        for table in ("contact_search_data", "contact_phone_search_data")
        for row in conn.execute(f"SELECT block FROM {table} WHERE block IS NOT NULL")
    )


def _marked(session: Session, count: int, prefix: str) -> list[int]:
    """People with a surname and phone digits of their own (letters no other token starts with)."""
    contacts = ContactService(session)
    return [
        contacts.create(
            ContactInput(
                given_name="Ann",
                family_name=f"{prefix}{chr(97 + i % 26)}{i:04d}",
                points=[ContactPointInput("phone", f"+44 7700 9{i:05d}"[:17])],
            )
        )
        for i in range(count)
    ]


def test_a_sweep_leaves_no_token_of_the_binned_in_the_index(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 4)  # several batches
    contacts = ContactService(owner_session)
    binned = _marked(owner_session, 10, "Qzxv")
    kept = set(_marked(owner_session, 3, "Wjyk"))
    for contact_id in binned:
        contacts.delete(contact_id)
    assert b"qzxv" in _index_bytes(owner_session)  # binning hides them from search; their tokens are still there

    result = RetentionService(owner_session).apply(LATER)

    assert result.counts == {"deleted_contact": 10}
    index = _index_bytes(owner_session)
    assert b"qzxv" not in index
    assert b"wjyk" in index and {row.id for row in contacts.search("wjyk")} == kept  # the others are still found


def test_a_cancelled_sweep_leaves_no_token_of_whom_it_erased(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 4)
    contacts = ContactService(owner_session)
    binned = _marked(owner_session, 10, "Qzxv")
    for contact_id in binned:
        contacts.delete(contact_id)
    batches: list[int] = []

    result = RetentionService(owner_session).apply(
        LATER, progress=lambda done, _total: batches.append(done), cancelled=lambda: len(batches) >= 1
    )

    assert result.cancelled and result.counts == {"deleted_contact": 4}
    left = {int(r[0]) for r in owner_session.conn.execute("SELECT id FROM contact")}
    assert left == set(binned[4:])  # the first batch went, whole; the rest is untouched
    index = _index_bytes(owner_session)
    erased_names = [f"qzxv{chr(97 + i % 26)}{i:04d}".encode() for i in range(4)]
    assert not [name for name in erased_names if name in index]
    assert owner_session.conn.execute("SELECT status FROM sweep_run").fetchall() == [("cancelled",)]


def test_a_failing_sweep_erases_nobody(owner_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The people go in one transaction: a failure in a later batch undoes the earlier ones too."""
    monkeypatch.setattr(retention, "BATCH", 4)
    contacts = ContactService(owner_session)
    binned = _marked(owner_session, 10, "Qzxv")
    for contact_id in binned:
        contacts.delete(contact_id)

    def fail_on_the_second_batch(done: int, _total: int) -> None:
        if done > 4:
            raise OSError("disk gone")

    with pytest.raises(OSError):
        RetentionService(owner_session).apply(LATER, progress=fail_on_the_second_batch)

    assert {int(r[0]) for r in owner_session.conn.execute("SELECT id FROM contact")} >= set(binned)
    assert owner_session.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert RetentionService(owner_session).apply(LATER).counts == {"deleted_contact": 10}
