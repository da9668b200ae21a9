"""PIPL has no "legitimate interests"; a child's consent is the parent's (PIPL under 14, GDPR Art. 8 by country)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.access.session import Session, open_session
from app.access.shop import ShopService
from app.consent.jurisdiction import (
    GDPR_CONSENT_AGE,
    PIPL_BASES,
    age_on,
    bases_for,
    consent_age,
    law_of,
    needs_parent,
    set_birth_date,
)
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import InvalidInput
from app.privacy.audience import export_audience
from tests.conftest import OWNER, OWNER_PASSWORD

TODAY = datetime.now(UTC).date()


def _person(session: Session, given: str, family: str, phone: str) -> int:
    return ContactService(session).create(
        ContactInput(given_name=given, family_name=family, points=[ContactPointInput("phone", phone)])
    )


def _years_ago(years: int, days: int = 0) -> date:
    day = (
        TODAY.replace(year=TODAY.year - years)
        if not (TODAY.month == 2 and TODAY.day == 29)
        else date(TODAY.year - years, 2, 28)
    )
    return date.fromordinal(day.toordinal() + days)


def test_pipl_offers_no_legitimate_interests() -> None:
    assert law_of("CN") == "pipl" and law_of("de") == "gdpr" and law_of("GB") == "uk_gdpr" and law_of("US") == "ccpa"
    assert "legitimate_interests" not in bases_for("pipl") and "legitimate_interests" in bases_for("gdpr")
    assert set(PIPL_BASES) < set(bases_for("gdpr"))
    assert all(13 <= age <= 16 for age in GDPR_CONSENT_AGE.values())
    assert (GDPR_CONSENT_AGE["DE"], GDPR_CONSENT_AGE["FR"], GDPR_CONSENT_AGE["ES"], GDPR_CONSENT_AGE["DK"]) == (
        16,
        15,
        14,
        13,
    )


def test_a_shop_in_china_cannot_choose_legitimate_interests_and_postal_mail_needs_consent(
    owner_session: Session,
) -> None:
    ShopService(owner_session).update(country="CN")
    consent = ConsentService(owner_session)
    with pytest.raises(InvalidInput, match="not a lawful basis under PIPL"):
        consent.set_purpose("postal_mail", lawful_basis="legitimate_interests", expires_after_days=None)
    wang = _person(owner_session, "芳", "王", "+86 139 1234 5678")
    assert export_audience(owner_session, "postal_mail") == []  # the stored default no longer counts
    state = next(s for s in consent.states(wang) if s.purpose.key == "postal_mail")
    assert (state.granted, state.reason) == (False, "never asked")
    consent.record(wang, "postal_mail", True, "verbal")
    assert [row[0] for row in export_audience(owner_session, "postal_mail")] == [wang]
    consent.set_purpose("postal_mail", lawful_basis="consent", expires_after_days=None)  # a PIPL basis: fine


def test_in_a_german_shop_a_customer_with_a_chinese_number_is_asked_for_postal_mail(owner_session: Session) -> None:
    ShopService(owner_session).update(country="DE")
    wang = _person(owner_session, "Wei", "Zhang", "+86 139 1234 5678")
    anna = _person(owner_session, "Anna", "Schulz", "+49 30 1234567")
    assert [row[0] for row in export_audience(owner_session, "postal_mail")] == [anna]
    states = {
        c: next(s for s in ConsentService(owner_session).states(c) if s.purpose.key == "postal_mail")
        for c in (wang, anna)
    }
    assert states[wang].granted is False and states[anna].granted is True
    ConsentService(owner_session).record(wang, "postal_mail", True, "verbal")
    assert sorted(row[0] for row in export_audience(owner_session, "postal_mail")) == sorted([wang, anna])


def test_a_childs_consent_is_given_by_a_parent(owner_session: Session) -> None:
    ShopService(owner_session).update(country="DE")  # Germany: 16 (BDSG keeps GDPR Art. 8's default)
    consent = ConsentService(owner_session)
    mia = _person(owner_session, "Mia", "Schulz", "+49 30 7654321")
    assert needs_parent(owner_session.conn, mia, TODAY) is None  # no birthday known: nothing to check
    set_birth_date(owner_session, mia, _years_ago(15))
    assert needs_parent(owner_session.conn, mia, TODAY) == 16
    with pytest.raises(InvalidInput, match="under 16: a parent or guardian"):
        consent.record(mia, "email_marketing", True, "verbal")
    consent.record(mia, "email_marketing", False, "verbal")  # a withdrawal is always the child's to make
    with pytest.raises(InvalidInput):
        consent.record(mia, "email_marketing", True, "verbal", guardian=("Julia Schulz", " "))
    consent.record(mia, "email_marketing", True, "verbal", guardian=("Julia Schulz", "mother"))
    latest = consent.history(mia)[-1]
    assert (latest.guardian_name, latest.guardian_relation) == ("Julia Schulz", "mother")
    set_birth_date(owner_session, mia, _years_ago(16))  # sixteen today: her own consent
    assert needs_parent(owner_session.conn, mia, TODAY) is None
    consent.record(mia, "sms_marketing", True, "verbal")


def test_pipl_sets_14_for_its_people_whatever_the_shop(owner_session: Session) -> None:
    ShopService(owner_session).update(country="FR")  # France: 15
    li = _person(owner_session, "Li", "Chen", "+86 139 1111 2222")
    lucie = _person(owner_session, "Lucie", "Martin", "+33 6 12 34 56 78")
    assert consent_age(owner_session.conn, li) == 14 and consent_age(owner_session.conn, lucie) == 15
    for contact_id in (li, lucie):
        set_birth_date(owner_session, contact_id, _years_ago(14, days=-1))  # 14 and a day
    assert needs_parent(owner_session.conn, li, TODAY) is None and needs_parent(owner_session.conn, lucie, TODAY) == 15
    assert age_on(date(2012, 3, 1), date(2026, 2, 28)) == 13


def test_birthdays_are_checked_and_audited(owner_session: Session) -> None:
    mia = _person(owner_session, "Mia", "Schulz", "+49 30 7654321")
    with pytest.raises(InvalidInput):
        set_birth_date(owner_session, mia, date(TODAY.year + 1, 1, 1))
    set_birth_date(owner_session, mia, date(2012, 5, 4))
    assert (
        owner_session.conn.execute("SELECT summary FROM audit_event WHERE action = 'contact.birth_date'").fetchone()[0]
        == "set"
    )


def test_cli_consent_for_a_child_names_the_parent(owner_session: Session, run_cli) -> None:  # type: ignore[no-untyped-def]
    ShopService(owner_session).update(country="ES")  # Spain: 14
    pablo = _person(owner_session, "Pablo", "García", "+34 612 345 678")
    path = owner_session.vault.paths.database
    owner_session.lock()
    login = ("--user", OWNER, "--password-stdin")
    born = _years_ago(12).isoformat()
    refused = run_cli(
        "consent",
        path,
        *login,
        "--contact",
        pablo,
        "--purpose",
        "email_marketing",
        "--grant",
        "--method",
        "verbal",
        "--born",
        born,
        stdin=OWNER_PASSWORD + "\n",
    )
    assert refused.code == 5 and "under 14" in refused.err
    look = open_session(path, OWNER, OWNER_PASSWORD)  # a refused command changes nothing, not even the birthday
    assert look.conn.execute("SELECT birth_date FROM contact WHERE id = ?", (pablo,)).fetchone()[0] is None
    look.lock("logout")
    half = run_cli(
        "consent",
        path,
        *login,
        "--contact",
        pablo,
        "--purpose",
        "email_marketing",
        "--grant",
        "--method",
        "verbal",
        "--parent",
        "Carmen García",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert half.code == 5 and "--relation" in half.err
    done = run_cli(
        "consent",
        path,
        *login,
        "--contact",
        pablo,
        "--purpose",
        "email_marketing",
        "--grant",
        "--method",
        "verbal",
        "--parent",
        "Carmen García",
        "--relation",
        "madre",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert done.code == 0, done.err
    assert "granted on" in done.out


def test_one_rule_says_who_is_under_pipl_for_the_ledger_the_lists_and_the_health_page(owner_session: Session) -> None:
    """A German shop: a customer whose second number is Chinese is under PIPL for her bases (the kiosk and the
    consent dialog), for the postal mailing list, and on the health page; in a Chinese shop everyone is."""
    from app.consent.jurisdiction import anyone_under_pipl, bases_for, person_law
    from app.privacy.audience import export_audience as audience
    from app.privacy.health import health

    ShopService(owner_session).update(country="DE")
    contacts = ContactService(owner_session)
    mei = contacts.create(
        ContactInput(
            given_name="Mei",
            family_name="Lin",
            points=[ContactPointInput("phone", "+49 30 1234567"), ContactPointInput("phone", "+86 138 0013 8000")],
        )
    )
    hans = contacts.create(ContactInput(given_name="Hans", points=[ContactPointInput("phone", "+49 30 7654321")]))
    assert person_law(owner_session.conn, mei) == "pipl" and person_law(owner_session.conn, hans) == "gdpr"
    assert "legitimate_interests" not in bases_for(person_law(owner_session.conn, mei))  # what the dialogs offer
    assert [row[0] for row in audience(owner_session, "postal_mail")] == [hans]  # Mei is asked first
    assert anyone_under_pipl(owner_session.conn)
    assert any(line.key == "pipl_basis:postal_mail" for line in health(owner_session))
    ShopService(owner_session).update(country="CN")
    assert person_law(owner_session.conn, hans) == "pipl"
    assert audience(owner_session, "postal_mail") == []
