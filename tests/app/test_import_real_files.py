"""Issue #16: real customer files import without losing a person or a number.

Fixtures shaped like the files that lost people (tests/fixtures/import/README.md): a Chilean Shopify export with
local numbers and a country column, a Spanish Outlook CSV in Windows-1252, a Thai loyalty-app CSV whose name
column is "Crm Name". A detail that does not check out is kept as typed (unchecked) and reported by line and
column; only a row naming nobody is skipped; local numbers are read in the row's own country; columns that fill
nothing are named; `--map` maps a column by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.access.shop import ShopService
from app.crm.contacts import ContactInput, ContactPointInput, ContactRecord, ContactService
from app.crm.duplicates import find_duplicates
from app.crm.importing.service import ImportService
from app.errors import InvalidInput
from tests.app import test_import as shared
from tests.app.test_import import FIXTURES, LOGIN, by_email, contacts, phones
from tests.conftest import OWNER, OWNER_PASSWORD

template_vault, vault, session = shared.template_vault, shared.vault, shared.session  # the same fast fixtures

CHILE = FIXTURES / "shopify_customers_chile_2024.csv"
OUTLOOK_ES = FIXTURES / "outlook_contacts_es_cp1252.csv"
THAI = FIXTURES / "thai_loyalty_members.csv"
NOBODY = "nothing to identify the person: no name, email address or phone number"


def by_name(session: Session, name: str) -> ContactRecord:
    found = [c for c in ContactService(session).search(name, limit=5) if c.name == name]
    assert len(found) == 1, f"{name}: {found}"
    return ContactService(session).get(found[0].id)


def set_country(session: Session, country: str) -> None:
    ShopService(session).update(country=country)


# --- the Chilean Shopify export ----------------------------------------------------------------------------------


def test_chilean_shopify_export_keeps_every_person(session: Session) -> None:
    report = ImportService(session).run(CHILE)
    assert (report.format, report.imported, report.skipped) == ("shopify", 10, 1), report.messages()
    assert report.bad_rows == [(7, NOBODY)]  # a Customer ID and zero totals: nobody to import
    assert not report.duplicates and contacts(session) == 10


@pytest.mark.parametrize("shop_country", ["", "ES"])  # a Spanish shop reads "9 8765 4321" as Spanish: not here
def test_chilean_local_numbers_are_read_in_the_rows_country(session: Session, shop_country: str) -> None:
    if shop_country:
        set_country(session, shop_country)
    ImportService(session).run(CHILE)
    assert phones(by_email(session, "camila.rojas@example.cl")) == {"+56223456789", "+56987654321"}
    assert phones(by_email(session, "matias.gonzalez@example.cl")) == {"+56961234501"}
    # no address, but the row's other number is Chilean: its local one is read in Chile too
    assert phones(by_email(session, "sofia.munoz@example.cl")) == {"+56976543210", "+56944440202"}
    assert phones(by_email(session, "agustin.fernandez@example.com.ar")) == {"+541123456789"}  # country AR
    assert phones(by_email(session, "jtperez@example.cl")) == {"+56223456700", "+56987654300"}
    assert phones(by_email(session, "catalina.reyes@example.cl")) == {"+56987651122"}  # "cl", and 56 typed
    assert phones(by_email(session, "francisca.soto@example.cl")) == {"+56933331212", "+56582233445"}
    assert phones(by_name(session, "Ignacio")) == {"+56981112233"}  # a name and a number are enough


def test_a_bad_phone_or_email_is_kept_as_typed_reported_and_the_person_imported(session: Session) -> None:
    report = ImportService(session).run(CHILE)
    assert report.unchecked == [  # by line and column
        (5, 'column "Default Address Phone": not a valid phone number; kept as typed, unchecked'),
        (6, 'column "Email": not a valid email address; kept as typed, unchecked'),
    ]
    benjamin = by_email(session, "benjamin.silva@example.cl")
    [phone] = [p for p in benjamin.points if p.kind == "phone"]
    assert (phone.value, phone.normalized, phone.unchecked) == ("n/a", "", True)
    valentina = by_name(session, "Valentina Torres")
    [email] = [p for p in valentina.points if p.kind == "email"]
    assert (email.value, email.unchecked) == ("valentina.torres@example,cl", True)
    assert phones(valentina) == {"+56912345678"}
    assert ContactService(session).search("valentina.torres")[0].email == "valentina.torres@example,cl"  # found
    assert "n/a" not in " ".join(reason for _line, reason in report.messages())  # values are never quoted


def test_an_unchecked_number_is_found_by_its_typed_digits_and_is_nobodys_duplicate(session: Session) -> None:
    ImportService(session).run(OUTLOOK_ES)  # Rocío's "954 765 432": no country anywhere, so unchecked
    ImportService(session).run(CHILE)
    assert [c.name for c in ContactService(session).search("954 765")] == ["Rocío Núñez"]
    assert ContactService(session).search("954765432")[0].phone == "954 765 432"  # as typed
    assert find_duplicates(session) == []  # unchecked details (normalised form empty) match nobody


def test_columns_that_fill_nothing_are_named(session: Session) -> None:
    chile = ImportService(session).preview(CHILE).report
    # (Customer ID fills the source id, Total Spent and Total Orders the shop's totals, issue #16)
    assert chile.unused_columns == ["Tax Exempt"]
    set_country(session, "TH")
    thai = ImportService(session).run(THAI)
    assert thai.unused_columns == ["Member ID", "Points", "Tier", "Branch", "Last Visit"]
    mapped = ImportService(session).preview(THAI, mapping={"Tier": "tags", "Points": ""}).report
    assert mapped.unused_columns == ["Member ID", "Branch", "Last Visit"]  # Points was left out on purpose


def test_a_dry_run_reports_what_the_import_does(session: Session) -> None:
    dry = ImportService(session).run(CHILE, dry_run=True)
    assert contacts(session) == 0
    real = ImportService(session).run(CHILE)
    assert (
        (dry.imported, dry.bad_rows, dry.unchecked, dry.unused_columns, dry.consents_found)
        == (real.imported, real.bad_rows, real.unchecked, real.unused_columns, real.consents_found)
        != (0, [], [], [], 0)
    )
    assert dry.imported == 10


def test_saving_an_imported_person_again_keeps_what_their_details_were_read_as(session: Session) -> None:
    """The editor passes the details back as typed: "9 8765 4321" must stay Chilean in a Spanish shop, and an
    old "n/a" must not block a change of name; a detail typed anew is checked as always."""
    ImportService(session).run(CHILE)
    set_country(session, "ES")
    service = ContactService(session)
    for email in ("camila.rojas@example.cl", "benjamin.silva@example.cl"):
        record = by_email(session, email)
        points = [ContactPointInput(p.kind, p.value, p.label) for p in record.points]
        service.update(
            record.id, ContactInput(given_name=record.given_name + " M.", family_name=record.family_name, points=points)
        )
    assert phones(by_email(session, "camila.rojas@example.cl")) == {"+56223456789", "+56987654321"}  # not +34
    benjamin = by_email(session, "benjamin.silva@example.cl")
    assert benjamin.given_name == "Benjamín M."
    assert [(p.value, p.unchecked) for p in benjamin.points if p.kind == "phone"] == [("n/a", True)]
    with pytest.raises(InvalidInput):
        service.update(benjamin.id, ContactInput(given_name="Benjamín", points=[ContactPointInput("phone", "n/d")]))


# --- the Spanish Outlook CSV --------------------------------------------------------------------------------------


def test_outlook_spanish_numbers_are_read_in_the_contacts_country(session: Session) -> None:
    report = ImportService(session).run(OUTLOOK_ES)
    assert (report.format, report.encoding, report.imported, report.skipped) == ("outlook", "cp1252", 3, 0)
    inigo = by_email(session, "inigo.martinez@example.es")
    assert inigo.display_name == "Íñigo Martínez Ruiz"
    assert {(p.normalized, p.label) for p in inigo.points if p.kind == "phone"} == {
        ("+34954123456", "home"),
        ("+34612345678", "mobile"),
    }  # Home Country/Region: España
    assert phones(by_email(session, "begona@example.es")) == {"+34911234567"}  # Business Country/Region: Spain
    rocio = by_email(session, "rocio.nunez@example.es")  # no country in her row and none for the shop
    assert [(p.value, p.unchecked) for p in rocio.points if p.kind == "phone"] == [("954 765 432", True)]
    assert [line for line, _reason in report.unchecked] == [4]
    assert report.unchecked[0][1].startswith('column "Home Phone": not a valid phone number')


def test_outlook_row_without_a_country_uses_the_shops(session: Session) -> None:
    set_country(session, "ES")
    report = ImportService(session).run(OUTLOOK_ES)
    assert report.unchecked == [] and phones(by_email(session, "rocio.nunez@example.es")) == {"+34954765432"}


# --- the Thai loyalty CSV ----------------------------------------------------------------------------------------


def test_thai_crm_name_column_is_the_name_and_numbers_are_read_in_the_shops_country(session: Session) -> None:
    set_country(session, "TH")
    report = ImportService(session).run(THAI)
    assert (report.format, report.imported, report.skipped, report.unchecked) == ("generic", 6, 0, [])
    somchai = by_email(session, "somchai.j@example.co.th")
    assert somchai.display_name == "สมชาย ใจดี" and phones(somchai) == {"+66812345678"}
    assert by_email(session, "somying.r@example.co.th").display_name == "สมหญิง รักไทย"
    assert phones(by_email(session, "malee.m@example.com")) == {"+66811112222"}
    assert phones(by_name(session, "วิชัย ศรีสุข")) == {"+6621234567"}  # no email: the name still names him
    assert by_name(session, "ประภา แก้วมณี").points[0].value == "prapa.k@example.co.th"
    assert phones(by_email(session, "anan.w@example.com")) == {"+66865550199"}
    names = {c.name for c in ContactService(session).search("", limit=10)}
    assert not any("@" in name for name in names)  # no name became an email address


def test_a_name_column_under_another_heading_is_the_name(session: Session, tmp_path: Path) -> None:
    for heading in ("Crm Name", "Client Name", "Nombre", "Full name", "Name", "ชื่อ-นามสกุล"):
        path = tmp_path / "members.csv"
        path.write_text(f"{heading},Email\nAna María Lee,ana@example.com\n", encoding="utf-8")
        row = ImportService(session).preview(path).rows[0]
        assert row.contact is not None and row.contact.display_name == "Ana María Lee", heading
    path.write_text("Nombre,Apellidos,Correo\nAna María,Lee Soto,ana@example.com\n", encoding="utf-8")
    contact = ImportService(session).preview(path).rows[0].contact
    assert contact is not None and (contact.given_name, contact.family_name) == ("Ana María", "Lee Soto")


def test_a_mapping_must_name_a_column_of_the_file(session: Session) -> None:
    with pytest.raises(InvalidInput, match='There is no column "Crm Nmae" in this file'):
        ImportService(session).preview(THAI, mapping={"Crm Nmae": "name"})
    preview = ImportService(session).preview(THAI, mapping={"crm name": "note"})  # case and spacing may differ
    assert {c.header: c.field for c in preview.columns}["Crm Name"] == "note"


# --- vCard: the address's country ---------------------------------------------------------------------------------


def test_a_vcard_local_number_is_read_in_its_address_country(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "cards.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Camila Rojas\r\nTEL;TYPE=CELL:9 8765 4321\r\n"
        "ADR;TYPE=HOME:;;Av. Providencia 1234;Santiago;RM;7500000;Chile\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    report = ImportService(session).run(path)
    assert report.imported == 1 and report.unchecked == []
    assert phones(by_name(session, "Camila Rojas")) == {"+56987654321"}


# --- the CLI ------------------------------------------------------------------------------------------------------


def _shop_in(vault: Path, country: str) -> None:
    opened = open_session(vault, OWNER, OWNER_PASSWORD)
    set_country(opened, country)
    opened.vault.close()


def test_cli_prints_unused_columns_and_accepts_map(vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _shop_in(vault, "TH")
    plain = run_cli("import", vault, "--user", OWNER, THAI, "--dry-run", "--password-stdin", stdin=LOGIN)
    assert plain.code == 0, plain.err
    assert plain.err.splitlines() == [
        "unused column: Member ID",
        "unused column: Points",
        "unused column: Tier",
        "unused column: Branch",
        "unused column: Last Visit",
    ]
    mapped = run_cli(
        "import",
        vault,
        "--user",
        OWNER,
        THAI,
        "--map",
        "Tier=tags",
        "--map",
        "Points=",
        "--map",
        "Last Visit=note",
        "--password-stdin",
        stdin=LOGIN,
    )
    assert mapped.code == 0, mapped.err
    assert "imported: 6" in mapped.out.splitlines() and "skipped: 0" in mapped.out.splitlines()
    assert mapped.err.splitlines() == ["unused column: Member ID", "unused column: Branch"]
    opened = open_session(vault, OWNER, OWNER_PASSWORD)
    somchai = by_email(opened, "somchai.j@example.co.th")
    assert somchai.tags == ["Gold"] and somchai.notes[0][2] == "2024-03-02"
    opened.vault.close()


def test_cli_map_to_an_unknown_field_is_exit_5_with_the_fields(vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "import", vault, "--user", OWNER, THAI, "--map", "Crm Name=nickname", "--password-stdin", stdin=LOGIN
    )
    assert result.code == 5 and "Traceback" not in result.err
    assert '"nickname" is not something a column can fill' in result.err and "given_name, " in result.err
    broken = run_cli("import", vault, "--user", OWNER, THAI, "--map", "Crm Name", "--password-stdin", stdin=LOGIN)
    assert broken.code == 5 and "COLUMN=FIELD" in broken.err
    opened = open_session(vault, OWNER, OWNER_PASSWORD)
    assert contacts(opened) == 0
    opened.vault.close()


def test_cli_dry_run_shows_the_same_report_as_the_import(vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    dry = run_cli("import", vault, "--user", OWNER, CHILE, "--dry-run", "--password-stdin", stdin=LOGIN)
    real = run_cli("import", vault, "--user", OWNER, CHILE, "--password-stdin", stdin=LOGIN)
    assert dry.code == real.code == 0, real.err
    assert dry.err == real.err
    assert dry.err.splitlines() == [
        "unused column: Tax Exempt",
        'line 5: column "Default Address Phone": not a valid phone number; kept as typed, unchecked',
        'line 6: column "Email": not a valid email address; kept as typed, unchecked',
        f"line 7: {NOBODY}",
    ]
    assert {"would import: 10", "imported: 0", "skipped: 1"} <= set(dry.out.splitlines())
    assert {"imported: 10", "skipped: 1", "purchase totals: 10, replaced: 0"} <= set(real.out.splitlines())


# --- the customer's overview shows what was kept unchecked ------------------------------------------------------


def test_the_overview_marks_an_unchecked_detail(qtbot, session: Session) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from ui.customers.overview import OverviewTab

    ImportService(session).run(CHILE)
    tab = OverviewTab()
    qtbot.addWidget(tab)
    tab.show_record(by_email(session, "benjamin.silva@example.cl"))
    texts = [label.text() for label in tab.widget().findChildren(QLabel)]
    assert "n/a (unchecked)" in texts
    tab.show_record(by_email(session, "camila.rojas@example.cl"))
    texts = [label.text() for label in tab.widget().findChildren(QLabel)]
    assert "9 8765 4321" in texts and not any("(unchecked)" in text for text in texts)
