"""Subject requests: deadlines per jurisdiction (frozen dates), the register's lifecycle, and portability."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest

from app.access.session import Session, open_session
from app.access.users import UserService
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.deals import DealService
from app.documents.access_export import export_subject
from app.errors import InvalidInput, PermissionDenied
from app.privacy.requests import RequestService, add_months, due_date
from app.privacy.retention import RetentionService
from app.resources import resource_path
from tests.conftest import OWNER, OWNER_PASSWORD


@pytest.mark.parametrize(
    ("jurisdiction", "received", "due", "extended"),
    [
        ("gdpr", date(2026, 1, 31), date(2026, 2, 28), date(2026, 4, 30)),  # no 31 February: the month's last day
        ("uk_gdpr", date(2024, 1, 31), date(2024, 2, 29), date(2024, 4, 30)),  # leap year
        ("gdpr", date(2026, 11, 22), date(2026, 12, 22), date(2027, 2, 22)),  # across the year end
        ("ccpa", date(2026, 11, 22), date(2027, 1, 6), date(2027, 2, 20)),  # 45 days, plus 45
        ("pipl", date(2026, 11, 22), date(2026, 12, 7), date(2026, 12, 22)),  # 15 days by default
    ],
)
def test_deadlines(jurisdiction: str, received: date, due: date, extended: date) -> None:
    assert due_date(jurisdiction, received) == due
    assert due_date(jurisdiction, received, extended=True) == extended


def test_add_months_keeps_the_day_when_it_exists() -> None:
    assert add_months(date(2026, 3, 15), 1) == date(2026, 4, 15)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


@pytest.fixture
def person(owner_session: Session) -> int:
    contact = ContactService(owner_session).create(
        ContactInput(
            given_name="芳",
            family_name="王",
            note="Prefers lilies",
            points=[ContactPointInput("email", "wang@example.cn"), ContactPointInput("phone", "+86 139 1234 5678")],
        )
    )
    DealService(owner_session).create("Wedding", value="1200", currency="CNY", contact_id=contact)
    consent = ConsentService(owner_session)
    consent.record(contact, "email_marketing", True, "form", notice_id=consent.current_notice("zh_CN").id)  # type: ignore[union-attr]
    return contact


def test_register_lifecycle(owner_session: Session, person: int) -> None:
    requests = RequestService(owner_session)
    received = date(2026, 11, 1)
    access = requests.create("access", "gdpr", contact_id=person, received=received, channel="email")
    assert requests.get(access).due_at == "2026-12-01"
    with pytest.raises(InvalidInput, match="identity"):
        requests.complete(access)
    requests.verify_identity(access, "Photo ID seen at the counter")
    assert requests.extend(access, "Many records to gather") == date(2027, 2, 1)
    with pytest.raises(InvalidInput, match="already extended"):
        requests.extend(access, "again")
    requests.complete(access, "Sent by email")
    assert requests.get(access).status == "completed"
    with pytest.raises(InvalidInput, match="reason"):
        requests.refuse(requests.create("objection", "gdpr", requester="Unknown caller"), "  ")


def test_open_requests_sorted_by_deadline_with_overdue(owner_session: Session, person: int) -> None:
    requests = RequestService(owner_session)
    later = requests.create("access", "ccpa", contact_id=person, received=date(2026, 11, 1))
    sooner = requests.create("rectification", "gdpr", contact_id=person, received=date(2026, 10, 1))
    today = date(2026, 11, 5)
    listed = requests.open_requests(today=today)
    assert [r.id for r in listed] == [sooner, later]
    assert listed[0].overdue(today) and not listed[1].overdue(today)
    assert [r.id for r in requests.open_requests(overdue_only=True, today=today)] == [sooner]


def test_completing_an_erasure_request_erases(owner_session: Session, person: int) -> None:
    requests = RequestService(owner_session)
    request = requests.create("erasure", "gdpr", contact_id=person)
    requests.verify_identity(request, "Email from the address on file, confirmed by phone")
    requests.complete(request)
    assert ContactService(owner_session).search("王") == []
    assert requests.get(request).contact_id is None  # the record keeps no link to the erased person


def test_opt_out_request_sets_the_flag(owner_session: Session, person: int) -> None:
    requests = RequestService(owner_session)
    request = requests.create("opt_out_sale_sharing", "ccpa", contact_id=person)
    requests.verify_identity(request, "Not required for opt-out (CCPA)")
    requests.complete(request)
    assert ConsentService(owner_session).flag(person, "opt_out_sale_sharing")


def test_closed_requests_are_swept_after_24_months(owner_session: Session, person: int) -> None:
    from datetime import UTC, datetime

    requests = RequestService(owner_session)
    request = requests.create("access", "gdpr", contact_id=person)
    requests.refuse(request, "Manifestly unfounded")
    retention = RetentionService(owner_session)
    later = datetime.now(UTC) + timedelta(days=731)
    assert any(i.category == "closed_request" for i in retention.preview(later))
    assert retention.apply(later).counts.get("closed_request") == 1


def test_portability_zip_validates_against_its_schema(owner_session: Session, person: int, tmp_path: Path) -> None:
    requests = RequestService(owner_session)
    request = requests.create("portability", "gdpr", contact_id=person)
    out = tmp_path / "wang.zip"
    with pytest.raises(InvalidInput, match="identity"):  # nobody checked who is asking yet
        export_subject(owner_session, person, zip_path=out, language="zh_CN", request_id=request)
    assert not out.exists()
    requests.verify_identity(request, "Showed an ID card at the counter")
    hashes = export_subject(owner_session, person, zip_path=out, language="zh_CN", request_id=request)
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("data.json"))
        schema = json.loads(archive.read("schema.json"))
        consent_rows = list(csv.DictReader(io.StringIO(archive.read("consent_history.csv").decode("utf-8-sig"))))
    jsonschema.validate(data, schema)
    assert schema == json.loads(resource_path("schemas", "subject-export.schema.json").read_text())
    assert data["name"] == "王芳" and {p["value"] for p in data["contact_points"]} == {
        "wang@example.cn",
        "+86 139 1234 5678",
    }
    assert data["deals"][0]["value_minor"] == 120000 and data["notices"][0]["language"] == "zh_CN"
    assert [r["purpose"] for r in consent_rows] == ["email_marketing"]
    import hashlib

    assert hashes == {"wang.zip": hashlib.sha256(out.read_bytes()).hexdigest()}
    stored = RequestService(owner_session).get(request).files
    assert stored == [{"name": "wang.zip", "sha256": hashes["wang.zip"]}]
    last = owner_session.conn.execute("SELECT action, summary FROM audit_event WHERE action = 'subject.export'")
    action, summary = last.fetchone()
    assert f"request {request}" in summary and "王" not in summary


def test_invalid_jsons_are_caught_by_the_schema(owner_session: Session, person: int, tmp_path: Path) -> None:
    """Guards the schema test: a broken document must fail validation."""
    export_subject(owner_session, person, zip_path=tmp_path / "x.zip", language="en")
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        data, schema = json.loads(archive.read("data.json")), json.loads(archive.read("schema.json"))
    data["deals"][0]["currency"] = "euro"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditor_cannot_export(
    owner_session: Session,
    person: int,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    run_cli,
    role: str,
) -> None:
    UserService(owner_session).add("Pat", role, "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock()
    pat = open_session(path, "Pat", "temporary-1")
    UserService(pat).change_own_password("temporary-1", "pats-password")
    with pytest.raises(PermissionDenied):
        export_subject(pat, person, zip_path=tmp_path / "x.zip")
    pat.lock()
    result = run_cli(
        "export-subject",
        path,
        "--user",
        "Pat",
        "--contact",
        person,
        "--pdf",
        tmp_path / "x.pdf",
        "--password-stdin",
        stdin="pats-password\n",
    )
    assert result.code == 4 and not (tmp_path / "x.pdf").exists()


def test_cli_requests_json(owner_session: Session, person: int, run_cli) -> None:  # type: ignore[no-untyped-def]
    requests = RequestService(owner_session)
    requests.create("access", "gdpr", contact_id=person, received=date(2020, 1, 1))
    requests.create("access", "ccpa", contact_id=person)
    path = owner_session.vault.paths.database
    owner_session.lock()
    result = run_cli("requests", path, "--user", OWNER, "--json", "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    listed = json.loads(result.out)
    assert [r["overdue"] for r in listed] == [True, False] and listed[0]["due"] == "2020-02-01"
    overdue = run_cli("requests", path, "--user", OWNER, "--overdue", "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert overdue.out.count("\n") == 1 and "OVERDUE" in overdue.out


def test_the_owner_sets_the_pipl_period(owner_session: Session, person: int) -> None:
    requests = RequestService(owner_session)
    requests.set_pipl_days(10)
    request = requests.create("access", "pipl", contact_id=person, received=date(2026, 11, 1))
    assert requests.get(request).due_at == "2026-11-11"
    with pytest.raises(InvalidInput):
        requests.set_pipl_days(0)


@pytest.mark.parametrize("lang", ["C.UTF-8", "en_US.UTF-8", "de_DE.UTF-8"])
def test_export_subject_without_lang_follows_the_person_then_the_shop(
    new_vault: tuple[Path, str], tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:  # type: ignore[no-untyped-def]
    """--lang is optional: it exited 5 on every one of these systems (de_DE and en_US are not shipped codes)."""
    from pypdf import PdfReader

    from app.access.shop import ShopService
    from app.crm.contacts import ContactInput, ContactService

    monkeypatch.setenv("LANG", lang)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    ShopService(session).update(language="fr")
    contacts = ContactService(session)
    spanish = contacts.create(ContactInput(given_name="Lucía", family_name="Pérez", language="es"))
    unknown = contacts.create(ContactInput(given_name="Jean", family_name="Dupont"))
    session.lock("logout")
    login = OWNER_PASSWORD + "\n"
    for person, word in ((spanish, "Estimado"), (unknown, "Bonjour")):  # the person's language, else the shop's
        out = tmp_path / f"{person}.pdf"
        result = run_cli(
            "export-subject",
            new_vault[0],
            "--user",
            OWNER,
            "--contact",
            person,
            "--pdf",
            out,
            "--password-stdin",
            stdin=login,
        )
        assert result.code == 0, result.err
        text = "".join(page.extract_text() for page in PdfReader(out).pages)
        assert word in text, (person, text[:300])


@pytest.mark.parametrize("asked", ["ar", "klingon"])
def test_a_consent_form_in_a_language_not_shipped_is_refused_with_the_list(
    new_vault: tuple[Path, str], tmp_path: Path, run_cli, asked: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "form.pdf"
    result = run_cli(
        "consent-form",
        new_vault[0],
        "--user",
        OWNER,
        "--lang",
        asked,
        "--out",
        out,
        "--password-stdin",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert result.code == 5 and "en, de, fr, es, zh_CN" in result.err and asked in result.err
    assert not out.exists()
