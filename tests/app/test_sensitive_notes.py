"""Sensitive data in notes (issue #20): what the detector finds in each language, and the service that saves
notes refusing one that looks sensitive unless a reason is given, which is kept and audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.access.users import UserService
from app.crm.contacts import ContactInput, ContactService
from app.crm.sensitive_text import SensitiveTextFound, find_sensitive, kinds_of, luhn_ok
from app.errors import PermissionDenied
from app.privacy.sensitive_notes import SensitiveNotesService
from app.store import audit


def _kinds(text: str) -> list[str]:
    return kinds_of(find_sensitive(text))


def _found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_sensitive(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Card 4111 1111 1111 1111, expires 12/27", ["4111 1111 1111 1111"]),
        ("Paid with 5500-0000-0000-0004", ["5500-0000-0000-0004"]),
    ],
)
def test_card_numbers_are_found_when_their_luhn_digit_is_right(text: str, expected: list[str]) -> None:
    assert _found(text) == expected and _kinds(text) == ["card"]


def test_numbers_that_are_not_cards_are_left_alone() -> None:
    assert not luhn_ok("4111111111111112")
    for text in (
        "Card 4111 1111 1111 1112",
        "Call +49 170 1234567 after 10",
        "Order 2024-05-17, total 129.90",
        "Invoice 20240517-0042",
        "Likes blue shirts, size M",
        "She works in hospitality",
    ):
        assert find_sensitive(text) == [], text


@pytest.mark.parametrize(
    "text, number",
    [
        ("Passport no. X1234567 seen at the counter", "X1234567"),
        ("Reisepass: C01X00T47", "C01X00T47"),
        ("numéro de passeport 12AB34567", "12AB34567"),
        ("pasaporte PAA123456", "PAA123456"),
        ("护照 E12345678", "E12345678"),
    ],
)
def test_passport_numbers_named_in_each_language(text: str, number: str) -> None:
    assert _kinds(text) == ["passport"] and _found(text) == [number]


@pytest.mark.parametrize(
    "text, number",
    [
        ("DNI 12345678Z", "12345678Z"),  # Spain, check letter right
        ("NIE X1234567L", "X1234567L"),
        ("SSN 123-45-6789", "123-45-6789"),  # US
        ("NI number AB 12 34 56 C", "AB 12 34 56 C"),  # UK
        ("身份证 11010519491231002X", "11010519491231002X"),  # China, checksum right
        ("NIR 1 85 05 78 006 084 91", "1 85 05 78 006 084 91"),  # France, key right
        ("Personalausweis L01X00T47", "L01X00T47"),
    ],
)
def test_national_id_numbers(text: str, number: str) -> None:
    assert _kinds(text) == ["national_id"] and _found(text) == [number]


def test_id_numbers_with_a_wrong_check_are_not_ids() -> None:
    assert find_sensitive("ref 12345678A") == []  # a DNI's letter would be Z
    assert find_sensitive("11010519491231002Y") == []  # not a resident ID checksum


@pytest.mark.parametrize(
    "language, text, word",
    [
        ("en", "Mentioned she is pregnant, wants a looser fit", "pregnant"),
        ("en", "Allergies: peanuts", "Allergies"),
        ("de", "Kunde ist Diabetiker, keine Süßigkeiten", "Diabetiker"),
        ("de", "Sie ist schwanger", "schwanger"),
        ("fr", "Il est diabétique", "diabétique"),
        ("fr", "Sort de l'hôpital la semaine prochaine", "hôpital"),
        ("es", "Está embarazada", "embarazada"),
        ("es", "Tiene una enfermedad crónica", "enfermedad"),
        ("zh_CN", "他有糖尿病，不要甜的", "糖尿病"),
        ("zh_CN", "刚做完手术", "手术"),
    ],
)
def test_health_words_in_each_supported_language(language: str, text: str, word: str) -> None:
    assert _kinds(text) == ["health"] and _found(text) == [word], language


def test_the_service_refuses_a_sensitive_note_without_a_reason(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    person = contacts.create(ContactInput(given_name="Lena", family_name="Vogel"))
    before = len(contacts.get(person).notes)
    with pytest.raises(SensitiveTextFound) as refused:
        contacts.add_note(person, "Pays with 4111 1111 1111 1111; diabetic")
    assert kinds_of(refused.value.findings) == ["card", "health"]
    assert "payment card number" in str(refused.value) and "4111" not in str(refused.value)
    assert refused.value.exit_code == 5
    with pytest.raises(SensitiveTextFound):
        contacts.add_note(person, "Sie ist schwanger", keep_reason="   ")
    assert len(contacts.get(person).notes) == before
    contacts.add_note(person, "Wants the blue ribbons")  # nothing sensitive: saved as before
    assert SensitiveNotesService(owner_session).kept(person) == []


def test_a_note_kept_with_a_reason_records_the_reason_and_audits_the_keeping(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    person = contacts.create(ContactInput(given_name="Chen", family_name="Li"))
    note_id = contacts.add_note(person, "Allergic to lilies", keep_reason="So no lilies go into her bouquets")
    assert any(body == "Allergic to lilies" for _id, _at, body in contacts.get(person).notes)
    kept = SensitiveNotesService(owner_session).kept(person)
    assert [(k.note_id, k.kinds, k.reason, k.kept_by) for k in kept] == [
        (note_id, ("health",), "So no lilies go into her bouquets", owner_session.user.name)
    ]
    assert kept[0].what() == "health information"
    entries = audit.entries(owner_session.conn, audit.AuditFilter(action="note.sensitive_kept"))
    assert len(entries) == 1 and entries[0].entity_id == str(person)
    assert "lilies" not in entries[0].summary and "health" in entries[0].summary  # the reason stays out of the log
    everyone = SensitiveNotesService(owner_session).kept()
    assert [k.note_id for k in everyone] == [note_id]
    assert audit.entries(owner_session.conn, audit.AuditFilter(action="note.sensitive_list"))


def test_erasing_the_person_takes_the_kept_reason_with_them(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    person = contacts.create(ContactInput(given_name="Ana", family_name="Lima"))
    contacts.add_note(person, "DNI 12345678Z for the invoice", keep_reason="Spanish invoices need it")
    owner_session.conn.execute("DELETE FROM contact WHERE id = ?", (person,))
    assert owner_session.conn.execute("SELECT count(*) FROM note_sensitive_kept").fetchone()[0] == 0


def test_staff_may_keep_a_note_with_a_reason_but_not_read_everyones(
    owner_session: Session, new_vault: tuple[Path, str]
) -> None:
    UserService(owner_session).add("Sam", "staff", "temporary-1")
    owner_session.lock()
    sam = open_session(new_vault[0], "Sam", "temporary-1")
    UserService(sam).change_own_password("temporary-1", "sams-password")
    person = ContactService(sam).create(ContactInput(given_name="Ola", family_name="Nordmann"))
    ContactService(sam).add_note(person, "Wheelchair user: keep the ramp free", keep_reason="Access to the shop")
    assert len(SensitiveNotesService(sam).kept(person)) == 1
    with pytest.raises(PermissionDenied):
        SensitiveNotesService(sam).kept()
    sam.lock("logout")


# --- the Notes tab, pressed for real -----------------------------------------------------------------------


def test_the_notes_tab_warns_and_keeps_with_a_reason_or_lets_it_be_taken_out(  # type: ignore[no-untyped-def]
    qtbot, new_vault: tuple[Path, str], tmp_path: Path
) -> None:
    from tests.conftest import OWNER, OWNER_PASSWORD
    from tests.ui import test_customers as customers
    from tests.ui_helpers import open_session_for_ui, press, shutdown_session, type_into, wait_until

    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    try:
        person = ContactService(session).create(ContactInput(given_name="Lena", family_name="Vogel"))
        main, page = customers._window(qtbot, session)
        wait_until(qtbot, lambda: page.model.rowCount() == 1)
        customers._open(qtbot, page, "Lena Vogel")
        notes = page.detail.notes
        page.detail.tabs.setCurrentWidget(notes)
        text = "Paid with 4111 1111 1111 1111. Sie ist schwanger."
        notes.editor.setPlainText(text)
        press(qtbot, notes.add_button)
        assert notes.sensitive.isVisible() and notes.texts() == []
        assert "a payment card number, health information" in notes.sensitive_text.text()
        main.grab().save(str(tmp_path / "sensitive-note.png"))
        customers._shot(qtbot, main, "sensitive-note")
        press(qtbot, notes.select_button)  # take it out: the card number is selected in the editor
        assert notes.editor.textCursor().selectedText() == "4111 1111 1111 1111"
        press(qtbot, notes.select_button)
        assert notes.editor.textCursor().selectedText() == "schwanger"
        press(qtbot, notes.keep_button)  # no reason yet: said so, nothing saved
        assert notes.message.text().startswith("Say why the note must keep it")
        type_into(qtbot, notes.keep_reason, "Card kept by mistake? No: the customer asked us to")
        press(qtbot, notes.keep_button)
        wait_until(qtbot, lambda: len(notes.texts()) == 1)
        assert not notes.sensitive.isVisible() and notes.editor.toPlainText() == ""
        kept = SensitiveNotesService(session).kept(person)
        assert [k.kinds for k in kept] == [("card", "health")]
        notes.editor.setPlainText("Diabetiker")  # editing after a warning hides it: the text is checked again
        press(qtbot, notes.add_button)
        assert notes.sensitive.isVisible()
        notes.editor.setPlainText("Likes dark chocolate")
        assert not notes.sensitive.isVisible()
        press(qtbot, notes.add_button)
        wait_until(qtbot, lambda: len(notes.texts()) == 2)
    finally:
        shutdown_session(session)


def test_a_new_customer_whose_first_note_looks_sensitive_is_refused(owner_session: Session) -> None:
    from app.crm.contacts import ContactInput, ContactService
    from app.crm.sensitive_text import SensitiveFirstNote

    contacts = ContactService(owner_session)
    with pytest.raises(SensitiveFirstNote) as refused:
        contacts.create(ContactInput(given_name="Jana", note="Passport number C01X00T47, copy on file"))
    assert "Notes tab" in str(refused.value)
    assert owner_session.conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 0
    assert contacts.create(ContactInput(given_name="Jana", note="Collects on Fridays"))


def test_an_import_says_which_lines_have_notes_that_look_sensitive_before_it_writes(
    owner_session: Session, tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """A file's notes cannot be asked about one by one: the dry run and the import name each such line."""
    from tests.conftest import OWNER, OWNER_PASSWORD

    vault = owner_session.vault.paths.database
    owner_session.vault.close()
    shop_file = tmp_path / "customers_export.csv"  # Shopify's layout, as its export writes it (BOM, CRLF)
    header = (
        "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
        "Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,"
        "Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,"
        "Total Spent,Total Orders,Note,Tax Exempt,Tags"
    )
    shop_file.write_bytes(
        "\r\n".join(
            [
                header,
                "'7102233001,Lena,Fischer,lena@example.de,yes,,Lindenweg 4,,München,BY,DE,80331,,0151 2345678,no,"
                '84.50,3,"Diabetikerin - bitte keine Zuckerproben beilegen",no,Stammkundin',
                "'7102233002,Omar,Haddad,omar@example.com,no,,Karl-Marx-Str. 12,,Berlin,BE,DE,12043,030 1234567,,"
                "no,12.00,1,Liefert samstags,no,",
            ]
        ).encode("utf-8-sig")
        + b"\r\n"
    )
    dry = run_cli(
        "import", vault, "--user", OWNER, shop_file, "--dry-run", "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert dry.code == 0 and "line 2: the note seems to contain health information" in dry.err, dry
    assert "line 3" not in dry.err
    done = run_cli("import", vault, "--user", OWNER, shop_file, "--password-stdin", stdin=OWNER_PASSWORD + "\n")
    assert done.code == 0 and "imported: 2" in done.out and "line 2: the note seems to contain" in done.err
