"""Privacy health: each open duty is a line naming where it is fixed; a line goes once the duty is done."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.access import settings
from app.access.session import Session, open_session
from app.consent.jurisdiction import anyone_under_pipl
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.privacy.dpia import DpiaService
from app.privacy.health import health
from app.privacy.requests import RequestService
from app.privacy.review import ITEMS, ReviewService
from app.privacy.ropa import RopaService
from app.privacy.training import TrainingService
from tests.app.test_training import STAFF, STAFF_PASSWORD, add_staff
from tests.conftest import OWNER, OWNER_PASSWORD


def _keys(session: Session, now: datetime | None = None) -> dict[str, tuple[str, str, int]]:
    return {line.key: (line.text, line.place, line.count) for line in health(session, now)}


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _fix_paperwork(session: Session) -> None:
    """What a new vault lacks on paper: the record's facts and an assessment."""
    ropa = RopaService(session)
    for key, value in (
        ("shop.name", "Sonne"),
        ("shop.address", "Hauptstraße 5, Berlin"),
        ("shop.contact", "privacy@sonne.example"),
        ("ropa.recipients", "Accountant"),
        ("ropa.transfers", "None"),
    ):
        ropa.set_fact(key, value)
    DpiaService(session).save({"risks": "A leak", "measures": "Encryption"}, "en")


def test_a_new_vault_lists_its_paperwork_and_the_owners_training(owner_session: Session) -> None:
    lines = _keys(owner_session)
    assert set(lines) == {"ropa_gaps", "dpia_missing", "training_due", "drill_due"}
    assert lines["ropa_gaps"] == (
        "The record of processing is missing: Shop name, Address, Contact for privacy "
        "questions, Recipients of personal data (e.g. payment provider, accountant), "
        "Transfers to other countries and their safeguards.",
        "shop",
        5,
    )
    assert lines["training_due"] == ("1 user has not read this year's privacy lesson: Ana Owner.", "training_status", 1)
    assert lines["drill_due"][1] == "backups" and lines["dpia_missing"][1] == "dpia"


def test_each_duty_done_takes_its_line_away(owner_session: Session, tmp_path: Path) -> None:
    _fix_paperwork(owner_session)
    TrainingService(owner_session).acknowledge()
    backups = tmp_path / "backups"
    backups.mkdir()
    settings.set_backup_folder(owner_session, backups)
    settings.record_drill(owner_session, "backup-1", {"contact": 0})
    assert health(owner_session) == []


def test_expired_consents_overdue_requests_and_a_sweep_due(owner_session: Session) -> None:
    _fix_paperwork(owner_session)
    TrainingService(owner_session).acknowledge()
    settings.record_drill(owner_session, "backup-1", {"contact": 0})
    contacts = ContactService(owner_session)
    ids = [contacts.create(ContactInput(given_name=name, family_name="Weber")) for name in ("Jana", "Tom", "Lea")]
    consent = ConsentService(owner_session)
    long_ago = datetime.now(UTC) - timedelta(days=800)  # email marketing consent lasts 730 days
    for contact_id in ids:
        consent.record(contact_id, "email_marketing", True, "verbal", at=long_ago if contact_id != ids[2] else None)
    request_id = RequestService(owner_session).create("access", "gdpr", contact_id=ids[2], channel="email")
    owner_session.conn.execute(
        "UPDATE subject_request SET received_at = ?, due_at = ? WHERE id = ?",
        (_stamp(long_ago), (datetime.now(UTC) - timedelta(days=3)).date().isoformat(), request_id),
    )
    contacts.delete(ids[2])
    owner_session.conn.execute("UPDATE contact SET deleted_at = ? WHERE id = ?", (_stamp(long_ago), ids[2]))
    lines = _keys(owner_session)
    assert lines["consent_expired:email_marketing"] == (
        "2 people's consent to Email marketing has expired: ask again before contacting them.",
        "lists",
        2,
    )
    assert lines["requests_overdue"] == ("1 privacy request is past its deadline.", "requests", 1)
    assert lines["sweep_due"][1] == "retention"
    assert list(lines)[0] == "requests_overdue", "deadlines first"


def test_legitimate_interests_is_flagged_only_when_someone_is_under_pipl(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    contacts.create(ContactInput(given_name="Anna", points=[ContactPointInput("phone", "+49 30 1234567")]))
    assert not anyone_under_pipl(owner_session.conn)
    assert not any(key.startswith("pipl_basis") for key in _keys(owner_session))
    contacts.create(
        ContactInput(given_name="伟", family_name="王", points=[ContactPointInput("phone", "+86 138 0013 8000")])
    )
    assert anyone_under_pipl(owner_session.conn)
    text, place, _count = _keys(owner_session)["pipl_basis:postal_mail"]
    assert (
        text
        == (
            "Postal mail relies on legitimate interests, which PIPL does not recognise, and some people "
            "here are under PIPL: choose consent or another basis."
        )
        and place == "consent"
    )
    ConsentService(owner_session).set_purpose("postal_mail", lawful_basis="consent", expires_after_days=None)
    assert not any(key.startswith("pipl_basis") for key in _keys(owner_session))


def test_a_shop_in_china_is_under_pipl_with_its_first_customer(owner_session: Session) -> None:
    from app.access.shop import ShopService

    ShopService(owner_session).update(country="CN")
    assert not anyone_under_pipl(owner_session.conn)  # nobody to cover yet
    ContactService(owner_session).create(ContactInput(given_name="Anna"))
    assert anyone_under_pipl(owner_session.conn) and "pipl_basis:postal_mail" in _keys(owner_session)


def test_the_yearly_review_line_comes_a_year_after_the_last(owner_session: Session) -> None:
    year_on = datetime.now(UTC) + timedelta(days=370)
    assert "review_due" in _keys(owner_session, year_on) and "review_due" not in _keys(owner_session)
    ReviewService(owner_session).record(list(ITEMS), now=year_on)
    assert "review_due" not in _keys(owner_session, year_on)


def test_staff_see_only_their_own_training(new_vault: tuple[Path, str]) -> None:
    add_staff(new_vault[0])
    staff = open_session(new_vault[0], STAFF, STAFF_PASSWORD)
    try:
        assert [(line.key, line.place, line.text) for line in health(staff)] == [
            ("training_due", "training", "Your privacy lesson is due: read it and confirm.")
        ]
        TrainingService(staff).acknowledge()
        assert health(staff) == []
    finally:
        staff.vault.close()


def test_cli_health_lines_and_json(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    listed = run_cli("health", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert listed.code == 0, listed.err
    assert "training_due: 1 user has not read this year's privacy lesson: Ana Owner." in listed.out.splitlines()
    as_json = run_cli("health", path, "--user", OWNER, "--json", "--password-stdin", stdin=login)
    lines = json.loads(as_json.out)
    assert {line["key"]: line["place"] for line in lines}["ropa_gaps"] == "shop"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    try:
        _fix_paperwork(session)
        TrainingService(session).acknowledge()
        settings.record_drill(session, "backup-1", {})
    finally:
        session.vault.close()
    clean = run_cli("health", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert clean.out.strip() == "Nothing needs attention."
