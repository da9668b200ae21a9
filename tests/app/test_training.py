"""The staff privacy lesson: acknowledged by each user for themselves, once a year, audited, seen by the owner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.access.roles import Role
from app.access.session import Session, open_session
from app.access.users import UserService
from app.errors import PermissionDenied
from app.privacy import training
from app.privacy.training import LESSON, LESSON_VERSION, TrainingService, lesson
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD

STAFF, STAFF_PASSWORD = "Ben Staff", "staff-pass-1"


def add_staff(vault: Path, name: str = STAFF, role: Role = Role.STAFF, *, temporary: bool = False) -> None:
    """A user who has set their own password (or still has the temporary one)."""
    owner = open_session(vault, OWNER, OWNER_PASSWORD)
    try:
        UserService(owner, kdf.CHEAP).add(name, role, "temporary-1")
    finally:
        owner.vault.close()
    if not temporary:
        staff = open_session(vault, name, "temporary-1")
        try:
            UserService(staff, kdf.CHEAP).change_own_password("temporary-1", STAFF_PASSWORD)
        finally:
            staff.vault.close()


def test_the_lesson_covers_the_four_subjects_and_is_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    titles = [title for title, _text in lesson()]
    assert titles == ["What counts as personal data", "Consent", "Requests at the counter", "Breaches"]
    assert all(len(text) > 300 for _title, text in lesson())
    monkeypatch.setattr(training, "_", lambda text: "[de] " + text)  # as a catalog would
    assert all(title.startswith("[de] ") and text.startswith("[de] ") for title, text in lesson())
    assert len(lesson()) == len(LESSON)


def test_a_new_user_is_due_until_they_acknowledge_and_again_a_year_later(owner_session: Session) -> None:
    service = TrainingService(owner_session)
    assert service.i_am_due() and service.my_status().acknowledged_at is None
    read_at = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
    service.acknowledge(now=read_at)
    status = service.my_status()
    assert status.lesson_version == LESSON_VERSION and status.acknowledged_at == "2026-03-15T10:00:00+00:00"
    assert status.due_on == date(2027, 3, 15)
    assert not status.due(date(2027, 3, 14)) and status.due(date(2027, 3, 15))
    row = owner_session.conn.execute("SELECT user_id, lesson_version, at FROM training_ack").fetchall()
    assert row == [(owner_session.user.id, LESSON_VERSION, "2026-03-15T10:00:00+00:00")]
    audit = owner_session.conn.execute(
        "SELECT user_id, action, entity_id, summary FROM audit_event WHERE action = 'training.acknowledge'"
    ).fetchall()
    assert audit == [(owner_session.user.id, "training.acknowledge", str(owner_session.user.id), "lesson 1")]


def test_a_new_lesson_version_makes_everyone_due_again(owner_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    service = TrainingService(owner_session)
    service.acknowledge()
    assert not service.i_am_due()
    monkeypatch.setattr(training, "LESSON_VERSION", LESSON_VERSION + 1)
    assert service.i_am_due()


def test_staff_acknowledge_their_own_and_only_the_owner_sees_everyone(new_vault: tuple[Path, str]) -> None:
    add_staff(new_vault[0])
    staff = open_session(new_vault[0], STAFF, STAFF_PASSWORD)
    try:
        TrainingService(staff).acknowledge(now=datetime.now(UTC) - timedelta(days=400))  # read long ago
        with pytest.raises(PermissionDenied):
            TrainingService(staff).status()
        assert TrainingService(staff).i_am_due()
        assert staff.conn.execute("SELECT user_id FROM training_ack").fetchall() == [(staff.user.id,)]
    finally:
        staff.vault.close()
    owner = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    try:
        TrainingService(owner).acknowledge()
        statuses = {s.name: s for s in TrainingService(owner).status()}
        assert set(statuses) == {OWNER, STAFF}
        today = datetime.now(UTC).date()
        assert not statuses[OWNER].due(today) and statuses[STAFF].due(today)
        assert statuses[STAFF].acknowledged_at is not None  # read, but more than a year ago
        assert [s.name for s in TrainingService(owner).due_users()] == [STAFF]
    finally:
        owner.vault.close()


def test_a_temporary_password_may_not_acknowledge(new_vault: tuple[Path, str]) -> None:
    add_staff(new_vault[0], temporary=True)
    staff = open_session(new_vault[0], STAFF, "temporary-1")
    try:
        with pytest.raises(PermissionDenied, match="temporary password"):
            TrainingService(staff).acknowledge()
    finally:
        staff.vault.close()


def test_cli_training_acknowledge_and_status(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path = new_vault[0]
    before = run_cli("training", "status", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert before.code == 0, before.err
    assert before.out.strip() == f"{OWNER} (Owner): not read yet; due now"
    shown = run_cli(
        "training", "acknowledge", path, "--user", OWNER, "--show", "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert shown.code == 0, shown.err
    assert "# Requests at the counter" in shown.out and "Recorded that Ana Owner read the privacy lesson" in shown.out
    after = run_cli("training", "status", path, "--user", OWNER, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    today = datetime.now(UTC).date()
    assert (
        f"read on {today.isoformat()}; next due {today.replace(year=today.year + 1).isoformat()}" in after.out
        or today.month == 2
        and today.day == 29
    )
    session = open_session(path, OWNER, OWNER_PASSWORD)
    try:
        assert not TrainingService(session).i_am_due()
    finally:
        session.vault.close()
