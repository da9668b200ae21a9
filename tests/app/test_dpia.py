"""The impact assessment: prefilled from the records of processing, completed by the owner, kept 3 years, a PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher3
from pypdf import PdfReader

from app.access.session import Session, open_session
from app.consent.ledger import ConsentService
from app.documents.dpia_document import write_dpia
from app.errors import InvalidInput, PermissionDenied
from app.privacy.dpia import DpiaService
from app.privacy.ropa import RopaService
from tests.app.test_training import STAFF, STAFF_PASSWORD, add_staff
from tests.conftest import OWNER, OWNER_PASSWORD

ANSWERS = {
    "necessity": "Profiling suggests offers to regular customers; without it we would mail everyone.",
    "risks": "A leak of purchase histories.\nUnwanted marketing to people who withdrew.",
    "measures": "Only the owner exports; withdrawals are honoured the same day.",
    "conclusion": "Acceptable; look again in a year.",
}


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def test_the_draft_is_prefilled_from_purposes_categories_and_transfers(owner_session: Session) -> None:
    RopaService(owner_session).set_fact("ropa.transfers", "Newsletter service in the USA (standard clauses)")
    ConsentService(owner_session).set_purpose(
        "sms_marketing", lawful_basis="consent", expires_after_days=365, active=False
    )
    draft = DpiaService(owner_session).draft("en")
    names = [name for name, _basis in draft.purposes]
    bases = dict(draft.purposes)
    assert bases["Email marketing"].startswith("Consent") and "SMS marketing" not in names
    assert bases["Postal mail"].startswith("Legitimate interests")
    assert "Contact details (email, phone, address)" in draft.data_categories
    assert draft.facts["ropa.transfers"] == "Newsletter service in the USA (standard clauses)"
    assert draft.answers == {} and draft.id is None
    assert draft.missing() == ["necessity", "risks", "measures", "conclusion"]


def test_saving_keeps_each_version_for_three_years_and_audits_it(owner_session: Session) -> None:
    service = DpiaService(owner_session)
    assert service.needed() == ["profiling", "sale_sharing", "sensitive_data", "cross_border"]
    first = service.save(ANSWERS, "en", now=datetime(2026, 2, 10, 12, 0, tzinfo=UTC))
    assert service.needed() == []
    assert (first.id, first.saved_by, first.saved_at) == (1, OWNER, "2026-02-10T12:00:00+00:00")
    assert first.keep_until == "2029-02-10T12:00:00+00:00" and first.missing() == []
    assert service.draft("en").answers == ANSWERS  # the next draft starts from what was written
    with pytest.raises(sqlcipher3.IntegrityError, match="kept for 3 years"):
        owner_session.conn.execute("DELETE FROM impact_assessment WHERE id = ?", (first.id,))
    second = service.save({**ANSWERS, "conclusion": ""}, "en")
    assert second.missing() == ["conclusion"]
    assert [v[0] for v in service.versions()] == [2, 1] and service.latest() == second
    audit = owner_session.conn.execute(
        "SELECT entity_id, summary FROM audit_event WHERE action = 'dpia.save' ORDER BY id"
    ).fetchall()
    assert audit == [("1", "0 open, 0 pruned"), ("2", "1 open, 0 pruned")]


def test_a_version_past_three_years_is_pruned_when_a_new_one_is_saved(owner_session: Session) -> None:
    service = DpiaService(owner_session)
    now = datetime.now(UTC)
    service.save(ANSWERS, "en", now=now - timedelta(days=3 * 366 + 2))  # more than 3 years ago
    service.save(ANSWERS, "en", now=now - timedelta(days=3 * 365 - 30))  # 3 years ago in a month
    assert [v[0] for v in service.versions()] == [2, 1], "the first was the latest when the second came"
    latest = service.save(ANSWERS, "en", now=now)
    assert [v[0] for v in service.versions()] == [latest.id, 2], "only the one past 3 years is gone"


def test_empty_answers_unknown_fields_and_other_roles_are_refused(
    owner_session: Session, new_vault: tuple[Path, str]
) -> None:
    service = DpiaService(owner_session)
    with pytest.raises(InvalidInput, match="risks and the measures"):
        service.save({"risks": "  "}, "en")
    with pytest.raises(InvalidInput, match="budget"):
        service.save({"budget": "100"}, "en")
    owner_session.vault.close()
    add_staff(new_vault[0])
    staff = open_session(new_vault[0], STAFF, STAFF_PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            DpiaService(staff).draft("en")
        with pytest.raises(PermissionDenied):
            DpiaService(staff).save(ANSWERS, "en")
    finally:
        staff.vault.close()


def test_the_pdf_shows_the_prefilled_facts_the_answers_and_the_gaps(owner_session: Session, tmp_path: Path) -> None:
    RopaService(owner_session).set_fact("shop.name", "Bäckerei Sonne")
    RopaService(owner_session).set_fact("ropa.recipients", "Steuerbüro Klein (accounts)")
    saved = DpiaService(owner_session).save({**ANSWERS, "conclusion": ""}, "en")
    out = tmp_path / "dpia.pdf"
    write_dpia(out, saved)
    reader = PdfReader(out)
    text = _pdf_text(out)
    assert reader.metadata is not None and reader.metadata.title == "Impact assessment"
    for expected in (
        "Impact assessment",
        "PIPL Articles 55–56",
        "Bäckerei Sonne",
        "Steuerbüro Klein (accounts)",
        "Email marketing",
        "Legitimate interests",
        "Contact details (email, phone, address)",
        "A leak of purchase histories.",
        "Unwanted marketing to people who withdrew.",
        "Only the owner exports",
        "Version no. 1, saved by Ana Owner",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert text.count("to be completed") >= 3  # address, contact, transfers … and the conclusion
    conclusion = text.index("Conclusion")
    assert "to be completed" in text[conclusion : conclusion + 200]


def test_cli_dpia_save_show_and_pdf(new_vault: tuple[Path, str], tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    shown = run_cli("dpia", "show", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert shown.code == 0, shown.err
    assert (
        "No impact assessment is saved yet." in shown.out
        and "Risks to the people concerned: to be completed" in shown.out
    )
    saved = run_cli(
        "dpia",
        "save",
        path,
        "--user",
        OWNER,
        "--risks",
        "A leak",
        "--measures",
        "Encryption",
        "--password-stdin",
        stdin=login,
    )
    assert saved.code == 0, saved.err
    assert saved.out.strip() == "Saved impact assessment no. 1."
    again = run_cli(
        "dpia", "save", path, "--user", OWNER, "--conclusion", "Acceptable", "--password-stdin", stdin=login
    )  # keeps the answers saved before
    assert again.code == 0, again.err
    shown = run_cli("dpia", "show", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert "Version no. 2" in shown.out and "Risks to the people concerned: A leak" in shown.out
    assert "Conclusion: Acceptable" in shown.out
    out = tmp_path / "dpia.pdf"
    printed = run_cli("dpia", "pdf", path, "--user", OWNER, "--out", out, "--password-stdin", stdin=login)
    assert printed.code == 0, printed.err
    assert "A leak" in _pdf_text(out) and "Acceptable" in _pdf_text(out)
    session = open_session(path, OWNER, OWNER_PASSWORD)
    try:
        assert session.conn.execute("SELECT entity_id FROM audit_event WHERE action = 'dpia.print'").fetchall() == [
            ("2",)
        ]
    finally:
        session.vault.close()
