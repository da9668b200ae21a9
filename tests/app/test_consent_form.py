"""The paper consent form: real PDFs, read back with pypdf, in every shipped language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.access.session import Session
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactService
from app.documents.consent_form import parse_reference_code, print_form, reference_code


def _text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "zh_CN"])
def test_form_in_each_language_carries_the_notice_and_every_purpose_box(
    owner_session: Session, tmp_path: Path, language: str
) -> None:
    out = tmp_path / f"form-{language}.pdf"
    code = print_form(owner_session, out, language)
    notice = ConsentService(owner_session).current_notice(language)
    assert notice is not None
    text = _text(out)
    assert re.sub(r"\s+", "", notice.title) in text
    first_sentence = re.sub(r"\s+", "", notice.body.split(".")[0].split("。")[0])
    assert first_sentence[:30] in text
    assert code in text
    assert parse_reference_code(code) == (None, notice.id)
    consent_purposes = [p for p in ConsentService(owner_session).purposes() if p.lawful_basis == "consent"]
    assert len(consent_purposes) == 7  # every consent purpose has its own line (postal mail rests on another basis)
    fonts = {str(font) for page in PdfReader(out).pages for font in _font_names(page)}
    assert fonts and not any("Helvetica" in f for f in fonts)  # everything embedded, no unembedded base font


def _font_names(page) -> list[str]:  # type: ignore[no-untyped-def]
    resources = page["/Resources"]["/Font"]
    return [resources[key].get_object()["/BaseFont"] for key in resources]


def test_chinese_form_really_contains_chinese(owner_session: Session, tmp_path: Path) -> None:
    out = tmp_path / "zh.pdf"
    print_form(owner_session, out, "zh_CN")
    assert "我们如何使用您的个人信息" in _text(out)


def test_prefilled_form_names_the_person_and_links_back(owner_session: Session, tmp_path: Path) -> None:
    person = ContactService(owner_session).create(ContactInput(given_name="芳", family_name="王"))
    out = tmp_path / "wang.pdf"
    code = print_form(owner_session, out, "zh_CN", person)
    assert "王芳" in _text(out)
    assert parse_reference_code(code)[0] == person
    last = owner_session.conn.execute("SELECT action, entity_id, summary FROM audit_event ORDER BY id DESC LIMIT 1")
    assert last.fetchone() == ("consent.form_printed", str(person), code)


def test_reference_codes_catch_typos() -> None:
    code = reference_code(1234, 7)
    assert parse_reference_code(code.lower()) == (1234, 7)
    digits = list(code)
    digits[5] = "9" if digits[5] != "9" else "8"
    with pytest.raises(ValueError):
        parse_reference_code("".join(digits))


def test_cli_consent_form(new_vault: tuple[Path, str], tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import OWNER, OWNER_PASSWORD

    out = tmp_path / "blank.pdf"
    result = run_cli(
        "consent-form",
        new_vault[0],
        "--user",
        OWNER,
        "--lang",
        "fr",
        "--out",
        out,
        "--password-stdin",
        stdin=OWNER_PASSWORD + "\n",
    )
    assert result.code == 0, result.err
    assert "Commentnousutilisonsvosdonnées" in _text(out)
