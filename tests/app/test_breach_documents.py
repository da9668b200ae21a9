"""Breach letters, the draft notification to the authority and the record of processing: real vaults filled
through the services, real PDFs read back with pypdf."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date, format_time
from pypdf import PdfReader

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactService
from app.documents.breach_letters import write_breach_letter, write_letters, write_regulator_report
from app.documents.ropa_document import write_ropa
from app.errors import InvalidInput
from app.locale.i18n import translator
from app.privacy.breach import BreachService
from app.privacy.ropa import SECURITY_MEASURES, RopaService

DISCOVERED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
NATURE = "A laptop holding an export of the customer list was stolen from the delivery van."
CONSEQUENCES = "Someone could send you convincing fake messages (phishing)."
MEASURES = "We reported the theft to the police and no longer allow exports on laptops."
ARABIC = "أحمد حسن"


def _text(path: Path) -> str:
    """All the text, NFKC-normalised (Arabic presentation forms become letters), without whitespace."""
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    return _squash(text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _fonts(path: Path) -> set[str]:
    names = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"]["/Font"]
        names |= {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    return names


def _assert_fonts_embedded(path: Path) -> None:
    fonts = _fonts(path)
    assert fonts and not any("Helvetica" in font for font in fonts), fonts
    for page in PdfReader(path).pages:
        resources = page["/Resources"]["/Font"]
        for key in resources:
            descriptor = resources[key].get_object().get("/FontDescriptor")
            if descriptor is not None:  # TrueType subsets carry their program in FontFile2
                assert "/FontFile2" in descriptor.get_object()


def _shop(session: Session, *, contact: str = "privacy@sonne.example") -> None:
    ropa = RopaService(session)
    ropa.set_fact("shop.name", "Bäckerei Sonne")
    ropa.set_fact("shop.address", "Hauptstraße 5, 10115 Berlin")
    ropa.set_fact("shop.contact", contact)


@pytest.fixture
def people(owner_session: Session) -> dict[str, int]:
    contacts = ContactService(owner_session)
    return {
        "de": contacts.create(ContactInput(given_name="Clara", family_name="Schmidt", language="de")),
        "zh_CN": contacts.create(ContactInput(given_name="芳", family_name="王", language="zh_CN")),
        "ar": contacts.create(ContactInput(display_name=ARABIC, given_name="أحمد", family_name="حسن", language="ar")),
        "none": contacts.create(ContactInput(given_name="Jane", family_name="Doe")),
    }


@pytest.fixture
def breach_id(owner_session: Session, people: dict[str, int]) -> int:
    breaches = BreachService(owner_session)
    breach_id = breaches.record(
        discovered_at=DISCOVERED,
        occurred_at=DISCOVERED - timedelta(days=2),
        nature=NATURE,
        data_categories=["Names", "Email addresses"],
        people_categories=["Customers"],
        consequences=CONSEQUENCES,
        measures=MEASURES,
        high_risk=True,
    )
    assert breaches.select_affected(breach_id, everyone=True) == len(people)
    return breach_id


# --- letters to the people affected ---------------------------------------------------------------------


def test_letters_report_progress_and_stop_when_asked(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path
) -> None:
    """Thousands of letters take minutes: each one reports progress, and a cancel keeps the whole letters
    written so far and says in the log that it stopped."""
    _shop(owner_session)
    seen: list[tuple[int, int]] = []
    paths = write_letters(
        owner_session,
        breach_id,
        tmp_path / "letters",
        progress=lambda done, total: seen.append((done, total)),
        cancelled=lambda: len(seen) >= 2,
    )
    total = len(people)
    assert seen == [(1, total), (2, total)] and len(paths) == 2 < total
    assert sorted(p.name for p in (tmp_path / "letters").iterdir()) == sorted(p.name for p in paths)
    assert all(_text(p) for p in paths)  # whole PDFs
    summary = owner_session.conn.execute(
        "SELECT summary FROM audit_event WHERE action = 'breach.letters' ORDER BY id DESC"
    ).fetchone()[0]
    assert summary == f"2 of {total} letters (stopped)"


def test_one_letter_per_person_each_naming_them_in_their_language(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path
) -> None:
    _shop(owner_session)
    paths = write_letters(owner_session, breach_id, tmp_path / "letters")
    assert sorted(p.name for p in paths) == sorted(
        f"breach-{breach_id}-letter-{cid:06d}.pdf" for cid in people.values()
    )
    assert all(p.is_file() for p in paths)
    by_id = {int(p.stem.rsplit("-", 1)[1]): _text(p) for p in paths}
    assert _squash(translator("de")("Dear {name},").format(name="Clara Schmidt")) in by_id[people["de"]]
    assert "王芳" in by_id[people["zh_CN"]]
    assert _squash(ARABIC) in by_id[people["ar"]]
    assert "DearJaneDoe," in by_id[people["none"]]
    languages = {people["de"]: "de", people["zh_CN"]: "zh_CN", people["ar"]: "en", people["none"]: "en"}
    for contact_id, text in by_id.items():
        _ = translator(languages[contact_id])  # each letter in its reader's language (ar falls back to English)
        assert _squash(NATURE) in text and _squash(CONSEQUENCES) in text and _squash(MEASURES) in text
        assert "privacy@sonne.example" in text and "BäckereiSonne" in text
        assert _squash("Email addresses") in text  # the categories as the shop recorded them
        assert (
            _squash(
                _(
                    "If you use a password that could be linked to the data involved, change it, and use "
                    "a different password for every account. Turn on two-step verification where you can."
                )
            )[:40]
            in text
        )  # the advice on what they can do themselves


def test_letter_dates_follow_the_persons_language(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path
) -> None:
    _shop(owner_session)
    write_letters(owner_session, breach_id, tmp_path / "letters")
    discovered = DISCOVERED.astimezone().date()

    def letter(key: str) -> str:
        return _text(tmp_path / "letters" / f"breach-{breach_id}-letter-{people[key]:06d}.pdf")

    german = _squash(str(format_date(discovered, "long", locale="de")))
    chinese = _squash(str(format_date(discovered, "long", locale="zh_CN")))
    english = _squash(str(format_date(discovered, "long", locale="en")))
    assert "März" in german
    assert german in letter("de") and english not in letter("de")
    assert chinese in letter("zh_CN") and german not in letter("zh_CN")
    # Arabic is not a language the program speaks, and no language means the program's: both get English.
    assert english in letter("ar") and english in letter("none")
    assert _squash(str(format_date(date.today(), "long", locale="de"))) in letter("de")  # dated today


def test_letter_file_names_hold_no_personal_data(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path
) -> None:
    _shop(owner_session)
    out_dir = tmp_path / "letters"
    paths = write_letters(owner_session, breach_id, out_dir)
    names = " ".join(p.name for p in paths)
    for fragment in ("Clara", "Schmidt", "王", "芳", "أحمد", "Jane", "Doe", "de", "zh"):
        assert fragment not in names.replace(f"breach-{breach_id}-letter-", "")
    assert all(re.fullmatch(rf"breach-{breach_id}-letter-\d{{6}}\.pdf", p.name) for p in paths)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(p.name for p in paths)  # no stray temp files


def test_letters_are_audited_with_the_count_only(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path
) -> None:
    _shop(owner_session)
    write_letters(owner_session, breach_id, tmp_path / "letters")
    rows = owner_session.conn.execute(
        "SELECT action, entity_type, entity_id, summary FROM audit_event WHERE action = 'breach.letters'"
    ).fetchall()
    assert rows == [("breach.letters", "breach", str(breach_id), f"{len(people)} letters")]
    reads = owner_session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'contact.read'").fetchone()
    assert reads[0] >= len(people)  # each record read for its letter is audited as a read


def test_letters_need_people_and_a_contact(owner_session: Session, people: dict[str, int], tmp_path: Path) -> None:
    breaches = BreachService(owner_session)
    breach_id = breaches.record(discovered_at=DISCOVERED, nature=NATURE)
    _shop(owner_session)
    out_dir = tmp_path / "letters"
    with pytest.raises(InvalidInput, match="affected"):
        write_letters(owner_session, breach_id, out_dir)
    breaches.select_affected(breach_id, everyone=True)
    RopaService(owner_session).set_fact("shop.contact", "")
    with pytest.raises(InvalidInput, match="contact"):
        write_letters(owner_session, breach_id, out_dir)
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
    count = owner_session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'breach.letters'").fetchone()
    assert count[0] == 0


def test_letter_without_details_says_they_are_still_being_established(
    owner_session: Session, people: dict[str, int], tmp_path: Path
) -> None:
    breaches = BreachService(owner_session)
    breach = breaches.get(breaches.record(discovered_at=DISCOVERED, nature=NATURE))
    out = tmp_path / "letter.pdf"
    write_breach_letter(
        out,
        language="en",
        shop_name="Bäckerei Sonne",
        shop_contact="0301234567",
        person_name="Clara Schmidt",
        breach=breach,
        when=date(2025, 3, 2),
    )
    text = _text(out)
    assert "Wearestillestablishingexactlywhichdatawasinvolved" in text
    assert "Wearestillassessingthepossibleconsequences" in text
    assert "March2,2025" in text and "0301234567" in text
    assert "Page1of1" in text
    _assert_fonts_embedded(out)


@pytest.mark.parametrize("language, name", [("de", "Clara Schmidt"), ("zh_CN", "王芳"), ("ar", ARABIC)])
def test_letters_embed_their_fonts(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path, language: str, name: str
) -> None:
    out = tmp_path / "letter.pdf"
    write_breach_letter(
        out,
        language=language,
        shop_name="Bäckerei Sonne",
        shop_contact="privacy@sonne.example",
        person_name=name,
        breach=BreachService(owner_session).get(breach_id),
        when=date(2025, 3, 2),
    )
    _assert_fonts_embedded(out)
    assert _squash(name) in _text(out)


# --- the draft notification to the authority -----------------------------------------------------------


def test_regulator_report_is_a_draft_with_nature_deadline_and_numbers(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path
) -> None:
    _shop(owner_session)
    breaches = BreachService(owner_session)
    breach = replace(breaches.get(breach_id), approx_affected=250)
    out = tmp_path / "report.pdf"
    write_regulator_report(
        out, language="en", breach=breach, facts=RopaService(owner_session).facts(), affected_selected=breach.selected
    )
    text = _text(out)
    deadline = (DISCOVERED + timedelta(hours=72)).astimezone()
    assert "DRAFT" in text
    assert _squash(NATURE) in text and _squash(CONSEQUENCES) in text and _squash(MEASURES) in text
    assert (
        _squash(f"{format_date(deadline, 'medium', locale='en')}, {format_time(deadline, 'short', locale='en')}")
        in text
    )
    assert "Approximatenumberofpeopleconcerned250" in text
    assert f"Peopleidentifiedinourcustomerrecords{len(people)}" in text
    assert "Names" in text and "Customers" in text and "BäckereiSonne" in text and "Hauptstraße5" in text
    assert "Yes" in text and f"lettersarepreparedfor{len(people)}people" in text
    assert "tobecompleted" in text  # the DPO and how it was discovered are not known: blanks, not guesses
    assert "Page1of" in text
    _assert_fonts_embedded(out)


def test_regulator_report_marks_missing_controller_details_and_late_notification(
    owner_session: Session, people: dict[str, int], breach_id: int, tmp_path: Path
) -> None:
    breaches = BreachService(owner_session)
    late = DISCOVERED + timedelta(hours=80)
    breaches.authority_notified(breach_id, "ICO-123", at=late, delay_reason="The owner was in hospital.")
    out = tmp_path / "report.pdf"
    breach = breaches.get(breach_id)
    write_regulator_report(out, language="de", breach=breach, facts={}, affected_selected=breach.selected)
    text = _text(out)
    blank = _squash(translator("de")("to be completed"))
    assert text.count(blank) >= 5  # name, address, contact, DPO, representative, how discovered
    assert "ICO-123" in text and "Theownerwasinhospital." in text
    assert _squash(str(format_date(late.astimezone(), "medium", locale="de"))) in text  # German dates
    assert _squash(translator("de")("DRAFT")) in text


# --- the record of processing activities ----------------------------------------------------------------


def test_ropa_lists_purposes_retention_and_security(owner_session: Session, tmp_path: Path) -> None:
    _shop(owner_session)
    data = RopaService(owner_session).gather("en")
    assert data.purposes and data.retention and data.security
    out = tmp_path / "ropa.pdf"
    write_ropa(out, data)
    text = _text(out)
    for name, basis, expiry in data.purposes:
        assert _squash(name) in text and _squash(basis) in text and _squash(expiry) in text
    for what, period in data.retention:
        assert _squash(what) in text and _squash(period) in text
    for measure in SECURITY_MEASURES:
        assert _squash(measure) in text
    for category in [*data.data_categories, *data.subject_categories]:
        assert _squash(category) in text
    assert "BäckereiSonne" in text and "Hauptstraße5,10115Berlin" in text and "privacy@sonne.example" in text
    assert "Recordofprocessingactivities" in text
    pages = len(PdfReader(out).pages)
    assert f"Page{pages}of{pages}" in text and (pages == 1 or "Page1of" in text)
    _assert_fonts_embedded(out)


def test_ropa_shows_what_is_still_to_be_completed_in_its_language(owner_session: Session, tmp_path: Path) -> None:
    data = RopaService(owner_session).gather("zh_CN")
    data.facts["shop.name"] = "王记面包店"
    out = tmp_path / "ropa.pdf"
    write_ropa(out, data)
    text = _text(out)
    assert "王记面包店" in text
    # address, contact, representative, DPO, recipients and transfers are all unset
    assert text.count(_squash(translator("zh_CN")("to be completed"))) == 6
    assert _squash(str(format_date(date.today(), "long", locale="zh_CN"))) in text
    _assert_fonts_embedded(out)
