"""Erasure leaves no trace: not in any table, not in the search index's shadow tables, not in free pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.access.session import Session
from app.admin import security
from app.consent.ledger import ConsentService
from app.consent.restriction import RestrictionService
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.deals import DealService
from app.errors import PermissionDenied
from app.privacy import erasure
from app.privacy.retention import RetentionService

NAME, EMAIL, PHONE_DIGITS = "Zyxwvut", "qqplorb.marker@example.org", "7700900417"
NOTE = "Vexillologist-marker likes peonies"


def decrypted_pages(path: Path, key: bytes) -> list[bytes]:
    """Every page of a SQLCipher 4 file decrypted with the raw data key (AES-256-CBC, IV in the reserve)."""
    data = path.read_bytes()
    page_size, reserve = 4096, 80
    pages = []
    for start in range(0, len(data), page_size):
        page = data[start : start + page_size]
        offset = 16 if start == 0 else 0  # page 1 begins with the salt
        iv = page[page_size - reserve : page_size - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        pages.append(decryptor.update(page[offset : page_size - reserve]) + decryptor.finalize())
    return pages


def test_page_decryption_sanity(owner_session: Session) -> None:
    """The scanner really reads plaintext: page 1 decrypts to a SQLite header with SQLCipher's reserve."""
    vault = owner_session.vault
    vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    first = decrypted_pages(vault.paths.database, vault.data_key())[0]
    assert first[0:2] == b"\x10\x00" and first[4] == 80  # page size 4096, 80 reserved bytes per page
    assert any(b"CREATE TABLE contact" in page for page in decrypted_pages(vault.paths.database, vault.data_key()))


@pytest.fixture
def marked_person(owner_session: Session) -> int:
    contacts = ContactService(owner_session)
    for i in range(30):  # neighbours share the pages the person lives on
        contacts.create(
            ContactInput(
                given_name=f"Other{i}",
                family_name="Person",
                points=[ContactPointInput("email", f"other{i}@example.org")],
            )
        )
    person = contacts.create(
        ContactInput(
            given_name=NAME,
            family_name="Qqplorb",
            tags=["vip"],
            note=NOTE,
            points=[ContactPointInput("email", EMAIL), ContactPointInput("phone", "+44 " + PHONE_DIGITS)],
        )
    )
    contacts.add_note(person, NOTE + " again")
    ActivityService(owner_session).create("call", f"Call {NAME} back", contact_id=person)
    deal = DealService(owner_session).create("Peony order", value="250", currency="GBP", contact_id=person)
    consent = ConsentService(owner_session)
    evidence = consent.store_evidence(person, "signature", "image/png", b"sig-" + NAME.encode() * 50)
    consent.record(
        person,
        "email_marketing",
        True,
        "form",
        notice_id=consent.current_notice("en").id,  # type: ignore[union-attr]
        evidence_id=evidence,
    )
    owner_session.vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    owner_session.deal_id = deal  # type: ignore[attr-defined]
    return person


MARKERS = [NAME.encode(), EMAIL.encode(), b"Qqplorb", b"Vexillologist", PHONE_DIGITS.encode()]


def _scan(session: Session) -> list[str]:
    """Every table (FTS shadow tables included) and every page of the file, decrypted."""
    conn, found = session.conn, []
    tables = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                raw = value if isinstance(value, bytes) else str(value).encode()
                found += [f"{table}: {m!r}" for m in MARKERS if m.lower() in raw.lower()]
    for number, page in enumerate(decrypted_pages(session.vault.paths.database, session.vault.data_key()), 1):
        found += [f"page {number}: {m!r}" for m in MARKERS if m in page]
    wal = session.vault.paths.database.with_name(session.vault.paths.database.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        found.append(f"WAL not empty: {wal.stat().st_size} bytes")
    return found


def test_the_markers_are_findable_before_erasure(owner_session: Session, marked_person: int) -> None:
    """Guards the scanner: without erasure it must see the person in tables and pages."""
    hits = _scan(owner_session)
    assert any(h.startswith("contact:") for h in hits) and any(h.startswith("page") for h in hits)


def test_erasure_leaves_no_trace(owner_session: Session, marked_person: int) -> None:
    erasure.erase(owner_session, marked_person)
    assert ContactService(owner_session).search(NAME) == []
    assert ContactService(owner_session).search(PHONE_DIGITS[-6:]) == []
    assert _scan(owner_session) == []
    deal = DealService(owner_session).get(owner_session.deal_id)  # type: ignore[attr-defined]
    assert deal.contact_id is None and deal.value_minor == 25000  # amounts stay for the accounts
    assert security.verify(owner_session).ok  # the audit chain holds ids only and still verifies
    ledger = owner_session.conn.execute("SELECT pseudonym, action FROM erasure_ledger").fetchall()
    assert ledger == [(erasure.pseudonym(owner_session.conn, marked_person), "erase")]
    import hashlib

    assert ledger[0][0] != hashlib.sha256(f"contact:{marked_person}".encode()).hexdigest()  # keyed, not guessable


def test_anonymise_keeps_statistics_only(owner_session: Session, marked_person: int) -> None:
    erasure.erase(owner_session, marked_person, anonymise=True)
    assert _scan(owner_session) == []
    row = owner_session.conn.execute(
        "SELECT display_name, anonymised_at FROM contact WHERE id = ?", (marked_person,)
    ).fetchone()
    assert row[0].startswith("Anonymised person") and row[1] is not None
    deals = owner_session.conn.execute("SELECT count(*) FROM deal WHERE value_minor = 25000").fetchone()[0]
    assert deals == 1


def test_legal_hold_blocks_erasure(owner_session: Session, marked_person: int) -> None:
    RetentionService(owner_session).hold(marked_person, "Pending dispute")
    with pytest.raises(PermissionDenied, match="legal hold"):
        erasure.erase(owner_session, marked_person)
    assert ContactService(owner_session).search(NAME)


def test_erasures_are_reapplied_to_an_older_copy(owner_session: Session, marked_person: int, tmp_path: Path) -> None:
    """What a backup restore will do: the ledger of the newer vault erases the person again in the older one."""
    import sqlcipher3

    from app.store.database import key_pragma

    vault = owner_session.vault
    copy = tmp_path / "older.vault"
    target = sqlcipher3.connect(str(copy), isolation_level=None)
    target.execute(key_pragma(vault.data_key()))
    vault.db.backup(target)  # the 'backup' still holds the person
    erasure.erase(owner_session, marked_person)
    rows = owner_session.conn.execute("SELECT pseudonym, action FROM erasure_ledger")
    ledger = [(str(r[0]), str(r[1])) for r in rows]
    assert target.execute("SELECT count(*) FROM contact WHERE id = ?", (marked_person,)).fetchone()[0] == 1
    assert erasure.reapply_ledger(target, ledger) == 1
    assert target.execute("SELECT count(*) FROM contact WHERE id = ?", (marked_person,)).fetchone()[0] == 0
    target.close()


def test_staff_cannot_erase_or_sweep(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    from app.access.session import open_session
    from app.access.users import UserService
    from tests.conftest import OWNER, OWNER_PASSWORD

    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    person = ContactService(session).create(ContactInput(given_name="Keep", family_name="Me"))
    UserService(session).add("Sam", "staff", "temporary-1")
    session.lock()
    staff = open_session(new_vault[0], "Sam", "temporary-1")
    UserService(staff).change_own_password("temporary-1", "sams-password")
    staff.lock()
    login = "sams-password\n"
    erased = run_cli("erase", new_vault[0], "--user", "Sam", "--contact", person, "--password-stdin", stdin=login)
    assert erased.code == 4
    assert run_cli("sweep", new_vault[0], "--user", "Sam", "--dry-run", "--password-stdin", stdin=login).code == 4
    owner = run_cli(
        "erase", new_vault[0], "--user", OWNER, "--contact", person, "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert owner.code == 0 and "Erased" in owner.out


def test_sweep_batch_erasure_leaves_no_trace_and_every_reference_whole(
    owner_session: Session, marked_person: int
) -> None:
    """The sweep erases in batches with foreign-key enforcement off and applies each ON DELETE itself:
    the result must be what the cascades would have left, for every table that points at a person."""
    from datetime import UTC, datetime, timedelta

    from app.privacy import notices
    from app.privacy.breach import BreachService
    from app.privacy.requests import RequestService

    conn = owner_session.conn
    request = RequestService(owner_session).create("access", "gdpr", contact_id=marked_person)
    breach = BreachService(owner_session)
    breach_id = breach.record(discovered_at=datetime.now(UTC), nature="Lost laptop")
    breach.select_affected(breach_id, everyone=True)
    ConsentService(owner_session).set_flag(marked_person, "opt_out_sale_sharing", True)
    retention = RetentionService(owner_session)
    retention.release(retention.hold(marked_person, "Dispute settled"))
    restriction = RestrictionService(owner_session)  # restricted once (Art. 18), lifted, so the sweep may erase
    restriction.restrict(marked_person, "Accuracy contested")
    restriction.lift(marked_person, "Address checked")
    ContactService(owner_session).add_note(marked_person, "Allergic to lilies", keep_reason="Her bouquets")  # #20
    notices.create_tasks(owner_session, [marked_person], "customers.csv")  # Art. 14: she came from a file
    pointing = {table for table, _column, _action in erasure.references_to_contact(conn)}
    assert {"deal", "subject_request", "breach_person", "legal_hold", "privacy_flag_event"} <= pointing
    with owner_session.change():
        organisation = conn.execute(
            "INSERT INTO organisation(name, sort_key, created_at) VALUES ('Corner Bakery', 'corner bakery', 'x')"
        ).lastrowid
        conn.execute(
            "INSERT INTO contact_organisation(contact_id, organisation_id) VALUES (?, ?)", (marked_person, organisation)
        )
        conn.execute(
            "INSERT INTO contact_source(source_kind, source_id, contact_id) VALUES ('shopify', '7210448301122', ?)",
            (marked_person,),
        )  # the id an import kept (issue #16)
        conn.execute(
            "INSERT INTO contact_purchases(contact_id, total_spent, order_count, source, updated_at) "
            "VALUES (?, '152900.00', 4, 'import:shopify', 'x')",
            (marked_person,),
        )  # the shop's totals an import kept (issue #16)
    empty = [
        table
        for table, column, _action in erasure.references_to_contact(conn)
        if not conn.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', (marked_person,)).fetchone()[0]
    ]
    assert empty == [], "the fixture should give every table a row about the person"
    ContactService(owner_session).delete(marked_person)

    result = retention.apply(datetime.now(UTC) + timedelta(days=31))

    assert result.counts.get("deleted_contact") == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # enforcement is back on
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for table, column, _action in erasure.references_to_contact(conn):
        assert (
            conn.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', (marked_person,)).fetchone()[0] == 0
        ), table
    assert conn.execute("SELECT contact_id FROM subject_request WHERE id = ?", (request,)).fetchone() == (None,)
    assert DealService(owner_session).get(owner_session.deal_id).contact_id is None  # type: ignore[attr-defined]
    assert _scan(owner_session) == []
    assert security.verify(owner_session).ok
    assert conn.execute("SELECT pseudonym FROM erasure_ledger").fetchall() == [
        (erasure.pseudonym(conn, marked_person),)
    ]
