"""The breach register: the 72-hour clock, choosing the affected people, permissions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.access.users import UserService
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactService
from app.errors import InvalidInput, PermissionDenied
from app.privacy import erasure
from app.privacy.breach import BreachService
from tests.conftest import OWNER, OWNER_PASSWORD

DISCOVERED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_deadline_math() -> None:
    from app.privacy.breach import AUTHORITY_DEADLINE, Breach

    breach = Breach(1, DISCOVERED, None, "Laptop stolen", [], [], 0, "", "", True, None, None, None, None, "open", 0)
    assert timedelta(hours=72) == AUTHORITY_DEADLINE
    assert breach.authority_deadline == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert breach.hours_left(DISCOVERED + timedelta(hours=10)) == pytest.approx(62)
    assert not breach.authority_overdue(DISCOVERED + timedelta(hours=71, minutes=59))
    assert breach.authority_overdue(DISCOVERED + timedelta(hours=72, minutes=1))
    assert breach.people_must_be_told


def test_late_notification_needs_a_reason(owner_session: Session) -> None:
    breaches = BreachService(owner_session)
    breach_id = breaches.record(discovered_at=DISCOVERED, nature="Backup drive lost", data_categories=["contact"])
    with pytest.raises(InvalidInput, match="delay"):
        breaches.authority_notified(breach_id, "ICO-123", at=DISCOVERED + timedelta(hours=80))
    breaches.authority_notified(
        breach_id, "ICO-123", at=DISCOVERED + timedelta(hours=80), delay_reason="Found only on the weekend"
    )
    assert breaches.get(breach_id).authority_reference == "ICO-123"
    on_time = breaches.record(discovered_at=DISCOVERED, nature="Email sent to the wrong list")
    breaches.authority_notified(on_time, "CNIL-9", at=DISCOVERED + timedelta(hours=5))
    assert breaches.get(on_time).delay_reason is None


def test_select_affected_by_query(owner_session: Session) -> None:
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    subscribed = contacts.create(ContactInput(given_name="Sub", family_name="Scriber", tags=["newsletter"]))
    other = contacts.create(ContactInput(given_name="Not", family_name="Subscribed"))
    consent.record(subscribed, "email_marketing", True, "verbal")
    breaches = BreachService(owner_session)
    breach_id = breaches.record(discovered_at=DISCOVERED, nature="Newsletter list exposed", high_risk=True)
    with pytest.raises(InvalidInput, match="Choose who"):
        breaches.select_affected(breach_id)
    assert breaches.select_affected(breach_id, purpose="email_marketing") == 1
    assert breaches.affected_ids(breach_id) == [subscribed]
    assert breaches.select_affected(breach_id, tag="Newsletter") == 1
    assert breaches.select_affected(breach_id, everyone=True) == 2
    assert breaches.get(breach_id).approx_affected >= 2
    erasure.erase(owner_session, other)  # erased people leave the list too
    assert breaches.affected_ids(breach_id) == [subscribed]
    actions = {r[0] for r in owner_session.conn.execute("SELECT action FROM audit_event")}
    assert {"breach.record", "breach.select"} <= actions


def test_only_owner_and_manager(owner_session: Session) -> None:
    UserService(owner_session).add("Sam", "staff", "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock()
    staff = open_session(path, "Sam", "temporary-1")
    UserService(staff).change_own_password("temporary-1", "sams-password")
    with pytest.raises(PermissionDenied):
        BreachService(staff).record(discovered_at=DISCOVERED, nature="x")
    staff.vault.close()


def test_cli_breach_add_list_select_notified(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    ContactService(session).create(ContactInput(given_name="Ana", family_name="Lima"))
    session.lock()
    added = run_cli(
        "breach",
        "add",
        path,
        "--user",
        OWNER,
        "--discovered",
        datetime.now(UTC).isoformat(),
        "--nature",
        "Till computer stolen",
        "--data-categories",
        "contact,purchases",
        "--high-risk",
        "--password-stdin",
        stdin=login,
    )
    assert added.code == 0 and "72 hours" in added.out, added.err
    listed = json.loads(run_cli("breach", "list", path, "--user", OWNER, "--json", "--password-stdin", stdin=login).out)
    assert listed[0]["hours_left"] == pytest.approx(72, abs=0.2) and not listed[0]["authority_overdue"]
    selected = run_cli(
        "breach", "select", path, "--user", OWNER, "--id", "1", "--everyone", "--password-stdin", stdin=login
    )
    assert selected.code == 0 and "1 people" in selected.out
    told = run_cli(
        "breach",
        "notified",
        path,
        "--user",
        OWNER,
        "--id",
        "1",
        "--authority",
        "REF-1",
        "--people",
        "--password-stdin",
        stdin=login,
    )
    assert told.code == 0
    after = json.loads(run_cli("breach", "list", path, "--user", OWNER, "--json", "--password-stdin", stdin=login).out)
    assert after[0]["authority_notified_at"] and after[0]["people_notified_at"]
    bad = run_cli(
        "breach",
        "add",
        path,
        "--user",
        OWNER,
        "--discovered",
        "yesterday",
        "--nature",
        "x",
        "--password-stdin",
        stdin=login,
    )
    assert bad.code == 5


def test_cli_letters_report_and_ropa(new_vault: tuple[Path, str], tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    from app.privacy.ropa import RopaService

    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    ContactService(session).create(ContactInput(given_name="Ana", family_name="Lima", language="de"))
    RopaService(session).set_fact("shop.contact", "privacy@flowers.example")
    breaches = BreachService(session)
    breach_id = breaches.record(discovered_at=DISCOVERED, nature="Till computer stolen", high_risk=True)
    breaches.select_affected(breach_id, everyone=True)
    session.lock()
    letters = run_cli(
        "breach",
        "letters",
        path,
        "--user",
        OWNER,
        "--id",
        breach_id,
        "--out",
        tmp_path / "letters",
        "--password-stdin",
        stdin=login,
    )
    assert letters.code == 0 and "1 letters" in letters.out, letters.err
    (letter,) = (tmp_path / "letters").iterdir()
    assert "Ana" not in letter.name and "Ana Lima" in PdfReader(letter).pages[0].extract_text()
    report = run_cli(
        "breach",
        "report",
        path,
        "--user",
        OWNER,
        "--id",
        breach_id,
        "--out",
        tmp_path / "r.pdf",
        "--password-stdin",
        stdin=login,
    )
    assert report.code == 0 and "Till computer stolen" in PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
    ropa = run_cli("ropa", path, "--user", OWNER, "--out", tmp_path / "ropa.pdf", "--password-stdin", stdin=login)
    assert ropa.code == 0, ropa.err
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "ropa.pdf").pages)
    assert "Email marketing" in text and "AES-256" in text
