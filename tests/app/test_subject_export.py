"""The data-subject access export: real vaults filled through the services, real PDFs read back with pypdf."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from app.access.session import Session
from app.consent.ledger import ConsentService
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.deals import DealService
from app.documents.subject_export import write_subject_export
from app.privacy.subject_data import SubjectData, gather

DUE = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def _text(path: Path, password: str | None = None) -> str:
    """All the text of the PDF, NFKC-normalised (Arabic presentation forms become letters), no whitespace."""
    reader = PdfReader(path)
    if password is not None:
        reader.decrypt(password)
    text = "".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _person(
    session: Session, *, given: str = "Clara", family: str = "Schmidt", note: str = "", language: str | None = "de"
) -> int:
    points = [
        ContactPointInput("email", "clara.schmidt@example.org", "private"),
        ContactPointInput("email", "c.schmidt@firma.example", "work"),
        ContactPointInput("phone", "+49 30 1234567", "mobile"),
        ContactPointInput("address", "Hauptstraße 5, 10115 Berlin", "home"),
    ]
    return ContactService(session).create(
        ContactInput(
            given_name=given,
            family_name=family,
            points=points,
            organisation="Bäckerei Sonne",
            job_title="Inhaberin",
            tags=["Stammkundin", "Newsletter"],
            language=language,
            note=note or "Prefers calls after 5 pm.",
        )
    )


def _fill(session: Session, contact_id: int) -> None:
    """Deals, activities, a second note and consent events (one under a notice, one withdrawn)."""
    deals = DealService(session)
    deals.create(
        "Hochzeitstorte", value="1234.50", currency="EUR", contact_id=contact_id, expected_close=date(2026, 6, 1)
    )
    lost = deals.create("Catering Sommerfest", value="300", currency="EUR", contact_id=contact_id)
    deals.close(lost, won=False, reason="Chose another caterer")
    activities = ActivityService(session)
    activities.create("call", "Call back about the cake design", due_at=DUE, contact_id=contact_id)
    done = activities.create("meeting", "Tasting appointment", due_at=DUE + timedelta(days=2), contact_id=contact_id)
    activities.set_done(done)
    ContactService(session).add_note(
        contact_id, "Allergic to hazelnuts.\nAsked for a vegan option.", keep_reason="needed to serve them safely"
    )
    consent = ConsentService(session)
    notice = consent.current_notice("de")
    assert notice is not None
    consent.record(contact_id, "email_marketing", True, "form", notice_id=notice.id)
    consent.record(contact_id, "sms_marketing", True, "verbal")
    consent.record(contact_id, "sms_marketing", False, "verbal")
    consent.set_flag(contact_id, "opt_out_sale_sharing", True)


@pytest.fixture
def clara(owner_session: Session) -> int:
    contact_id = _person(owner_session)
    _fill(owner_session, contact_id)
    return contact_id


def test_export_contains_everything_held_about_the_person(owner_session: Session, clara: int, tmp_path: Path) -> None:
    data = gather(owner_session, clara, "en")
    out = tmp_path / "clara.pdf"
    digest = write_subject_export(out, data, request_reference="DSAR-2026-0042")
    text = _text(out)
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert "DSAR-2026-0042" in text and "ClaraSchmidt" in text
    for point in data.contact_points:
        assert _squash(str(point["value"])) in text, point
    for expected in (
        "BäckereiSonne",
        "Inhaberin",
        "Stammkundin",
        "Newsletter",
        "Hochzeitstorte",
        "CateringSommerfest",
        "Choseanothercaterer",
        "Callbackaboutthecakedesign",
        "Tastingappointment",
        "Allergictohazelnuts.",
        "Askedforaveganoption.",
        "Preferscallsafter5pm.",
    ):
        assert expected in text, expected
    assert "€1,234.50" in text  # English money formatting
    for record in data.consent_history:
        purpose = next(p.name for p in data.purposes if p.key == record.purpose)
        assert _squash(purpose) in text
    assert len(data.notices) == 1
    notice = data.notices[0]
    assert _squash(notice.title) in text
    assert _squash(notice.body) in text  # the exact text the person agreed under, in full
    assert notice.sha256 in text
    assert "Donotsellorsharemypersonalinformation" in text
    for heading in (
        "Whyweuseyourdataandonwhatlegalbasis",
        "Whatkindsofdataweh",
        "Whoreceivesyourdata",
        "Howlongwekeepyourdata",
        "Whereyourdatacomesfrom",
        "Automateddecisions",
        "Yourrights",
        "Howtocomplain",
    ):
        assert heading in text, heading
    # Retention in words, from the vault's policies; complaint examples
    assert "Customerswithnopurchaseorcontact:anonymisedafter6years" in text
    for authority in ("ICO", "CNIL", "AEPD", "BfDI", "CPPA", "CAC"):
        assert authority in text
    # The state of each purpose in the person's words: withdrawn SMS, given email, opted out of sale
    assert "No:withdrawnon" in text and "Yes:givenon" in text and "No:youoptedoutofsaleorsharing" in text


def test_fonts_are_embedded_and_never_helvetica(owner_session: Session, clara: int, tmp_path: Path) -> None:
    out = tmp_path / "fonts.pdf"
    write_subject_export(out, gather(owner_session, clara, "en"))
    fonts: list[Any] = []
    for page in PdfReader(out).pages:
        resources: Any = page["/Resources"]
        fonts += [font.get_object() for font in resources["/Font"].values()]
    assert fonts
    for font in fonts:
        assert "Helvetica" not in str(font["/BaseFont"])
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [
        ("芳", "王", "王芳"),
        ("ليلى", "حداد", "ليلى حداد"),
        ("Dana", "כהן", "Dana כהן"),
        ("Ирина", "Петрова", "Ирина Петрова"),
    ],
)
def test_names_in_any_script_come_back_out(
    owner_session: Session, tmp_path: Path, given: str, family: str, expected: str
) -> None:
    contact_id = _person(owner_session, given=given, family=family, note=f"{expected} likes rye bread")
    out = tmp_path / "person.pdf"
    write_subject_export(out, gather(owner_session, contact_id, "en"))
    text = _text(out)
    # Readers undo the visual order and the Arabic presentation forms: the name comes back as typed
    assert "Name" + _squash(expected) in text, text[:400]
    assert _squash(f"{expected} likes rye bread") in text
    assert "\ufffd" not in text and "suchasemoji" not in text


def test_chinese_person_in_chinese(owner_session: Session, tmp_path: Path) -> None:
    contact_id = _person(owner_session, given="芳", family="王", note="喜欢全麦面包", language="zh_CN")
    out = tmp_path / "wang.pdf"
    write_subject_export(out, gather(owner_session, contact_id, "zh_CN"))
    text = _text(out)
    assert "王芳" in text and "喜欢全麦面包" in text
    assert "英国" in text  # babel's name for the United Kingdom beside the ICO, in Chinese


def test_emoji_in_a_note_print_and_letters_no_font_has_are_said_so(owner_session: Session, tmp_path: Path) -> None:
    """Emoji print in the bundled monochrome face; a script with no bundled font (Ethiopic) still gets the note."""
    contact_id = _person(owner_session, note="Loves 🎂 birthday cakes 👍 and 🇩🇪 flags")
    out = tmp_path / "emoji.pdf"
    write_subject_export(out, gather(owner_session, contact_id, "en"))
    text = _text(out)
    assert "Loves🎂birthdaycakes👍and🇩🇪flags" in text
    assert "Somecharacters,suchasemoji,cannotbeprinted" not in text
    ethiopic = _person(owner_session, given="Abebe", note="ሰላም")
    out = tmp_path / "ethiopic.pdf"
    write_subject_export(out, gather(owner_session, ethiopic, "en"))
    assert "Somecharacters,suchasemoji,cannotbeprinted" in _text(out)


def test_plain_export_does_not_warn_about_emoji(owner_session: Session, clara: int, tmp_path: Path) -> None:
    out = tmp_path / "plain.pdf"
    write_subject_export(out, gather(owner_session, clara, "en"))
    assert "suchasemoji" not in _text(out)


def test_german_export_uses_german_dates_and_money(owner_session: Session, clara: int, tmp_path: Path) -> None:
    out = tmp_path / "de.pdf"
    write_subject_export(out, gather(owner_session, clara, "de"))
    text = _text(out)
    assert "1.234,50€" in text  # babel: "1.234,50 €"
    assert "01.06.2026" in text  # expected close, German medium date
    assert "14.03.2026" in text  # the call's due date
    assert "Vereinigtes Königreich".replace(" ", "") in text  # babel territory name beside the ICO


def test_password_protected_export_needs_the_password(owner_session: Session, clara: int, tmp_path: Path) -> None:
    out = tmp_path / "locked.pdf"
    digest = write_subject_export(out, gather(owner_session, clara, "en"), password="s3cret-Päss")
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    reader = PdfReader(out)
    assert reader.is_encrypted
    encryption: Any = reader.trailer["/Encrypt"]
    assert encryption["/V"] == 5 and encryption["/R"] == 6  # AES-256 (PDF 2.0), not RC4
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert not PdfReader(out).decrypt("wrong password")
    assert b"Schmidt" not in out.read_bytes()
    assert "ClaraSchmidt" in _text(out, "s3cret-Päss")


def test_empty_password_is_refused(owner_session: Session, clara: int, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    with pytest.raises(ValueError):
        write_subject_export(out, gather(owner_session, clara, "en"), password="")
    assert not out.exists()


def test_long_export_has_contents_and_page_numbers(owner_session: Session, clara: int, tmp_path: Path) -> None:
    due = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
    rows: list[tuple[str, str, int | None, datetime]] = [
        ("task", f"Follow-up number {i}", clara, due + timedelta(hours=i)) for i in range(300)
    ]
    ActivityService(owner_session).create_many(rows, "test")
    out = tmp_path / "long.pdf"
    write_subject_export(out, gather(owner_session, clara, "en"))
    reader = PdfReader(out)
    total = len(reader.pages)
    assert total > 6
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
    assert "Contents" in pages[1] and "Contents" not in pages[0]
    # Each section is in the contents and the outline, and starts on the page the contents give for it
    sections = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in sections][:3] == [
        "1. Your identity and contact details",
        "2. Deals and purchases",
        "3. Calls, meetings, emails and tasks",
    ]
    listed = {int(number) for number in re.findall(r"(?:\. )+(\d+)", pages[1])}
    starts = [reader.get_destination_page_number(item) for item in sections]
    for item, start in zip(sections, starts, strict=True):
        assert start is not None and str(item.title) in pages[1] and str(item.title) in pages[start]
        assert start + 1 in listed, (item.title, start + 1, listed)
    assert (starts[3] or 0) > 5  # "4. Notes" comes after 300 activities
    assert {int(n) for n in re.findall(r"Follow-up number (\d+)", " ".join(pages))} == set(range(300))
    # From page 2 the header names the shop's customer
    assert all("Personal data of Clara Schmidt" in page for page in pages[1:])
    assert "Personal data of Clara Schmidt" not in pages[0]


def test_short_export_has_no_contents_page(owner_session: Session, tmp_path: Path) -> None:
    contact_id = _person(owner_session)
    out = tmp_path / "short.pdf"
    write_subject_export(out, gather(owner_session, contact_id, "en"))
    reader = PdfReader(out)
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) <= 6  # cover letter, the person's data, the Art. 15 information
    assert not any("Contents" in page for page in pages)
    assert "1. Your identity and contact details" in pages[1]  # the data starts right after the letter
    assert f"Page 1 of {len(pages)}" in pages[0] and f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_privacy_requests_and_imported_source(owner_session: Session, clara: int, tmp_path: Path) -> None:
    ConsentService(owner_session).record(clara, "phone_calls", True, "import", source="fair-2025.csv")
    data: SubjectData = gather(owner_session, clara, "en")
    data.requests = [
        {
            "id": 7,
            "type": "access",
            "received_at": "2026-02-01T10:00:00+00:00",
            "status": "completed",
            "completed_at": "2026-02-10T10:00:00+00:00",
        }
    ]
    out = tmp_path / "requests.pdf"
    write_subject_export(out, data)
    text = _text(out)
    assert "6.Yourprivacyrequests" in text and "7.Howweuseyourdata,andyourrights" in text
    assert "Access" in text and "Completed" in text
    assert "Importedfromalist:fair-2025.csv" in text


def test_an_enormous_activity_subject_splits_instead_of_failing(
    owner_session: Session, clara: int, tmp_path: Path
) -> None:
    subject = " ".join(f"word{i}" for i in range(1500))  # a pasted email: taller than a page in its cell
    ActivityService(owner_session).create("email", subject, contact_id=clara)
    out = tmp_path / "huge.pdf"
    write_subject_export(out, gather(owner_session, clara, "en"))
    text = _text(out)
    assert "word0" in text and "word1499" in text


def test_both_files_are_checked_before_either_is_written(owner_session: Session, clara: int, tmp_path: Path) -> None:
    """Outside review: a missing ZIP folder left the PDF of the person's data on disk and out of the audit log;
    the same name for both left a ZIP called .pdf, audited as the PDF."""
    from app.documents.access_export import export_subject
    from app.errors import InvalidInput
    from app.store import audit

    exported = "SELECT count(*) FROM audit_event WHERE action = 'subject.export'"
    out = tmp_path / "for-clara"
    out.mkdir()
    with pytest.raises(FileNotFoundError):
        export_subject(owner_session, clara, pdf=out / "clara.pdf", zip_path=out / "missing" / "clara.zip")
    with pytest.raises(InvalidInput, match="different file names"):
        export_subject(owner_session, clara, pdf=out / "clara.pdf", zip_path=out / "clara.pdf")
    assert list(out.iterdir()) == [] and owner_session.conn.execute(exported).fetchone()[0] == 0
    hashes = export_subject(owner_session, clara, pdf=out / "clara.pdf", zip_path=out / "clara.zip")
    assert sorted(hashes) == ["clara.pdf", "clara.zip"] and owner_session.conn.execute(exported).fetchone()[0] == 1
    assert audit.entries(owner_session.conn)[-1].action == "subject.export"


def test_two_names_for_one_file_are_refused_and_a_linked_pdf_is_not_left_behind(
    owner_session: Session, clara: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link followed to its file (app.fileio) must be followed by the checks and the clean-up too."""
    from app.documents import access_export
    from app.errors import InvalidInput

    out = tmp_path / "for-clara"
    out.mkdir()
    (out / "clara.pdf").write_bytes(b"")
    (out / "latest.pdf").symlink_to(out / "clara.pdf")
    with pytest.raises(InvalidInput, match="different file names"):
        access_export.export_subject(
            owner_session, clara, pdf=out / "latest.pdf", zip_path=out / ".." / out.name / "clara.pdf"
        )

    def full_disk(*_args: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(access_export, "write_portability_zip", full_disk)
    with pytest.raises(OSError):
        access_export.export_subject(owner_session, clara, pdf=out / "latest.pdf", zip_path=out / "clara.zip")
    assert not (out / "clara.pdf").exists()  # the PDF written through the link is gone, not only the link
