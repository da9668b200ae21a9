"""The yearly privacy review: owners and managers record it with the items ticked and a note; due 12 months on."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.access.roles import Role
from app.access.session import Session, open_session
from app.errors import InvalidInput, PermissionDenied
from app.privacy.requests import add_months
from app.privacy.review import ITEMS, ReviewService
from tests.app.test_training import STAFF, STAFF_PASSWORD, add_staff
from tests.conftest import OWNER, OWNER_PASSWORD

MANAGER = "Mia Manager"


def test_the_checklist_has_the_six_duties() -> None:
    assert list(ITEMS) == ["notice", "ropa", "users", "retention", "drill", "training"]


def test_a_new_vault_is_due_a_year_after_it_was_made(owner_session: Session) -> None:
    created = owner_session.conn.execute("SELECT value FROM vault_meta WHERE key = 'created_at'").fetchone()[0]
    service = ReviewService(owner_session)
    assert service.due_on() == add_months(datetime.fromisoformat(created).date(), 12)
    assert not service.due() and service.due(service.due_on())


def test_a_review_is_recorded_with_who_items_and_note_and_moves_the_due_date(owner_session: Session) -> None:
    service = ReviewService(owner_session)
    at = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    review_id = service.record(["training", "notice", "ropa"], "  Drill postponed: no USB stick.  ", now=at)
    [review] = service.reviews()
    assert (review.id, review.by, review.at) == (review_id, OWNER, "2026-01-31T09:30:00+00:00")
    assert review.items == ["notice", "ropa", "training"]  # in the checklist's order
    assert review.note == "Drill postponed: no USB stick."
    assert service.due_on() == date(2027, 1, 31)
    stored = owner_session.conn.execute("SELECT items FROM privacy_review").fetchone()[0]
    assert json.loads(stored) == ["notice", "ropa", "training"]
    audit = owner_session.conn.execute("SELECT entity_id, summary FROM audit_event WHERE action = 'review.record'")
    assert audit.fetchall() == [(str(review_id), "3 of 6 items")]


def test_an_empty_review_or_an_unknown_item_is_refused(owner_session: Session) -> None:
    service = ReviewService(owner_session)
    with pytest.raises(InvalidInput, match="Tick what you checked"):
        service.record([], "   ")
    with pytest.raises(InvalidInput, match="Unknown review item backups"):
        service.record(["backups"])
    assert service.reviews() == []
    assert service.record([], "Nothing could be checked: the owner was ill.") > 0  # a reason is a record


def test_managers_may_record_staff_may_not(new_vault: tuple[Path, str]) -> None:
    add_staff(new_vault[0])
    add_staff(new_vault[0], MANAGER, Role.MANAGER)
    staff = open_session(new_vault[0], STAFF, STAFF_PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            ReviewService(staff).record(list(ITEMS))
    finally:
        staff.vault.close()
    manager = open_session(new_vault[0], MANAGER, STAFF_PASSWORD)
    try:
        ReviewService(manager).record(list(ITEMS), "All fine.")
        assert [r.by for r in ReviewService(manager).reviews()] == [MANAGER]
    finally:
        manager.vault.close()


def test_cli_review_record_and_status(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    recorded = run_cli(
        "review",
        "record",
        path,
        "--user",
        OWNER,
        "--item",
        "notice,ropa",
        "--item",
        "users",
        "--note",
        "Restore drill next week",
        "--password-stdin",
        stdin=login,
    )
    assert recorded.code == 0, recorded.err
    assert recorded.out.strip() == "Recorded privacy review no. 1."
    status = run_cli("review", "status", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert status.code == 0, status.err
    today = datetime.now(UTC).date()
    assert f"The next yearly privacy review is due on {add_months(today, 12).isoformat()}." in status.out
    assert (
        f"{today.isoformat()}: {OWNER}, 3 of 6 items (not ticked: Retention policies, Restore drill, "
        "Staff training) — Restore drill next week"
    ) in status.out
    wrong = run_cli("review", "record", path, "--user", OWNER, "--item", "coffee", "--password-stdin", stdin=login)
    assert wrong.code == 5 and "Unknown review item coffee" in wrong.err
