"""Generated privacy notices (issue 20): composed from the vault, a new version when the records change, the
owner's extra text, and the Art. 14 tasks with their letters (read back with pypdf), through the service and the
CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.access.roles import Role
from app.access.session import Session, open_session
from app.access.shop import ShopService
from app.access.users import UserService
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.documents.consent_form import print_form
from app.documents.notice_letter import write_letters
from app.errors import InvalidInput, PermissionDenied
from app.privacy import notices
from app.privacy.retention import RetentionService
from app.privacy.ropa import RopaService
from app.store.seeds import notice_hash
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
STAFF, STAFF_PASSWORD = "Bea Staff", "bea-own-pass-1"


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(path).pages))


def _shop(session: Session) -> None:
    ShopService(session).update(
        name="Blumen Weber",
        address="Hauptstraße 1\n10115 Berlin",
        country="DE",
        privacy_contact="datenschutz@blumen-weber.de",
        dpo="Dr. Petra Klein",
    )


def _add_staff(vault: Path) -> None:
    """A staff member with their own password (one session at a time: the vault is locked to one window)."""
    owner = open_session(vault, OWNER, OWNER_PASSWORD)
    UserService(owner, kdf.CHEAP).add(STAFF, Role.STAFF, "temporary-1")
    owner.lock("logout")
    staff = open_session(vault, STAFF, "temporary-1")
    UserService(staff, kdf.CHEAP).change_own_password("temporary-1", STAFF_PASSWORD)
    staff.lock("logout")


def test_the_notice_says_who_what_why_how_long_and_to_whom(owner_session: Session) -> None:
    _shop(owner_session)
    RopaService(owner_session).set_fact("ropa.recipients", "Stripe Payments Europe; Steuerbüro Lange")
    RopaService(owner_session).set_fact("ropa.transfers", "None outside the EU.")
    title, body = notices.compose(owner_session, "en")
    assert title == "How we use your details"
    for expected in (
        "Blumen Weber, Hauptstraße 1, 10115 Berlin, is responsible",
        "datenschutz@blumen-weber.de",
        "Dr. Petra Klein",
        "Email marketing: Consent (GDPR Art. 6(1)(a))",
        "Leads (never bought) with no activity: deleted after 730 days",
        "• Stripe Payments Europe",
        "• Steuerbüro Lange",
        "None outside the EU.",
        "object to its use for direct marketing",
    ):
        assert expected in body
    assert "California" not in body and "PIPL" not in body  # a German shop: GDPR's wording only


def test_a_shop_without_a_name_yet_is_still_named_in_a_whole_sentence(owner_session: Session) -> None:
    """A kiosk showed "the shop is responsible for your personal data." under its heading before the owner
    had typed the shop's name: a sentence a customer reads, starting lower-case."""
    paragraphs = notices.compose(owner_session, "en")[1].split("\n\n")
    responsible = paragraphs[paragraphs.index("Who is responsible for your data") + 1]
    assert responsible == "This shop is responsible for your personal data."
    ShopService(owner_session).update(address="  Hauptstraße 1\n\n10115 Berlin ")
    paragraphs = notices.compose(owner_session, "en")[1].split("\n\n")
    responsible = paragraphs[paragraphs.index("Who is responsible for your data") + 1]
    assert responsible == "This shop, at Hauptstraße 1, 10115 Berlin, is responsible for your personal data."


def test_the_law_follows_the_shops_country(owner_session: Session) -> None:
    ShopService(owner_session).update(country="US")
    _title, body = notices.compose(owner_session, "en")
    assert "Notice at collection (California)" in body and "limit the use of your sensitive" in body
    assert "opt out of the sale or sharing" in body  # sale_sharing is one of the purposes
    ShopService(owner_session).update(country="CN")
    _title, body = notices.compose(owner_session, "en")
    assert "Your rights under PIPL" in body and "legitimate" not in body.lower()  # postal mail: consent in China


def test_a_new_dpo_or_retention_period_makes_a_new_version(owner_session: Session) -> None:
    _shop(owner_session)
    first = notices.current_or_new(owner_session, "de")
    assert first is not None and notices.current_or_new(owner_session, "de") == first  # nothing changed
    assert first.sha256 == notice_hash(*notices.compose(owner_session, "de"))
    ShopService(owner_session).update(dpo="Jonas Brandt")
    second = notices.current_or_new(owner_session, "de")
    assert second is not None and second.version == first.version + 1 and "Jonas Brandt" in second.body
    RetentionService(owner_session).set_policy("lead", 400, "delete")
    third = notices.current_or_new(owner_session, "de")
    assert third is not None and third.version == second.version + 1 and "400" in third.body
    assert ConsentService(owner_session).notice(first.id).body == first.body  # the old words are kept
    assert [
        r[0]
        for r in owner_session.conn.execute(
            "SELECT summary FROM audit_event WHERE action = 'notice.publish' ORDER BY id"
        )
    ][-2:] == [f"de v{second.version} (composed from the records)", f"de v{third.version} (composed from the records)"]


def test_the_paper_form_prints_the_generated_version(owner_session: Session, tmp_path: Path) -> None:
    _shop(owner_session)
    print_form(owner_session, tmp_path / "form.pdf", "en")
    current = ConsentService(owner_session).current_notice("en")
    assert current is not None and current.version == 2 and "Dr. Petra Klein" in current.body
    assert "Dr. Petra Klein" in _text(tmp_path / "form.pdf")


def test_extra_text_is_the_owners_and_a_refusal_is_audited(new_vault: tuple[Path, str]) -> None:
    vault = new_vault[0]
    _add_staff(vault)
    owner = open_session(vault, OWNER, OWNER_PASSWORD)
    published = notices.set_extra(owner, "en", "We also deliver flowers to hospitals.")
    assert published is not None and published.body.endswith("We also deliver flowers to hospitals.")
    assert notices.extra_text(owner, "en") == "We also deliver flowers to hospitals."
    with pytest.raises(InvalidInput):
        notices.set_extra(owner, "xx", "Hallo")
    ShopService(owner).update(dpo="Someone New")  # a change the owner has not looked at yet
    owner.lock("logout")
    staff = open_session(vault, STAFF, STAFF_PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            notices.set_extra(staff, "en", "Staff words")
        assert notices.extra_text(staff, "en") == "We also deliver flowers to hospitals."
        refusal = staff.conn.execute(
            "SELECT u.name, a.summary FROM audit_event a JOIN user u ON u.id = a.user_id "
            "WHERE a.action = 'access.refused' ORDER BY a.id DESC LIMIT 1"
        ).fetchone()
        assert tuple(refusal) == (STAFF, "manage_policies")
        # Staff at the kiosk show what the records say now: the new DPO is in a version composed and published
        # as they show it (audited as such), not in the owner's words, which stay the owner's.
        assert not notices.is_current(staff, "en")
        shown = notices.current_or_new(staff, "en")
        assert shown is not None and shown.version == published.version + 1 and "Someone New" in shown.body
        assert shown.body.endswith("We also deliver flowers to hospitals.") and notices.is_current(staff, "en")
        entry = staff.conn.execute(
            "SELECT u.name, a.summary FROM audit_event a JOIN user u ON u.id = a.user_id "
            "WHERE a.action = 'notice.publish' ORDER BY a.id DESC LIMIT 1"
        ).fetchone()
        assert tuple(entry) == (STAFF, f"en v{shown.version} (composed from the records)")
    finally:
        staff.vault.close()


def test_import_tasks_letters_and_done(owner_session: Session, tmp_path: Path) -> None:
    _shop(owner_session)
    contacts = ContactService(owner_session)
    anna = contacts.create(
        ContactInput(
            given_name="Anna",
            family_name="Schmidt",
            language="de",
            points=[ContactPointInput("address", "Lindenweg 4\n80331 München")],
        )
    )
    john = contacts.create(ContactInput(given_name="John", family_name="Ode", language="en"))
    assert notices.create_tasks(owner_session, [anna, john], "kunden.csv") == 2
    assert notices.create_tasks(owner_session, [anna], "again.csv") == 0  # one open task a person
    open_tasks = notices.tasks(owner_session)
    assert [(t.contact_id, t.source) for t in open_tasks] == [(anna, "kunden.csv"), (john, "kunden.csv")]
    assert open_tasks[0].due_at > open_tasks[0].created_at

    written = write_letters(owner_session, tmp_path / "letters")
    assert sorted(p.name for p in written) == [f"notice-letter-{anna:06d}.pdf", f"notice-letter-{john:06d}.pdf"]
    german = _text(tmp_path / "letters" / f"notice-letter-{anna:06d}.pdf")
    assert "Anna Schmidt" in german and "Lindenweg 4" in german and "kunden.csv" in german
    assert "Wie wir Ihre Angaben verwenden" in german and "Dr. Petra Klein" in german  # the German notice
    english = _text(tmp_path / "letters" / f"notice-letter-{john:06d}.pdf")
    assert "How we use your details" in english and "GDPR Article 14" in english
    assert (
        owner_session.conn.execute("SELECT summary FROM audit_event WHERE action = 'notice.letters'").fetchone()[0]
        == "2 letters"
    )

    notices.mark_done(owner_session, anna, "letter")
    with pytest.raises(InvalidInput, match="no open notice task"):
        notices.mark_done(owner_session, anna, "letter")
    with pytest.raises(InvalidInput):
        notices.mark_done(owner_session, john, "pigeon")
    assert [t.contact_id for t in notices.tasks(owner_session)] == [john] and notices.open_count(owner_session) == 1
    done = next(t for t in notices.tasks(owner_session, open_only=False) if t.contact_id == anna)
    assert done.method == "letter" and done.done_by == OWNER and done.done_at
    assert owner_session.conn.execute(
        "SELECT entity_id, summary FROM audit_event WHERE action = 'notice_task.done'"
    ).fetchone()[0] == str(anna)
    ContactService(owner_session).delete(john)  # the bin: an erased or deleted person has no task to do
    assert notices.open_count(owner_session) == 0


def test_cli_notice_commands(run_cli, new_vault: tuple[Path, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault = new_vault[0]
    login = (str(vault), "--user", OWNER, "--password-stdin")
    first = run_cli("notice", "show", *login, "--lang", "en", stdin=OWNER_PASSWORD + "\n")
    assert first.code == 0 and "How we use your details" in first.out
    version = re.search(r"version (\d+), sha256 ([0-9a-f]{64})", first.out)
    assert version is not None
    extra = run_cli("notice", "extra", *login, "--lang", "en", "--text", "Ask for Maria.", stdin=OWNER_PASSWORD + "\n")
    assert extra.code == 0 and f"version {int(version.group(1)) + 1}," in extra.out
    again = run_cli("notice", "show", *login, "--lang", "en", stdin=OWNER_PASSWORD + "\n")
    assert again.out.rstrip().endswith("Ask for Maria.")
    assert run_cli("notice", "extra", *login, "--lang", "xx", "--text", "x", stdin=OWNER_PASSWORD + "\n").code == 5
    assert run_cli("notice", "bogus", *login, stdin=OWNER_PASSWORD + "\n").code == 2

    imported = run_cli("import", *login, str(FIXTURES / "google_contacts.csv"), stdin=OWNER_PASSWORD + "\n")
    assert imported.code == 0
    listed = run_cli("notice", "tasks", *login, "--json", stdin=OWNER_PASSWORD + "\n")
    rows = json.loads(listed.out)
    assert len(rows) == 4 and {r["source"] for r in rows} == {"google_contacts.csv"}
    letters = run_cli(
        "notice", "letters", *login, "--out", str(tmp_path / "out"), "--lang", "en", stdin=OWNER_PASSWORD + "\n"
    )
    assert letters.code == 0 and len(list((tmp_path / "out").glob("*.pdf"))) == 4
    first_id = rows[0]["contact"]
    done = run_cli(
        "notice", "done", *login, "--contact", str(first_id), "--method", "in_person", stdin=OWNER_PASSWORD + "\n"
    )
    assert done.code == 0 and "in person" in done.out
    assert run_cli("notice", "done", *login, "--contact", str(first_id), stdin=OWNER_PASSWORD + "\n").code == 5
    assert len(json.loads(run_cli("notice", "tasks", *login, "--json", stdin=OWNER_PASSWORD + "\n").out)) == 3

    _add_staff(vault)
    staff_login = (str(vault), "--user", STAFF, "--password-stdin")
    refused = run_cli("notice", "extra", *staff_login, "--lang", "en", "--text", "x", stdin=STAFF_PASSWORD + "\n")
    assert refused.code == 4


def test_people_imported_before_the_tasks_existed_are_owed_the_notice_too(vault_path: Path) -> None:
    """A vault from schema 19 with an imported Shopify customer, one whose file stated a consent, and one typed
    in at the counter: the first two get a task when the vault opens in this version."""
    from app.vault.vault import Vault

    old, _key = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=19)
    with old:
        db = old.db
        db.executemany(
            "INSERT INTO contact(id, display_name, sort_key, created_at, updated_at) "
            "VALUES (?, ?, ?, '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')",
            [(1, "Ana Shopify", "ana shopify"), (2, "Bo Mailchimp", "bo mailchimp"), (3, "Cy Counter", "cy counter")],
        )
        db.execute("INSERT INTO contact_source(source_kind, source_id, contact_id) VALUES ('shopify', '7001', 1)")
        db.execute(
            "INSERT INTO consent_event(contact_id, purpose_key, action, method, source, at) VALUES "
            "(2, 'email_marketing', 'grant', 'import', 'members.csv line 2', '2023-05-01T10:00:00+00:00')"
        )
        db.commit()
    session = open_session(vault_path, OWNER, OWNER_PASSWORD)
    try:
        owed = {(task.contact_id, task.source) for task in notices.tasks(session)}
        assert owed == {(1, "shopify"), (2, "import")}
    finally:
        session.vault.close()
