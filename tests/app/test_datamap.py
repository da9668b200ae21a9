"""The data map (issue #20, minimisation): every column about a person has a field with a purpose and a
retention category, checked against the live schema; counts of people per field; the CLI `datamap`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from app.access.session import Session
from app.consent.jurisdiction import set_birth_date
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.privacy.datamap import FIELDS, DataMapService, person_tables, unlisted_columns
from app.privacy.retention import CATEGORY_LABELS
from tests.conftest import OWNER, OWNER_PASSWORD


def _people(session: Session) -> list[int]:
    contacts = ContactService(session)
    first = contacts.create(
        ContactInput(
            given_name="Lena",
            family_name="Vogel",
            language="de",
            tags=["vip"],
            points=[ContactPointInput("email", "lena@example.de"), ContactPointInput("phone", "+49 30 1234567")],
        )
    )
    second = contacts.create(
        ContactInput(given_name="Chen", family_name="Li", points=[ContactPointInput("email", "chen@example.cn")])
    )
    third = contacts.create(ContactInput(given_name="Ana", family_name="Lima"))
    return [first, second, third]


def test_every_column_of_every_person_table_is_in_the_map(owner_session: Session) -> None:
    """The 'any added later' rule: derived from PRAGMA table_info over the tables that lead to a person."""
    tables = person_tables(owner_session.conn)
    assert {"contact", "contact_point", "note", "consent_event", "restriction", "note_sensitive_kept"} <= set(tables)
    assert "user" not in tables and "audit_event" not in tables
    assert unlisted_columns(owner_session.conn) == []


def test_a_column_added_without_a_purpose_is_found_and_flagged(owner_session: Session) -> None:
    conn = owner_session.conn
    conn.execute("ALTER TABLE contact ADD COLUMN shoe_size TEXT")
    conn.execute(
        "CREATE TABLE loyalty_card (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES contact(id), number TEXT)"
    )
    assert unlisted_columns(conn) == [
        "contact.shoe_size",
        "loyalty_card.id",
        "loyalty_card.contact_id",
        "loyalty_card.number",
    ]
    person = _people(owner_session)[0]
    conn.execute("UPDATE contact SET shoe_size = '38' WHERE id = ?", (person,))
    rows = {row.key: row for row in DataMapService(owner_session).rows()}
    flagged = rows["unlisted:contact"]
    assert flagged.no_purpose and flagged.columns == ("contact.shoe_size",) and flagged.people == 1
    assert rows["unlisted:loyalty_card"].no_purpose and rows["unlisted:loyalty_card"].people == 0
    assert not rows["email"].no_purpose


def test_each_field_has_a_purpose_a_known_category_and_counts_the_people_who_have_it(owner_session: Session) -> None:
    assert all(field.purpose and field.retention in CATEGORY_LABELS for field in FIELDS)
    first, second, _third = _people(owner_session)
    set_birth_date(owner_session, second, date(1990, 5, 1))
    ContactService(owner_session).add_note(first, "Prefers the blue wrapping paper.")
    service = DataMapService(owner_session)
    rows = {row.key: row for row in service.rows()}
    assert service.people() == 3
    assert rows["name"].people == 3
    assert rows["email"].people == 2 and rows["phone"].people == 1 and rows["address"].people == 0
    assert rows["language"].people == 1 and rows["tags"].people == 1 and rows["birth_date"].people == 1
    assert rows["notes"].people == 1 and rows["deals"].people == 0
    assert rows["email"].retention == "customer"
    assert rows["email"].period_days == 2190 and rows["email"].action == "anonymise"  # the GDPR template
    assert rows["consent"].retention == "consent_evidence" and rows["consent"].period_days == 1095
    assert rows["email"].purpose.startswith("Answering the customer")
    assert not any(row.no_purpose for row in rows.values())


def test_the_cli_lists_the_map_as_lines_and_json(run_cli, new_vault: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    result = run_cli("datamap", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 0, result.err
    assert "0 people in the vault." in result.out
    assert "Email addresses: Answering the customer" in result.out and "NO PURPOSE" not in result.out
    result = run_cli("datamap", path, "--user", OWNER, "--password-stdin", "--json", stdin=OWNER_PASSWORD + "\n")
    data = json.loads(result.out.splitlines()[0])
    assert data["people"] == 0
    email = next(field for field in data["fields"] if field["key"] == "email")
    assert email["retention"] == "customer" and email["retention_days"] == 2190 and email["no_purpose"] is False
    assert "contact_point.value" in email["columns"]
    wrong = run_cli("datamap", path, "--user", OWNER, "--password-stdin", stdin="not-the-password\n")
    assert wrong.code == 3
