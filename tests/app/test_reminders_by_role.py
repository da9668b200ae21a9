"""Which reminders a role sees at unlock is decided in app/privacy/reminders.py, not by the window: each role
sees only what it can act on. Real vault, real users of each role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.access.roles import Role
from app.access.session import open_session
from app.access.users import UserService
from app.privacy.reminders import Place, Reminder, reminders_for, requests_reminder
from app.privacy.requests import RequestService
from app.privacy.review import ReviewService
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD

NOW = datetime.now(UTC)


def _reminders(path: Path, name: str, password: str) -> list[Reminder]:
    session = open_session(path, name, password)
    if session.user.must_change_password:  # the window asks for their own password before any reminder
        UserService(session, kdf.CHEAP).change_own_password(password, "their-own-pass-9")
    try:
        return reminders_for(session, NOW)
    finally:
        session.vault.close()


def test_each_role_sees_the_reminders_it_can_act_on(new_vault: tuple[Path, str]) -> None:
    path = new_vault[0]
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    users = UserService(owner, kdf.CHEAP)
    for name, role in (("Max Manager", Role.MANAGER), ("Bea Staff", Role.STAFF), ("Ida Auditor", Role.AUDITOR)):
        users.add(name, role, "temporary-1")
    RequestService(owner).create("access", "gdpr", requester="Lena Fischer", received=NOW.date() - timedelta(days=40))
    review_due = ReviewService(owner).due(NOW.date())
    owner.vault.close()

    seen = {
        name: _reminders(path, name, password)
        for name, password in (
            (OWNER, OWNER_PASSWORD),
            ("Max Manager", "temporary-1"),
            ("Bea Staff", "temporary-1"),
            ("Ida Auditor", "temporary-1"),
        )
    }
    places = {name: [r.place for r in found] for name, found in seen.items()}

    for handler in (OWNER, "Max Manager"):  # they answer requests: the overdue one is named, with its place
        request = next(r for r in seen[handler] if r.place is Place.REQUESTS)
        assert request.text == "1 privacy request is overdue. See Privacy › Requests."
    for bystander in ("Bea Staff", "Ida Auditor"):  # an overdue request exists, but they cannot act on it
        assert Place.REQUESTS not in places[bystander] and Place.REVIEW not in places[bystander]
        assert Place.RETENTION not in places[bystander] and Place.SECURITY not in places[bystander]
    assert all(Place.TRAINING in found for found in places.values())  # everyone's own lesson, first sign-in
    assert (Place.REVIEW in places[OWNER]) == review_due == (Place.REVIEW in places["Max Manager"])
    assert places[OWNER].index(Place.REQUESTS) < places[OWNER].index(Place.TRAINING)  # the window's order


def test_the_request_reminder_counts_overdue_and_soon(owner_session) -> None:  # type: ignore[no-untyped-def]
    today = NOW.date()
    service = RequestService(owner_session)
    assert requests_reminder(owner_session, today) is None
    service.create("erasure", "uk_gdpr", requester="Owen Price", received=today - timedelta(days=27))
    assert requests_reminder(owner_session, today) == "1 privacy request is due within 7 days. See Privacy › Requests."
    service.create("access", "gdpr", requester="Lena Fischer", received=today - timedelta(days=40))
    assert requests_reminder(owner_session, today) == (
        "1 privacy request is overdue; 1 is due within 7 days. See Privacy › Requests."
    )
    assert requests_reminder(owner_session, today - timedelta(days=60)) is None  # nothing due back then
