"""Objection to direct marketing (GDPR Art. 21): every marketing purpose withdrawn at once, the request named."""

from __future__ import annotations

from datetime import date

import pytest

from app.access.session import Session
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import InvalidInput
from app.privacy.audience import export_audience
from app.privacy.objection import MARKETING_PURPOSES, object_to_marketing
from app.privacy.requests import RequestService
from tests.conftest import OWNER, OWNER_PASSWORD


@pytest.fixture
def customer(owner_session: Session) -> int:
    """Someone on the email and SMS lists, and on the postal list by legitimate interests (the default)."""
    contact = ContactService(owner_session).create(
        ContactInput(
            given_name="Léa",
            family_name="Moreau",
            points=[
                ContactPointInput("email", "lea.moreau@example.fr"),
                ContactPointInput("address", "3 rue des Lilas, 69003 Lyon"),
            ],
        )
    )
    consent = ConsentService(owner_session)
    for key in ("email_marketing", "sms_marketing"):
        consent.record(contact, key, True, "verbal")
    consent.record(contact, "sale_sharing", True, "verbal")  # not marketing: an objection leaves it alone
    return contact


def _granted(session: Session, contact_id: int) -> dict[str, bool]:
    return {s.purpose.key: s.granted for s in ConsentService(session).states(contact_id)}


def test_an_objection_withdraws_every_marketing_purpose_and_only_those(owner_session: Session, customer: int) -> None:
    assert export_audience(owner_session, "postal_mail")[0][0] == customer  # legitimate interests: on the list
    withdrawn = object_to_marketing(owner_session, customer)
    assert withdrawn == list(MARKETING_PURPOSES)
    granted = _granted(owner_session, customer)
    assert not any(granted[key] for key in MARKETING_PURPOSES)
    assert granted["sale_sharing"] is True
    for key in MARKETING_PURPOSES:
        assert export_audience(owner_session, key) == [], key
    reasons = {s.purpose.key: s.reason for s in ConsentService(owner_session).states(customer)}
    assert reasons["postal_mail"].startswith("objected on ")
    events = [e for e in ConsentService(owner_session).history(customer) if e.action == "withdraw"]
    assert {e.source for e in events} == {"objection"} and len(events) == len(MARKETING_PURPOSES)
    assert object_to_marketing(owner_session, customer) == []  # already withdrawn everywhere: nothing new


def test_completing_an_objection_request_withdraws_with_the_request_as_source(
    owner_session: Session, customer: int
) -> None:
    requests = RequestService(owner_session)
    request = requests.create("objection", "gdpr", contact_id=customer, received=date(2026, 11, 20), channel="email")
    requests.verify_identity(request, "Replied from the email address we hold")
    requests.complete(request)
    events = [e for e in ConsentService(owner_session).history(customer) if e.action == "withdraw"]
    assert {(e.method, e.source) for e in events} == {("request", f"request {request}")}
    assert {e.purpose_key for e in events} == set(MARKETING_PURPOSES)
    summary = owner_session.conn.execute("SELECT summary FROM audit_event WHERE action = 'consent.objection'")
    assert str(summary.fetchone()[0]).endswith(f"request {request}")


def test_an_objection_for_nobody_is_refused(owner_session: Session) -> None:
    with pytest.raises(InvalidInput):
        object_to_marketing(owner_session, 999)


def test_an_objection_naming_no_request_or_another_persons_is_refused(owner_session: Session, customer: int) -> None:
    """Outside review: `object 6 --request 999` withdrew and recorded "request 999", a request nobody made."""
    other = ContactService(owner_session).create(ContactInput(given_name="Jonas", family_name="Weber"))
    theirs = RequestService(owner_session).create(
        "objection", "gdpr", contact_id=other, received=date(2026, 11, 20), channel="email"
    )
    with pytest.raises(InvalidInput, match="no request with number 999"):
        object_to_marketing(owner_session, customer, request_id=999)
    with pytest.raises(InvalidInput, match="about another customer"):
        object_to_marketing(owner_session, customer, request_id=theirs)
    assert _granted(owner_session, customer)["email_marketing"]  # nothing was withdrawn


def test_cli_object(owner_session: Session, customer: int, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = owner_session.vault.paths.database
    owner_session.lock()
    result = run_cli("object", path, customer, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert result.code == 0, result.err
    assert "email_marketing, sms_marketing, phone_calls, postal_mail, profiling" in result.out
    listed = run_cli(
        "consent-list",
        path,
        "--user",
        OWNER,
        "--purpose",
        "postal_mail",
        "--password-stdin",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert listed.code == 0 and listed.out == ""


def test_an_older_vault_gains_the_request_method_and_keeps_its_ledger(vault_path) -> None:  # type: ignore[no-untyped-def]
    from app.store import migrations
    from app.vault import kdf
    from app.vault.vault import Vault

    vault, _key = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=17)
    vault.db.execute(
        "INSERT INTO contact(id, display_name, sort_key, created_at, updated_at) "
        "VALUES (7, 'Léa Moreau', 'lea moreau', '2025-01-01', '2025-01-01')"
    )
    vault.db.execute(
        "INSERT INTO consent_event(contact_id, purpose_key, action, method, at) "
        "VALUES (7, 'email_marketing', 'grant', 'verbal', '2025-01-02T10:00:00+00:00')"
    )
    vault.close()
    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as upgraded:
        db = upgraded.db
        assert migrations.schema_version(db) == migrations.LATEST
        assert db.execute("SELECT method FROM consent_event").fetchall() == [("verbal",)]
        db.execute(
            "INSERT INTO consent_event(contact_id, purpose_key, action, method, source, at) "
            "VALUES (7, 'email_marketing', 'withdraw', 'request', 'request 1', '2025-02-01T10:00:00+00:00')"
        )
        with pytest.raises(Exception, match="CHECK constraint failed"):
            db.execute(
                "INSERT INTO consent_event(contact_id, purpose_key, action, method, at) "
                "VALUES (7, 'email_marketing', 'withdraw', 'carrier pigeon', '2025-02-01T10:00:00+00:00')"
            )
        assert db.execute("SELECT key FROM purpose WHERE sensitive = 1").fetchall() == [("sensitive_data",)]
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
