"""Restriction of processing (GDPR Art. 18): kept, shown as restricted, left out of every processing list."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.access.users import UserService
from app.cli import build_parser
from app.consent.ledger import ConsentService
from app.consent.restriction import RestrictionService, is_restricted
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.export import export_csv
from app.crm.vcard import export_vcards
from app.errors import InvalidInput, PermissionDenied
from app.privacy.audience import audience_overview, export_audience
from app.privacy.requests import RequestService
from app.privacy.retention import RetentionService
from tests.conftest import OWNER, OWNER_PASSWORD


def _person(session: Session, given: str, email: str) -> int:
    return ContactService(session).create(
        ContactInput(given_name=given, family_name="Lindqvist", points=[ContactPointInput("email", email)])
    )


@pytest.fixture
def two(owner_session: Session) -> tuple[int, int]:
    """Two people who both agreed to email marketing; the first will be restricted."""
    consent = ConsentService(owner_session)
    ids = (_person(owner_session, "Maja", "maja@example.se"), _person(owner_session, "Erik", "erik@example.se"))
    for contact_id in ids:
        consent.record(contact_id, "email_marketing", True, "verbal")
    return ids


def _audit(session: Session, action: str) -> list[tuple[int, str, str | None]]:
    return [
        (int(r[0]), str(r[1]), r[2])
        for r in session.conn.execute(
            "SELECT user_id, entity_id, summary FROM audit_event WHERE action = ? ORDER BY id", (action,)
        )
    ]


def test_restrict_and_lift_are_audited_with_who_and_kept_with_why(owner_session: Session, two: tuple[int, int]) -> None:
    maja, _erik = two
    service = RestrictionService(owner_session)
    with pytest.raises(InvalidInput):
        service.restrict(maja, "  ")
    service.restrict(maja, "Contests the postal address")
    assert is_restricted(owner_session.conn, maja)
    with pytest.raises(InvalidInput, match="already restricted"):
        service.restrict(maja, "again")
    current = service.current(maja)
    assert current is not None and current.reason == "Contests the postal address" and current.set_by == OWNER
    assert _audit(owner_session, "restriction.set") == [(owner_session.user.id, str(maja), "restriction 1")]
    with pytest.raises(InvalidInput):
        service.lift(maja, "")
    service.lift(maja, "Address checked against her ID")
    assert service.current(maja) is None and not is_restricted(owner_session.conn, maja)
    lifted = service.history(maja)[0]
    assert lifted.lifted_by == OWNER and lifted.lift_reason == "Address checked against her ID"
    assert [entry[1] for entry in _audit(owner_session, "restriction.lift")] == [str(maja)]
    with pytest.raises(InvalidInput, match="not restricted"):
        service.lift(maja, "twice")


def test_staff_may_not_restrict_or_lift(owner_session: Session, two: tuple[int, int]) -> None:
    UserService(owner_session).add("Sam", "staff", "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock()
    sam = open_session(path, "Sam", "temporary-1")
    UserService(sam).change_own_password("temporary-1", "sams-password")
    try:
        with pytest.raises(PermissionDenied):
            RestrictionService(sam).restrict(two[0], "asked at the counter")
    finally:
        sam.lock()


def test_a_restricted_person_is_left_out_of_audiences_exports_and_the_sweep(
    owner_session: Session, two: tuple[int, int], tmp_path: Path
) -> None:
    maja, erik = two
    RestrictionService(owner_session).restrict(maja, "Contests the address")
    consent = ConsentService(owner_session)
    assert consent.eligible_ids("email_marketing") == [erik]
    assert [row[0] for row in export_audience(owner_session, "email_marketing")] == [erik]
    overview = audience_overview(owner_session, "email_marketing")
    assert overview.included == 1 and overview.excluded["restricted"] == 1
    assert export_csv(owner_session, tmp_path / "all.csv") == 1
    with (tmp_path / "all.csv").open(encoding="utf-8-sig") as handle:
        assert [row["name"] for row in csv.DictReader(handle)] == ["Erik Lindqvist"]
    assert export_vcards(owner_session, tmp_path / "all.vcf") == 1
    assert "Maja" not in (tmp_path / "all.vcf").read_text(encoding="utf-8")
    # Both untouched for years: the sweep would erase both leads, but keeps the restricted one.
    later = datetime.now(UTC) + timedelta(days=365 * 5)
    due = {item.contact_id for item in RetentionService(owner_session).preview(later)}
    assert erik in due and maja not in due
    assert RestrictionService(owner_session).kept_by_sweep() == 1
    # Still in the vault and in the customer list, marked.
    summaries = {s.id: s for s in ContactService(owner_session).page()}
    assert summaries[maja].restricted and not summaries[erik].restricted
    RestrictionService(owner_session).lift(maja, "Resolved")
    assert sorted(consent.eligible_ids("email_marketing")) == sorted([maja, erik])


def test_completing_a_restriction_request_restricts(owner_session: Session, two: tuple[int, int]) -> None:
    maja, _erik = two
    requests = RequestService(owner_session)
    request = requests.create("restriction", "gdpr", contact_id=maja, received=date(2026, 11, 2))
    requests.verify_identity(request, "Photo ID seen at the counter")
    requests.complete(request, "Disputes the accuracy of her address")
    current = RestrictionService(owner_session).current(maja)
    assert current is not None and current.request_id == request
    assert current.reason == "Disputes the accuracy of her address"
    assert requests.get(request).status == "completed"


def test_a_restriction_request_needs_the_customer(owner_session: Session) -> None:
    requests = RequestService(owner_session)
    request = requests.create("restriction", "gdpr", requester="Someone on the phone")
    requests.verify_identity(request, "Called back on the number we hold")
    with pytest.raises(InvalidInput, match="Link the customer"):
        requests.complete(request)


def test_cli_restrict_lift_and_sweep_report(
    owner_session: Session,
    two: tuple[int, int],  # type: ignore[no-untyped-def]
    run_cli,
) -> None:
    maja, _erik = two
    path = owner_session.vault.paths.database
    owner_session.lock()
    login = ("--user", OWNER, "--password-stdin")
    done = run_cli("restrict", path, maja, *login, "--reason", "Contests the address", stdin=OWNER_PASSWORD + "\n")
    assert done.code == 0, done.err
    assert f"Restricted processing of customer {maja}" in done.out
    assert "names no recipients" in done.out
    again = run_cli("restrict", path, maja, *login, "--reason", "x", stdin=OWNER_PASSWORD + "\n")
    assert again.code == 5 and "already restricted" in again.err
    sweep = run_cli("sweep", path, *login, "--dry-run", stdin=OWNER_PASSWORD + "\n")
    assert "1 person kept: processing restricted" in sweep.out
    lifted = run_cli("restrict", path, maja, *login, "--lift", "--reason", "Checked", stdin=OWNER_PASSWORD + "\n")
    assert lifted.code == 0 and f"Lifted the restriction of customer {maja}" in lifted.out
    missing = run_cli("restrict", path, maja, *login, stdin=OWNER_PASSWORD + "\n")
    assert missing.code == 2 and "--reason" in missing.err


def test_restrict_and_object_say_what_they_do_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command, words in (
        ("restrict", "--lift"),
        ("object", "Withdraws email, SMS, phone, postal marketing and profiling at once"),
    ):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        assert words in " ".join(capsys.readouterr().out.split())


def test_the_subject_export_says_processing_is_restricted(
    owner_session: Session, two: tuple[int, int], tmp_path: Path
) -> None:
    from app.documents.subject_export import write_subject_export
    from app.privacy.subject_data import gather
    from tests.app.test_subject_export import _text

    maja, erik = two
    RestrictionService(owner_session).restrict(maja, "Contests the address")
    restricted, other = gather(owner_session, maja, "en"), gather(owner_session, erik, "en")
    assert restricted.privacy_flags["processing_restricted"] is True
    assert other.privacy_flags["processing_restricted"] is False
    write_subject_export(tmp_path / "maja.pdf", restricted)
    write_subject_export(tmp_path / "erik.pdf", other)
    assert "Processingofyourdataisrestricted(GDPRArt.18)" in _text(tmp_path / "maja.pdf")
    assert "restricted(GDPRArt.18)" not in _text(tmp_path / "erik.pdf")


def test_the_audience_counts_only_restricted_people_who_would_be_on_it(
    owner_session: Session, two: tuple[int, int]
) -> None:
    maja, _erik = two
    never_asked = _person(owner_session, "Nils", "nils@example.se")
    service = RestrictionService(owner_session)
    service.restrict(maja, "Contests the address")
    service.restrict(never_asked, "Contests the address")  # not on the email list anyway
    overview = audience_overview(owner_session, "email_marketing")
    assert overview.included == 1 and overview.excluded["restricted"] == 1
