"""GDPR Art. 19: after a correction, erasure or restriction, the recipients the records of processing name."""

from __future__ import annotations

import json

import pytest

from app.access.session import Session
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.privacy.recipients import recipients_for, set_purpose_recipients
from app.privacy.requests import RequestService
from app.privacy.ropa import RopaService
from tests.conftest import OWNER, OWNER_PASSWORD


@pytest.fixture
def shop(owner_session: Session) -> Session:
    """The recipients as a shop types them: one line, commas; the mailing house only for email marketing."""
    RopaService(owner_session).set_fact(
        "ropa.recipients", "Stripe Payments Europe, Ltd (card payments); Kanzlei Weber (accountant)"
    )
    set_purpose_recipients(owner_session, "email_marketing", "Brevo (newsletter sending)\nKanzlei Weber (accountant)")
    set_purpose_recipients(owner_session, "sms_marketing", "Twilio (SMS)")
    return owner_session


def _person(session: Session, email_ok: bool) -> int:
    contact = ContactService(session).create(
        ContactInput(
            given_name="Jonas", family_name="Becker", points=[ContactPointInput("email", "jonas.becker@example.de")]
        )
    )
    if email_ok:
        ConsentService(session).record(contact, "email_marketing", True, "verbal")
    return contact


def test_recipients_follow_the_purposes_the_person_is_in(shop: Session) -> None:
    from app.privacy.recipients import _names

    assert _names("payment provider, accountant") == ["payment provider", "accountant"]
    subscriber, other = _person(shop, True), _person(shop, False)
    general = ["Stripe Payments Europe, Ltd (card payments)", "Kanzlei Weber (accountant)"]
    assert recipients_for(shop, subscriber) == [*general, "Brevo (newsletter sending)"]  # the accountant once
    assert recipients_for(shop, other) == general  # no SMS consent: Twilio never got their number


@pytest.mark.parametrize("kind", ["rectification", "erasure", "restriction"])
def test_completing_the_request_records_whom_to_tell(shop: Session, kind: str) -> None:
    subscriber = _person(shop, True)
    requests = RequestService(shop)
    request = requests.create(kind, "gdpr", contact_id=subscriber)
    requests.verify_identity(request, "Photo ID seen at the counter")
    requests.complete(request)
    # For an erasure the list is taken before the person is gone: their purposes are still known then.
    assert "Brevo (newsletter sending)" in (requests.get(request).recipients or [])
    audited = shop.conn.execute("SELECT summary FROM audit_event WHERE action = 'request.recipients'").fetchone()
    assert audited is not None and audited[0] == "3 recipients"


def test_an_access_request_lists_nobody_to_tell(shop: Session) -> None:
    requests = RequestService(shop)
    request = requests.create("access", "gdpr", contact_id=_person(shop, True))
    requests.verify_identity(request, "Photo ID seen at the counter")
    requests.complete(request)
    assert requests.get(request).recipients is None


def test_cli_shows_the_recipients_of_closed_requests(shop: Session, run_cli) -> None:  # type: ignore[no-untyped-def]
    subscriber = _person(shop, True)
    requests = RequestService(shop)
    request = requests.create("rectification", "gdpr", contact_id=subscriber)
    requests.verify_identity(request, "Photo ID seen at the counter")
    requests.complete(request)
    path = shop.vault.paths.database
    shop.lock()
    login = ("--user", OWNER, "--password-stdin")
    listed = json.loads(run_cli("requests", path, *login, "--all", "--json", stdin=OWNER_PASSWORD + "\n").out)
    assert listed[0]["recipients"][-1] == "Brevo (newsletter sending)" and listed[0]["status"] == "completed"
    text = run_cli("requests", path, *login, "--all", stdin=OWNER_PASSWORD + "\n").out
    assert "completed" in text and "tell: Stripe Payments Europe, Ltd (card payments); " in text
    assert run_cli("requests", path, *login, stdin=OWNER_PASSWORD + "\n").out == ""  # open ones only, as before
    restricted = run_cli(
        "restrict", path, subscriber, *login, "--reason", "Contests the address", stdin=OWNER_PASSWORD + "\n"
    )
    assert "Tell these recipients (GDPR Art. 19): Stripe Payments Europe, Ltd" in restricted.out
