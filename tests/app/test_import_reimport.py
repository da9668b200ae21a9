"""Issue #16: a re-import updates people instead of skipping them, and consent from a file follows the file.

Fixtures (tests/fixtures/import/README.md): a later Shopify export of the shop in shopify_customers_export.csv, a
Mailchimp subscribed export with a 2019 and a 2026 opt-in, the unsubscribed and cleaned exports of the same people.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.access.session import Session
from app.consent.ledger import ConsentService, imported_verdict
from app.crm.contacts import ContactService
from app.crm.importing.model import FieldChange
from app.crm.importing.service import ImportService
from app.privacy import erasure
from tests.app import test_import as shared
from tests.app.test_import import FIXTURES, by_email, contacts, phones

template_vault, vault, session = shared.template_vault, shared.vault, shared.session  # the same fast fixtures

SHOPIFY = FIXTURES / "shopify_customers_export.csv"
REEXPORT = FIXTURES / "shopify_customers_reexport_2026.csv"
SUBSCRIBED = FIXTURES / "mailchimp_subscribed_2019_2026.csv"
UNSUBSCRIBED = FIXTURES / "mailchimp_unsubscribed_2019_2026.csv"
CLEANED = FIXTURES / "mailchimp_cleaned_2026.csv"
SQUARE_EXPORT = FIXTURES / "square_customers_export.csv"
SQUARE_REEXPORT = FIXTURES / "square_customers_reexport.csv"
HUBSPOT_EXPORT = FIXTURES / "hubspot_contacts_export.csv"
HUBSPOT_REEXPORT = FIXTURES / "hubspot_contacts_reexport.csv"


def events(session: Session, contact_id: int, purpose: str = "email_marketing") -> list[tuple[str, str, str, str]]:
    return [
        (e.action, e.method, e.at, e.source)
        for e in ConsentService(session).history(contact_id)
        if e.purpose_key == purpose
    ]


def source_of(session: Session, contact_id: int) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in session.conn.execute(
            "SELECT source_kind, source_id FROM contact_source WHERE contact_id = ?", (contact_id,)
        )
    ]


def olivia(session: Session) -> int:
    return ContactService(session).search("Olivia Smith", 5)[0].id


# --- Shopify: a later export of the same shop ---------------------------------------------------------------------


def test_the_preview_shows_what_a_reexport_changes_before_anything_is_written(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    before = (contacts(session), session.conn.execute("SELECT count(*) FROM consent_event").fetchone()[0])
    report = ImportService(session).preview(REEXPORT, limit=100).report
    assert (contacts(session), session.conn.execute("SELECT count(*) FROM consent_event").fetchone()[0]) == before
    assert report.imported == 2 and report.skipped == 0 and len(report.matched) == 6
    assert {m.by for m in report.matched} == {"source"}  # the Customer ID, even for Olivia, who has no email
    changes = {m.line: m.changes for m in report.matched}
    assert changes[2] == []  # José: only his choice about email changed
    assert changes[6] == [FieldChange("phone", "conflict", "+447700900123", "+447700900456")]
    assert changes[7] == [FieldChange("tag", "add", "", "weddings")]
    assert changes[8] == [FieldChange("phone", "fill", "", "+447700900321")]
    assert report.conflicts == [
        (6, f"customer {olivia(session)}: the file has a different phone number; kept as it was")
    ]
    assert report.consents_to_record == 5  # José's withdrawal, and Marcus's and Elena's two first choices each


def test_a_reexport_updates_matched_people_and_records_the_withdrawal(session: Session) -> None:
    first = ImportService(session).run(SHOPIFY)
    jose = by_email(session, "jose.nunez@example.es").id
    assert jose in ConsentService(session).eligible_ids("email_marketing")
    report = ImportService(session).run(REEXPORT)
    assert (report.imported, len(report.matched), report.updated, report.skipped) == (2, 6, 2, 0)
    assert contacts(session) == 8 and set(first.contact_ids).isdisjoint(report.contact_ids)
    # José unsubscribed: a withdrawal, with the file, line and column it came from
    action, method, _at, source = events(session, jose)[-1]
    assert (action, method) == ("withdraw", "import")
    assert source == 'shopify_customers_reexport_2026.csv: line 2, Shopify "Accepts Email Marketing" = no'
    assert jose not in ConsentService(session).eligible_ids("email_marketing")
    assert len(events(session, jose)) == 2 and len(events(session, jose, "sms_marketing")) == 1  # nothing repeated
    # filled and added, never overwritten
    assert phones(by_email(session, "ngozi.okafor@example.org")) == {"+447700900321"}
    assert "weddings" in by_email(session, "aiyana@example.com").tags
    assert phones(ContactService(session).get(olivia(session))) == {"+447700900123"}  # a conflict, reported
    assert [line for line, _reason in report.conflicts] == [6]


def test_two_people_sharing_a_delivery_address_phone_stay_two_people(session: Session) -> None:
    report = ImportService(session).run(REEXPORT)
    assert (report.imported, report.skipped, report.duplicates) == (8, 0, [])
    marcus, elena = by_email(session, "marcus.lee@example.com"), by_email(session, "elena.petrova@example.com")
    assert marcus.id != elena.id and phones(marcus) == phones(elena) == {"+12065550188"}  # kept with each
    # and a customer whose delivery phone that is does not swallow the next file's people either
    again = ImportService(session).run(REEXPORT)
    assert again.imported == 0 and {m.by for m in again.matched} == {"source"} and contacts(session) == 8


def test_the_source_id_is_kept_and_matches_the_next_import(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    jose = by_email(session, "jose.nunez@example.es")
    assert source_of(session, jose.id) == [("shopify", "7210448301122")]  # without Shopify's apostrophe
    # staff change José's email; the next export still finds him by his Customer ID
    service = ContactService(session)
    from app.crm.contacts import ContactInput, ContactPointInput

    service.update(
        jose.id,
        ContactInput(given_name="José", family_name="Núñez", points=[ContactPointInput("email", "jose@example.es")]),
    )
    report = ImportService(session).run(SHOPIFY)
    match = next(m for m in report.matched if m.line == 2)
    assert (match.contact_id, match.by) == (jose.id, "source") and report.imported == 0
    assert FieldChange("email", "conflict", "jose@example.es", "jose.nunez@example.es") in match.changes


def test_erasing_a_person_leaves_no_source_id(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    jose = by_email(session, "jose.nunez@example.es").id
    erasure.erase(session, jose)
    assert (
        session.conn.execute(
            "SELECT count(*) FROM contact_source WHERE contact_id = ? OR source_id = ?", (jose, "7210448301122")
        ).fetchone()[0]
        == 0
    )
    assert session.conn.execute("SELECT count(*) FROM contact_source").fetchone()[0] == 5  # the others stay
    report = ImportService(session).run(SHOPIFY)  # an erased person comes back only as a new customer
    assert report.imported == 1 and len(report.matched) == 5


def _by_source(session: Session, kind: str, source_id: str) -> int:
    row = session.conn.execute(
        "SELECT contact_id FROM contact_source WHERE source_kind = ? AND source_id = ?", (kind, source_id)
    ).fetchone()
    assert row is not None, f"no {kind} id {source_id}"
    return int(row[0])


def test_a_square_re_export_finds_its_customers_by_square_customer_id(session: Session) -> None:
    """Two of three changed their email and the third (no email) her phone: Square's id still finds all three,
    and each change is offered, not made. The seller's free-text Reference ID is no id: a new customer sharing
    Ólafur's is someone new."""
    ImportService(session).run(SQUARE_EXPORT)
    mai = by_email(session, "mai.nguyen@example.vn").id
    olafur = by_email(session, "olafur@example.is").id
    grace = _by_source(session, "square", "9DEF7Y1WQ2GHI")
    assert source_of(session, mai) == [("square", "7XZ4M2PZQ8ABC")]

    report = ImportService(session).run(SQUARE_REEXPORT)

    assert [(m.line, m.contact_id, m.by) for m in report.matched] == [
        (2, mai, "source"),
        (3, olafur, "source"),
        (4, grace, "source"),
    ]
    assert report.imported == 1 and contacts(session) == 4
    kwame = by_email(session, "kwame.mensah@example.com.gh").id
    assert kwame not in (mai, olafur, grace) and source_of(session, kwame) == [("square", "4GHJ8K2LM5NOP")]
    grace_match = next(m for m in report.matched if m.line == 4)
    # a local number and no country to read it in (Square has no country column, the shop set none): offered as typed
    assert FieldChange("phone", "conflict", "+1 415-555-0134", "(415) 555-0177") in grace_match.changes
    olafur_match = next(m for m in report.matched if m.line == 3)
    assert FieldChange("email", "conflict", "olafur@example.is", "olafur.jonsson@example.is") in olafur_match.changes
    assert [body for _id, _at, body in ContactService(session).get(kwame).notes] == ["Asked for\nthe loyalty card"]
    assert phones(ContactService(session).get(grace)) == {"+14155550134"}  # shown, not overwritten silently
    totals = session.conn.execute(
        "SELECT total_spent, order_count FROM contact_purchases WHERE contact_id = ?", (mai,)
    ).fetchone()
    assert tuple(totals) == ("1019.95", 31)  # the newer export's totals replace the older


def test_a_hubspot_re_export_finds_contacts_by_record_id_and_brings_an_unsubscribe(session: Session) -> None:
    ImportService(session).run(HUBSPOT_EXPORT)
    minjun, liam = _by_source(session, "hubspot", "51234001"), _by_source(session, "hubspot", "51234003")
    assert by_email(session, "minjun.kim@example.kr").id == minjun
    assert [e[0] for e in events(session, liam)] == []  # the first export said nothing of Liam's consent

    report = ImportService(session).run(HUBSPOT_REEXPORT)

    assert {(m.line, m.by) for m in report.matched} == {(2, "source"), (3, "source"), (4, "source")}
    assert next(m.contact_id for m in report.matched if m.line == 2) == minjun  # under a new email address
    assert report.imported == 1 and contacts(session) == 4
    assert [e[0] for e in events(session, liam)] == ["withdraw"]  # "Unsubscribed from all email" = true
    assert "hubspot_contacts_reexport.csv: line 4" in events(session, liam)[0][3]
    ana = _by_source(session, "hubspot", "51234002")
    assert "+5491123456789" in phones(ContactService(session).get(ana))  # "011 15-2345-6789" read in Argentina


# --- Mailchimp: opt-ins dated by the file, then the unsubscribed and cleaned exports -------------------------------


def test_an_opt_in_is_dated_by_the_file_and_a_2019_one_is_not_current_consent(session: Session) -> None:
    report = ImportService(session).run(SUBSCRIBED)
    assert report.imported == 2 and report.consents_stored == 2
    priya, tomas = by_email(session, "priya.raman@example.in").id, by_email(session, "tomas.ortega@example.mx").id
    assert events(session, priya) == [
        (
            "grant",
            "import",
            "2019-03-14T10:05:00+00:00",
            'mailchimp_subscribed_2019_2026.csv: line 2, Mailchimp "OPTIN_TIME" = 2019-03-14 10:05:00',
        )
    ]
    assert events(session, tomas)[0][2] == "2026-01-20T16:40:05+00:00"
    assert ConsentService(session).eligible_ids("email_marketing") == [tomas]  # Priya's is older than 730 days
    state = next(s for s in ConsentService(session).states(priya) if s.purpose.key == "email_marketing")
    assert not state.granted and state.reason == "expired on 2021-03-13"
    assert source_of(session, priya) == [("mailchimp", "9c8b7a6f5e")]


def test_the_unsubscribed_export_records_dated_withdrawals_once(session: Session) -> None:
    ImportService(session).run(SUBSCRIBED)
    priya, tomas = by_email(session, "priya.raman@example.in").id, by_email(session, "tomas.ortega@example.mx").id
    report = ImportService(session).run(UNSUBSCRIBED)
    assert (report.imported, len(report.matched), report.skipped, report.consents_stored) == (0, 2, 0, 2)
    assert {m.by for m in report.matched} == {"source"}
    assert events(session, tomas)[-1][:3] == ("withdraw", "import", "2026-10-02T19:03:11+00:00")
    assert events(session, tomas)[-1][3] == (
        'mailchimp_unsubscribed_2019_2026.csv: line 3, Mailchimp "UNSUB_TIME" = 2026-10-02 19:03:11'
    )
    assert events(session, priya)[-1][:3] == ("withdraw", "import", "2025-11-05T08:12:40+00:00")
    assert ConsentService(session).eligible_ids("email_marketing") == []
    again = ImportService(session).run(UNSUBSCRIBED)  # the same file twice: nothing new
    assert again.consents_stored == 0 and len(events(session, tomas)) == 2


def test_the_cleaned_export_withdraws(session: Session) -> None:
    ImportService(session).run(SUBSCRIBED)
    tomas = by_email(session, "tomas.ortega@example.mx").id
    report = ImportService(session).run(CLEANED)
    assert report.format == "mailchimp" and [m.contact_id for m in report.matched] == [tomas]
    assert events(session, tomas)[-1][:3] == ("withdraw", "import", "2026-11-12T06:00:00+00:00")
    assert tomas not in ConsentService(session).eligible_ids("email_marketing")


def test_a_file_does_not_undo_a_consent_given_since(session: Session) -> None:
    ImportService(session).run(SUBSCRIBED)
    tomas = by_email(session, "tomas.ortega@example.mx").id
    ConsentService(session).record(tomas, "email_marketing", True, "verbal")  # at the counter, after Oct 2
    report = ImportService(session).run(UNSUBSCRIBED)
    assert report.consent_conflicts == [
        (3, f"the file's withdrawal of email_marketing is not recorded: customer {tomas} consented again after it")
    ]
    assert tomas in ConsentService(session).eligible_ids("email_marketing")


def test_an_undated_yes_never_overrides_a_withdrawal(session: Session) -> None:
    ImportService(session).run(REEXPORT)  # José said no
    jose = by_email(session, "jose.nunez@example.es").id
    report = ImportService(session).run(SHOPIFY)  # an older file where he said yes: no date to tell
    assert [line for line, _reason in report.consent_conflicts] == [2]
    assert events(session, jose)[-1][0] == "withdraw" and jose not in ConsentService(session).eligible_ids(
        "email_marketing"
    )


def test_imported_verdicts() -> None:
    def at(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(tzinfo=UTC)

    grant, withdraw = ("grant", "2025-01-01T00:00:00+00:00"), ("withdraw", "2025-01-01T00:00:00+00:00")
    assert imported_verdict(None, False, None) == "record"  # a first "no": kept as the person's refusal
    assert imported_verdict(None, True, at("2019-01-01")) == "record"  # dated: expires from 2019
    assert imported_verdict(grant, True, None) == "known"
    assert imported_verdict(grant, True, at("2026-01-01")) == "record"  # a renewal the file dates
    assert imported_verdict(withdraw, True, None) == "conflict"
    assert imported_verdict(withdraw, True, at("2024-01-01")) == "conflict"
    assert imported_verdict(withdraw, True, at("2026-01-01")) == "record"  # subscribed again, later
    assert imported_verdict(grant, False, None) == "record"
    assert imported_verdict(grant, False, at("2024-01-01")) == "conflict"
    assert imported_verdict(withdraw, False, at("2026-01-01")) == "known"


def test_a_match_by_phone_alone_with_another_email_changes_nothing(session: Session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.crm.contacts import ContactInput, ContactPointInput

    existing = ContactService(session).create(
        ContactInput(
            display_name="Rosa Vidal",
            points=[ContactPointInput("email", "rosa@example.es"), ContactPointInput("phone", "+34612000111")],
        )
    )
    path = tmp_path / "customers.csv"
    path.write_text(
        "Name,Email,Phone,Address,Accepts Email Marketing\nRosa V.,r.vidal@example.com,+34612000111,Calle Luna 3,yes\n",
        encoding="utf-8",
    )
    report = ImportService(session).run(path)
    assert [(m.contact_id, m.by, m.held) for m in report.matched] == [(existing, "phone", True)]
    assert report.conflicts == [
        (
            2,
            f"customer {existing} has the same phone number but a different email "
            "address; nothing is changed for them, check by hand",
        )
    ]
    record = ContactService(session).get(existing)
    assert {p.kind for p in record.points} == {"email", "phone"} and events(session, existing) == []
    assert report.updated == 0 and report.consents_to_record == 0 and contacts(session) == 1
