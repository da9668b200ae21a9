"""Consent: derived state, expiry, immutable notices, encrypted evidence, purpose-filtered selections."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher3

from app.access.session import Session, open_session
from app.access.users import UserService
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.errors import InvalidInput
from app.privacy.audience import write_audience
from app.store.database import transaction
from app.store.seeds import notice_hash
from tests.conftest import OWNER, OWNER_PASSWORD

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _person(session: Session, name: str, email: str = "") -> int:
    points = [ContactPointInput("email", email)] if email else []
    return ContactService(session).create(ContactInput(given_name=name, family_name="Test", points=points))


def _state(service: ConsentService, contact_id: int, purpose: str, now: datetime = NOW) -> tuple[bool, str]:
    state = next(s for s in service.states(contact_id, now) if s.purpose.key == purpose)
    return state.granted, state.reason


def test_default_purposes_and_notices(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    assert [p.key for p in service.purposes()] == [
        "email_marketing",
        "sms_marketing",
        "phone_calls",
        "postal_mail",
        "profiling",
        "sale_sharing",
        "sensitive_data",
        "cross_border",
    ]
    for language in ("en", "de", "fr", "es", "zh_CN"):
        notice = service.current_notice(language)
        assert notice is not None and notice.language == language and notice.version == 1
        assert notice.sha256 == notice_hash(notice.title, notice.body)
    assert "撤回" in (service.current_notice("zh_CN") or service.current_notice("en")).body  # type: ignore[union-attr]
    assert service.current_notice("pt_BR").language == "en"  # type: ignore[union-attr]


def test_state_is_derived_from_the_latest_event(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    ana = _person(owner_session, "Ana")
    notice = service.current_notice("en")
    assert _state(service, ana, "email_marketing") == (False, "never asked")
    service.record(ana, "email_marketing", True, "form", notice_id=notice.id, at=NOW - timedelta(days=10))  # type: ignore[union-attr]
    assert _state(service, ana, "email_marketing")[0] is True
    service.record(ana, "email_marketing", False, "verbal", at=NOW - timedelta(days=5))
    assert _state(service, ana, "email_marketing") == (False, "withdrawn on 2026-11-17")
    service.record(ana, "email_marketing", True, "verbal", at=NOW - timedelta(days=1))
    assert _state(service, ana, "email_marketing")[0] is True
    assert [e.action for e in service.history(ana)] == ["grant", "withdraw", "grant"]
    assert service.history(ana)[0].notice_sha256 == notice.sha256  # type: ignore[union-attr]


def test_consent_expires_after_the_purpose_period(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    ana = _person(owner_session, "Ana")
    service.record(ana, "sms_marketing", True, "verbal", at=NOW - timedelta(days=731))
    granted, reason = _state(service, ana, "sms_marketing")
    assert not granted and reason.startswith("expired on")
    assert ana not in service.eligible_ids("sms_marketing", now=NOW)
    service.set_purpose("sms_marketing", lawful_basis="consent", expires_after_days=None)
    assert ana in service.eligible_ids("sms_marketing", now=NOW)


def test_purpose_filtered_selection(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    granted, withdrawn, expired, never = (_person(owner_session, n) for n in ("Gina", "Walt", "Exa", "Nev"))
    service.record(granted, "email_marketing", True, "verbal", at=NOW - timedelta(days=1))
    service.record(withdrawn, "email_marketing", True, "verbal", at=NOW - timedelta(days=3))
    service.record(withdrawn, "email_marketing", False, "verbal", at=NOW - timedelta(days=2))
    service.record(expired, "email_marketing", True, "verbal", at=NOW - timedelta(days=800))
    assert service.eligible_ids("email_marketing", now=NOW) == [granted]
    # Postal mail rests on legitimate interests: everyone, no consent record needed.
    assert set(service.eligible_ids("postal_mail", now=NOW)) == {granted, withdrawn, expired, never}


def test_withdrawal_takes_effect_at_once(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    ana = _person(owner_session, "Ana")
    service.record(ana, "profiling", True, "verbal")
    assert ana in service.eligible_ids("profiling")
    service.record(ana, "profiling", False, "verbal")
    assert ana not in service.eligible_ids("profiling")


def test_opt_out_of_sale_or_sharing_is_honoured(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    ana = _person(owner_session, "Ana")
    service.record(ana, "sale_sharing", True, "verbal")
    assert ana in service.eligible_ids("sale_sharing")
    service.set_flag(ana, "opt_out_sale_sharing", True)
    assert ana not in service.eligible_ids("sale_sharing")
    assert _state(service, ana, "sale_sharing") == (False, "opted out of sale or sharing")
    service.set_flag(ana, "opt_out_sale_sharing", False)
    assert ana in service.eligible_ids("sale_sharing")


def test_form_consent_must_name_its_notice(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    ana = _person(owner_session, "Ana")
    with pytest.raises(InvalidInput, match="notice"):
        service.record(ana, "email_marketing", True, "form")
    with pytest.raises(InvalidInput, match="source"):
        service.record(ana, "email_marketing", True, "import")
    with pytest.raises(InvalidInput, match="Unknown purpose"):
        service.record(ana, "telepathy", True, "verbal")


def test_notices_are_immutable_and_versioned(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    first = service.current_notice("en")
    second = service.publish_notice("en", "How we use your details", "A clearer text.")
    assert second.version == 2 and service.current_notice("en") == second
    assert [n.version for n in service.notices("en")] == [2, 1] and service.notices("xx") == []
    assert service.notice(first.id) == first  # type: ignore[union-attr]
    with pytest.raises(sqlcipher3.IntegrityError, match="never edited"), transaction(owner_session.conn) as conn:
        conn.execute("UPDATE notice SET body = 'rewritten' WHERE id = ?", (first.id,))  # type: ignore[union-attr]
    service.record(_person(owner_session, "Ana"), "email_marketing", False, "verbal")
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"), transaction(owner_session.conn) as conn:
        conn.execute("UPDATE consent_event SET action = 'grant'")


def test_evidence_is_stored_encrypted(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    ana = _person(owner_session, "Ana")
    marker = b"\x89PNG-signature-marker-7Qx2" * 40
    evidence = service.store_evidence(ana, "signature", "image/png", marker)
    service.record(
        ana,
        "email_marketing",
        True,
        "form",
        notice_id=service.current_notice("en").id,  # type: ignore[union-attr]
        evidence_id=evidence,
    )
    assert service.evidence(evidence) == ("image/png", marker)
    vault = owner_session.vault
    vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in vault.paths.database_files():
        if path.exists():
            assert b"signature-marker-7Qx2" not in path.read_bytes(), path


def test_consent_changes_and_policy_changes_are_audited(owner_session: Session) -> None:
    service = ConsentService(owner_session)
    ana = _person(owner_session, "Ana")
    service.record(ana, "email_marketing", True, "verbal")
    service.record(ana, "email_marketing", False, "verbal")
    service.set_purpose("profiling", lawful_basis="consent", expires_after_days=365)
    actions = [r[0] for r in owner_session.conn.execute("SELECT action FROM audit_event ORDER BY id")]
    assert {"consent.grant", "consent.withdraw", "purpose.change"} <= set(actions)


def test_cli_consent_and_purpose_list(new_vault: tuple[Path, str], tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    yes, no = _person(session, "Yes", "yes@example.org"), _person(session, "No", "no@example.org")
    UserService(session).add("Sam", "staff", "temporary-1")
    session.lock()
    base = ["--password-stdin"]
    granted = run_cli(
        "consent",
        path,
        "--user",
        OWNER,
        "--contact",
        yes,
        "--purpose",
        "email_marketing",
        "--grant",
        "--method",
        "paper",
        *base,
        stdin=login,
    )
    assert granted.code == 0 and "granted on" in granted.out, granted.err
    for args in (["--grant"], ["--withdraw"]):
        assert (
            run_cli(
                "consent",
                path,
                "--user",
                OWNER,
                "--contact",
                no,
                "--purpose",
                "email_marketing",
                *args,
                "--method",
                "verbal",
                *base,
                stdin=login,
            ).code
            == 0
        )
    out = tmp_path / "audience.csv"
    listed = run_cli(
        "consent-list", path, "--user", OWNER, "--purpose", "email_marketing", "--csv", out, *base, stdin=login
    )
    assert listed.code == 0, listed.err
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["email"] for r in rows] == ["yes@example.org"]
    stdout_list = run_cli("consent-list", path, "--user", OWNER, "--purpose", "email_marketing", *base, stdin=login)
    assert "yes@example.org" in stdout_list.out and "no@example.org" not in stdout_list.out
    assert (
        run_cli(
            "consent",
            path,
            "--user",
            OWNER,
            "--contact",
            yes,
            "--purpose",
            "nope",
            "--grant",
            "--method",
            "verbal",
            *base,
            stdin=login,
        ).code
        == 5
    )


def test_staff_record_consent_but_cannot_export_lists(owner_session: Session, tmp_path: Path) -> None:
    ana = _person(owner_session, "Ana")
    UserService(owner_session).add("Sam", "staff", "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock()
    staff = open_session(path, "Sam", "temporary-1")
    UserService(staff).change_own_password("temporary-1", "sams-password")
    ConsentService(staff).record(ana, "phone_calls", True, "verbal")
    from app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        write_audience(staff, "phone_calls", tmp_path / "x.csv")
    with pytest.raises(PermissionDenied):
        ConsentService(staff).set_purpose("phone_calls", lawful_basis="legitimate_interests", expires_after_days=None)
    staff.vault.close()


def test_audience_overview_says_why_people_are_left_out(owner_session: Session) -> None:
    from app.privacy.audience import audience_overview

    service = ConsentService(owner_session)
    yes, withdrew, stale, _never = (_person(owner_session, n) for n in ("Yes", "Withdrew", "Stale", "Never"))
    service.record(yes, "email_marketing", True, "verbal", at=NOW - timedelta(days=1))
    service.record(withdrew, "email_marketing", True, "verbal", at=NOW - timedelta(days=3))
    service.record(withdrew, "email_marketing", False, "verbal", at=NOW - timedelta(days=2))
    service.record(stale, "email_marketing", True, "verbal", at=NOW - timedelta(days=900))
    overview = audience_overview(owner_session, "email_marketing", now=NOW)
    assert overview.included == 1
    assert overview.excluded == {"withdrawn": 1, "never_asked": 1, "expired": 1}
    service.set_flag(yes, "opt_out_sale_sharing", True)
    assert audience_overview(owner_session, "sale_sharing", now=NOW).excluded["opted_out"] == 1


def test_a_marketing_list_is_written_row_by_row_and_a_stop_leaves_no_file(
    owner_session: Session, tmp_path: Path
) -> None:
    """A shop's list can hold most of its customers: it is written as read (progress every 1,000 rows), and a
    stopped export leaves no part of the file and no entry saying the list went out."""
    contacts = ContactService(owner_session)
    ids = contacts.create_many(
        (
            ContactInput(
                given_name=f"Kunde{n}", family_name="Liste", points=[ContactPointInput("email", f"k{n}@example.org")]
            )
            for n in range(2500)
        ),
        source="test",
    )
    ConsentService(owner_session).record_imported([(i, "email_marketing", True, "list.csv") for i in ids], audit=False)
    folder = tmp_path / "lists"
    folder.mkdir()
    out = folder / "email_marketing.csv"

    def stop_at_the_second_thousand(rows: int) -> None:
        if rows >= 2000:
            raise InterruptedError("stopped")

    with pytest.raises(InterruptedError):
        write_audience(owner_session, "email_marketing", out, progress=stop_at_the_second_thousand)
    assert list(folder.iterdir()) == []
    listed = "SELECT count(*) FROM audit_event WHERE action = 'consent.list'"
    assert owner_session.conn.execute(listed).fetchone()[0] == 0

    counted: list[int] = []
    assert write_audience(owner_session, "email_marketing", out, progress=counted.append) == 2500
    assert counted == [1000, 2000] and len(out.read_text("utf-8-sig").splitlines()) == 2501
    assert owner_session.conn.execute(listed).fetchone()[0] == 1
