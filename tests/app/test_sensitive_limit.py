"""CCPA "limit the use of my sensitive personal information": purposes marked sensitive leave such people out."""

from __future__ import annotations

from app.access.session import Session
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactService
from app.privacy.audience import audience_overview, export_audience
from app.privacy.requests import RequestService


def _people(session: Session) -> tuple[int, int]:
    contacts, consent = ContactService(session), ConsentService(session)
    ids = (
        contacts.create(ContactInput(given_name="Maria", family_name="Lopez")),
        contacts.create(ContactInput(given_name="James", family_name="Carter")),
    )
    for contact_id in ids:
        for key in ("sensitive_data", "profiling"):
            consent.record(contact_id, key, True, "verbal")
    return ids


def test_the_sensitive_purpose_is_marked_and_the_limit_takes_people_out(owner_session: Session) -> None:
    maria, james = _people(owner_session)
    consent = ConsentService(owner_session)
    assert [p.key for p in consent.purposes() if p.sensitive] == ["sensitive_data"]
    consent.set_flag(maria, "limit_sensitive", True, method="request")
    assert [row[0] for row in export_audience(owner_session, "sensitive_data")] == [james]
    assert audience_overview(owner_session, "sensitive_data").excluded["limited_sensitive"] == 1
    assert sorted(consent.eligible_ids("profiling")) == sorted([maria, james])  # not marked: unchanged
    state = next(s for s in consent.states(maria) if s.purpose.key == "sensitive_data")
    assert (state.granted, state.reason) == (False, "limited the use of sensitive information")
    # The owner marks profiling as using sensitive information too: Maria leaves that list as well.
    consent.set_purpose("profiling", lawful_basis="consent", expires_after_days=730, sensitive=True)
    assert consent.eligible_ids("profiling") == [james]
    consent.set_flag(maria, "limit_sensitive", False)
    assert sorted(consent.eligible_ids("sensitive_data")) == sorted([maria, james])


def test_completing_a_limit_request_enforces_it(owner_session: Session) -> None:
    maria, james = _people(owner_session)
    requests = RequestService(owner_session)
    request = requests.create("limit_sensitive", "ccpa", contact_id=maria)
    requests.verify_identity(request, "Replied from the email address we hold")
    requests.complete(request)
    assert ConsentService(owner_session).eligible_ids("sensitive_data") == [james]
