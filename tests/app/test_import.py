"""CSV import on a real vault: each product's export layout, encodings, broken files, bad rows, duplicates,
consent facts, dry runs, permissions and the audit trail, through the service and the CLI."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.access.session import Session, create_vault, open_session
from app.access.users import UserService
from app.crm.contacts import ContactInput, ContactPointInput, ContactRecord, ContactService
from app.crm.importing.layouts import detect
from app.crm.importing.service import ImportService
from app.errors import InvalidInput, PermissionDenied
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
LOGIN = OWNER_PASSWORD + "\n"


@pytest.fixture(scope="module")
def template_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, password-only vault per module, copied for each test: making a vault costs more than
    most of these tests (0.12 s against 0.02 s)."""
    path = tmp_path_factory.mktemp("template") / "shop.vault"
    session, _recovery_key = create_vault(path, OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP)
    session.vault.close()
    return path


@pytest.fixture
def vault(template_vault: Path, tmp_path: Path) -> Path:
    """A closed copy of the template vault (for the CLI)."""
    for item in template_vault.parent.iterdir():
        shutil.copy2(item, tmp_path / item.name)
    return tmp_path / template_vault.name


@pytest.fixture
def session(vault: Path) -> Iterator[Session]:
    opened = open_session(vault, OWNER, OWNER_PASSWORD)
    yield opened
    opened.vault.close()


def contacts(session: Session) -> int:
    return int(session.conn.execute("SELECT count(*) FROM contact").fetchone()[0])


def audit_entries(session: Session) -> int:
    return int(session.conn.execute("SELECT count(*) FROM audit_event").fetchone()[0])


def by_email(session: Session, email: str) -> ContactRecord:
    row = session.conn.execute(
        "SELECT contact_id FROM contact_point WHERE kind = 'email' AND normalized = ?", (email.lower(),)
    ).fetchone()
    assert row is not None, f"nobody imported with {email}"
    return ContactService(session).get(int(row[0]))


def phones(record: ContactRecord) -> set[str]:
    return {p.normalized for p in record.points if p.kind == "phone"}


def session_as(owner: Session, name: str, role: str) -> Session:
    """Another user, signed in; the first-login password change is not what these tests are about."""
    UserService(owner).add(name, role, "temporary-1")
    with owner.change() as conn:
        conn.execute("UPDATE user SET must_change_password = 0 WHERE name = ?", (name,))
    path = owner.vault.paths.database
    owner.lock()
    return open_session(path, name, "temporary-1")


# --- each product's export ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "layout", "count", "email", "name", "phone"),
    [
        ("shopify_customers_export.csv", "shopify", 6, "wang.fang@example.cn", "王芳", "+8613912345678"),
        ("google_contacts.csv", "google", 4, "taro.yamada@example.jp", "山田太郎", "+819012345678"),
        ("outlook_contacts_cp1252.csv", "outlook", 3, "francois.dupre@example.fr", "François Dupré", "+33639981234"),
        ("hubspot_contacts_export.csv", "hubspot", 3, "minjun.kim@example.kr", "김민준", "+821012345678"),
        ("mailchimp_subscribed_members.csv", "mailchimp", 3, "li.na@example.cn", "李娜", "+8613987654321"),
        ("square_customers_export.csv", "square", 3, "mai.nguyen@example.vn", "Mai Nguyễn", "+84912345678"),
    ],
)
def test_each_export_imports_with_names_and_e164_phones(
    session: Session, fixture: str, layout: str, count: int, email: str, name: str, phone: str
) -> None:
    report = ImportService(session).run(FIXTURES / fixture)
    assert (report.format, report.imported, report.skipped) == (layout, count, 0), report.messages()
    assert contacts(session) == count == len(report.contact_ids)
    record = by_email(session, email)
    assert record.display_name == name
    assert phone in phones(record)


def test_shopify_details(session: Session) -> None:
    ImportService(session).run(FIXTURES / "shopify_customers_export.csv", fmt="shopify")
    jose = by_email(session, "jose.nunez@example.es")
    assert (jose.given_name, jose.family_name) == ("José", "Núñez")
    assert phones(jose) == {"+34612345678"}  # Shopify's leading apostrophe is gone
    assert jose.tags == ["VIP", "wholesale"] and jose.organisations[0][1] == "Café Central"
    address = next(p.value for p in jose.points if p.kind == "address")
    assert address == "Calle Mayor 12, 2º B, Madrid, M, 28013, ES"
    wang = by_email(session, "wang.fang@example.cn")
    assert wang.notes[0][2] == "Prefers WeChat.\nCall after 6pm."  # a quoted newline inside a cell
    olivia = ContactService(session).search("Olivia Smith")[0]
    assert olivia.email is None and olivia.phone == "+447700900123"  # phone only is enough with a name


def test_google_details(session: Session) -> None:
    ImportService(session).run(FIXTURES / "google_contacts.csv")
    taro = by_email(session, "taro.yamada@example.jp")
    assert taro.tags == ["常連"]  # "* myContacts" is Google's, not the shop's
    assert taro.organisations[0][1:] == ("山田商店", "店長")
    assert {p.value for p in taro.points if p.kind == "address"} == {"東京都千代田区丸の内1-1, 100-0005 日本"}
    chloe = by_email(session, "chloe.lefevre@example.fr")
    assert (chloe.given_name, chloe.family_name) == ("Chloé Marie", "Lefèvre")
    assert phones(chloe) == {"+33639985678", "+33639987654"}  # two numbers in one cell, split on " ::: "
    assert {(p.normalized, p.label) for p in chloe.points if p.kind == "email"} == {
        ("chloe.lefevre@example.fr", "home"),
        ("chloe@atelier-rose.example", "work"),
    }
    assert by_email(session, "priya.raman@example.in").tags == ["starred"]


def test_outlook_details(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "outlook_contacts_cp1252.csv")
    assert report.encoding == "cp1252"
    francois = by_email(session, "francois.dupre@example.fr")
    assert francois.tags == ["Suppliers", "VIP"] and francois.organisations[0][1:] == ("Boulangerie Dupré", "Owner")
    assert {(p.normalized, p.label) for p in francois.points if p.kind == "phone"} == {
        ("+33199001234", "work"),
        ("+33639981234", "mobile"),
    }
    assert by_email(session, "ingrid@example.no").notes[0][2] == "Ärger mit Lieferung – gelöst"
    angel = by_email(session, "angel.pena@example.mx")
    assert angel.display_name == "Ángel Peña" and len([p for p in angel.points if p.kind == "email"]) == 2


@pytest.mark.parametrize(
    ("fixture", "layout"),
    [
        ("shopify_customers_export.csv", "shopify"),
        ("google_contacts.csv", "google"),
        ("outlook_contacts_cp1252.csv", "outlook"),
        ("hubspot_contacts_export.csv", "hubspot"),
        ("mailchimp_subscribed_members.csv", "mailchimp"),
        ("mailchimp_unsubscribed_members.csv", "mailchimp"),
        ("square_customers_export.csv", "square"),
        ("generic_contacts.csv", "generic"),
        ("excel_de_semicolon_cp1252.csv", "generic"),
        ("contacts_mixed_versions.vcf", "vcard"),
    ],
)
def test_auto_detection_picks_the_layout(session: Session, fixture: str, layout: str) -> None:
    assert ImportService(session).preview(FIXTURES / fixture).format == layout


@pytest.mark.parametrize(
    ("headers", "layout"),
    [
        (["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing"], "shopify"),
        (["First Name", "Last Name", "Email", "Accepts Marketing", "Total Spent"], "shopify"),  # the older export
        (["Name", "Given Name", "Family Name", "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value"], "google"),
        (["First Name", "Last Name", "E-mail Address", "Mobile Phone"], "outlook"),
        (["Record ID", "First Name", "Email", "Lifecycle Stage"], "hubspot"),
        (["Email Address", "First Name", "MEMBER_RATING", "OPTIN_TIME"], "mailchimp"),
        (["First Name", "Surname", "Email Address", "Square Customer ID"], "square"),
        (["first_name", "last_name", "email"], "generic"),
    ],
)
def test_detection_from_headers(headers: list[str], layout: str) -> None:
    assert detect(headers).key == layout


def test_generic_csv_with_recognisable_headers(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "generic_contacts.csv")
    assert report.imported == 3
    lam = by_email(session, "lam.dang@example.vn")
    assert lam.display_name == "Đặng Văn Lâm" and phones(lam) == {"+84901234567"}
    assert by_email(session, "hannah@example.de").organisations[0][1] == "Nordlicht GmbH"


# --- encodings and CSV structure --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "encoding", "email", "name"),
    [
        ("excel_utf8_bom.csv", "utf-8 (BOM)", "chen.jing@example.cn", "陈静"),
        ("excel_de_semicolon_cp1252.csv", "cp1252", "juergen.weiss@example.de", "Jürgen Weiß"),
        ("excel_de_semicolon_cp1252.csv", "cp1252", "renee@example.dk", "Renée Æbelø"),
        ("excel_unicode_text_utf16le.txt", "utf-16-le (BOM)", "eleni@example.gr", "Ελένη Παπαδοπούλου"),
        ("contacts_utf16be.csv", "utf-16-be (BOM)", "hanako.sato@example.jp", "佐藤花子"),
    ],
)
def test_encodings(session: Session, fixture: str, encoding: str, email: str, name: str) -> None:
    report = ImportService(session).run(FIXTURES / fixture)
    assert report.encoding == encoding and report.skipped == 0
    assert by_email(session, email).display_name == name


@pytest.mark.parametrize(
    ("fixture", "encoding", "email", "name"),
    [
        ("excel_unicode_text_utf16le.txt", "utf-16-le", "eleni@example.gr", "Ελένη Παπαδοπούλου"),
        ("contacts_utf16be.csv", "utf-16-be", "hanako.sato@example.jp", "佐藤花子"),
    ],
)
def test_utf16_without_a_byte_order_mark(
    session: Session, tmp_path: Path, fixture: str, encoding: str, email: str, name: str
) -> None:
    """Some Windows tools save UTF-16 without the mark: it was refused as "not a text export" (or read as the
    other byte order). The same files as above with their mark taken off."""
    raw = (FIXTURES / fixture).read_bytes()
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    copy = tmp_path / fixture
    copy.write_bytes(raw[2:])
    report = ImportService(session).run(copy)
    assert report.encoding == encoding and report.skipped == 0
    assert by_email(session, email).display_name == name


def test_quoted_newlines_keep_line_numbers(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "quoted_newlines.csv")
    assert report.imported == 4 and not report.bad_rows  # the bad address is kept unchecked, with its person
    assert report.unchecked == [(8, 'column "Email": not a valid email address; kept as typed, unchecked')]
    assert by_email(session, "mia@example.com").notes[0][2] == "First line\nsecond line\nthird line"
    assert by_email(session, "lena@example.com").notes[0][2] == 'a "quoted" word\nand a comma, here'


def test_ragged_rows(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "ragged_rows.csv")
    assert report.imported == 4  # short rows are padded, trailing empty cells ignored
    assert [line for line, _reason in report.bad_rows] == [5]  # extra cells with data: columns would be shifted
    assert "6 cells" in report.bad_rows[0][1]
    assert by_email(session, "kai@example.com").display_name == "Kai Tanaka"
    assert ContactService(session).search("Eva Novak")[0].email is None


# --- broken files: a clear error and nothing written --------------------------------------------------------


def _ten_megabyte_cell(tmp_path: Path) -> Path:
    path = tmp_path / "huge.csv"
    path.write_text(
        "Name,Email,Notes\nAna Lee,ana@example.com,ok\nBen Cole,ben@example.com," + "x" * 10_000_000 + "\n",
        encoding="utf-8",
    )
    return path


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "photo.csv"
    path.write_bytes(random.Random(5).randbytes(4096))
    return path


def _workbook(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"  # an .xlsx renamed: a zip archive
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + random.Random(6).randbytes(2000))
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: FIXTURES / "broken_bad_utf8.csv", "Line 4"),
        (lambda tmp: FIXTURES / "broken_nul_byte.csv", "Line 3"),
        (lambda tmp: FIXTURES / "broken_unbalanced_quote.csv", "Line 3"),
        (lambda tmp: FIXTURES / "broken_empty.csv", "empty"),
        (lambda tmp: FIXTURES / "broken_no_name_column.csv", "name"),
        (_ten_megabyte_cell, "Line 3"),
        (_binary, "Line 1 has bytes that are not valid utf-8"),
        (_workbook, "spreadsheet"),
    ],
)
def test_malformed_files_write_nothing(session: Session, tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    ContactService(session).create(ContactInput(given_name="Already", family_name="Here"))
    before_contacts, before_audit = contacts(session), audit_entries(session)
    with pytest.raises(InvalidInput, match=expected):
        ImportService(session).run(make(tmp_path))
    assert contacts(session) == before_contacts == 1
    assert audit_entries(session) == before_audit


def test_error_after_good_rows_rolls_everything_back(session: Session, tmp_path: Path) -> None:
    """Rows stream into one transaction: a broken line near the end undoes the rows already inserted."""
    path = tmp_path / "late.csv"
    good = "".join(f"Person {n},p{n}@example.com\n" for n in range(50))
    path.write_text("Name,Email\n" + good + '"Unclosed,quote@example.com\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="Line 52"):
        ImportService(session).run(path)
    assert contacts(session) == 0


def test_errors_never_quote_the_data(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "bad_rows.csv")
    text = " ".join(reason for _line, reason in report.messages())
    assert "ben(at)example.com" not in text and "Cole" not in text and "+44" not in text


# --- bad rows and duplicates -------------------------------------------------------------------------------


def test_bad_details_are_kept_unchecked_and_only_nobody_is_skipped(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "bad_rows.csv")
    assert report.imported == 5 and report.skipped == 1
    assert report.bad_rows == [(8, "nothing to identify the person: no name, email address or phone number")]
    reasons = dict(report.unchecked)
    assert list(reasons) == [3, 4]
    assert reasons[3] == 'column "Email": not a valid email address; kept as typed, unchecked'
    assert reasons[4].startswith('column "Phone": not a valid phone number')
    assert {c.name for c in ContactService(session).search("")} == {
        "Ava Stone",
        "Ben Cole",
        "Cara Diaz",
        "Dev Patel",
        "+44 7700 900789",
    }


def test_customers_in_the_vault_are_matched_and_repeats_in_the_file_skipped(session: Session) -> None:
    existing = ContactService(session).create(
        ContactInput(display_name="Existing Person", points=[ContactPointInput("email", "existing@example.com")])
    )
    report = ImportService(session).run(FIXTURES / "duplicates.csv")
    # issue #16: a customer already there is matched (updated), no longer skipped
    assert report.imported == 2 and report.skipped == 2 and not report.bad_rows
    found = {(d.line, d.kind, d.existing_id, d.earlier_line) for d in report.duplicates}
    assert found == {(2, "email", existing, None), (4, "email", None, 3), (5, "phone", None, 3)}
    assert [(m.line, m.contact_id, m.by, m.changes) for m in report.matched] == [(2, existing, "email", [])]
    assert contacts(session) == 3


def test_preview_offers_duplicates_and_run_can_keep_some(session: Session) -> None:
    service = ImportService(session)
    preview = service.preview(FIXTURES / "duplicates.csv", limit=3)
    assert [row.status for row in preview.rows] == ["ok", "ok", "duplicate"]  # the first three records
    assert [d.line for d in preview.report.duplicates] == [4, 5]  # the whole file, in the report
    assert contacts(session) == 0  # a preview writes nothing
    report = service.run(FIXTURES / "duplicates.csv", keep_duplicates=[4])
    assert report.imported == 4 and [d.line for d in report.duplicates] == [5]


def test_column_mapping_can_be_overridden(session: Session) -> None:
    service = ImportService(session)
    preview = service.preview(FIXTURES / "generic_contacts.csv", mapping={"Notes": "job_title", "Company": ""})
    assert {c.header: c.field for c in preview.columns}["Notes"] == "job_title"
    hannah = next(row.contact for row in preview.rows if row.contact and "Hannah" in row.contact.display_name)
    assert (hannah.job_title, hannah.organisation, hannah.note) == ("Met at the fair", "", "")
    with pytest.raises(InvalidInput):
        service.preview(FIXTURES / "generic_contacts.csv", mapping={"Notes": "birthday"})


# --- consent facts -----------------------------------------------------------------------------------------


def _facts(session: Session, fixture: str) -> dict[str, set[tuple[str, bool]]]:
    preview = ImportService(session).preview(FIXTURES / fixture, limit=100)
    return {
        row.contact.display_name or row.contact.given_name: {(f.purpose, f.granted) for f in row.consents}
        for row in preview.rows
        if row.contact
    }


def test_shopify_marketing_columns_become_consent_facts(session: Session) -> None:
    facts = _facts(session, "shopify_customers_export.csv")
    assert facts["José"] == {("email_marketing", True), ("sms_marketing", False)}
    assert facts["Zoë"] == {("email_marketing", True)}  # an empty "Accepts SMS Marketing" states nothing
    report = ImportService(session).run(FIXTURES / "shopify_customers_export.csv")
    assert report.consents_found == 10
    assert report.consent_counts == {
        "email_marketing granted": 3,
        "email_marketing refused": 3,
        "sms_marketing granted": 2,
        "sms_marketing refused": 2,
    }


def test_mailchimp_opt_in_and_unsubscribe(session: Session) -> None:
    preview = ImportService(session).preview(FIXTURES / "mailchimp_subscribed_members.csv")
    assert all([(f.purpose, f.granted) for f in row.consents] == [("email_marketing", True)] for row in preview.rows)
    assert 'Mailchimp "OPTIN_TIME" = 2023-02-11 09:21:44' in preview.rows[0].consents[0].source
    assert "CONFIRM_TIME" in preview.rows[1].consents[0].source  # Björn has no opt-in time, only a confirmation
    unsubscribed = ImportService(session).preview(FIXTURES / "mailchimp_unsubscribed_members.csv")
    assert [(f.purpose, f.granted) for f in unsubscribed.rows[0].consents] == [("email_marketing", False)]


def test_hubspot_opt_out_false_is_not_a_consent(session: Session) -> None:
    facts = _facts(session, "hubspot_contacts_export.csv")
    assert facts == {"민준": set(), "Ana-María": {("email_marketing", False)}, "Liam": set()}


@pytest.mark.parametrize(
    "fixture",
    ["google_contacts.csv", "outlook_contacts_cp1252.csv", "generic_contacts.csv", "contacts_mixed_versions.vcf"],
)
def test_no_consent_is_invented(session: Session, fixture: str) -> None:
    report = ImportService(session).run(FIXTURES / fixture)
    assert report.imported > 0 and report.consents_found == 0 and report.consent_counts == {}


def test_consent_facts_are_recorded_as_import_events(session: Session) -> None:
    from app.consent.ledger import ConsentService

    report = ImportService(session).run(FIXTURES / "shopify_customers_export.csv")
    assert report.consents_stored == report.consents_found == 10
    rows = session.conn.execute("SELECT method, source, action FROM consent_event").fetchall()
    assert len(rows) == 10 and {r[0] for r in rows} == {"import"}
    assert all(r[1].startswith("shopify_customers_export.csv: ") for r in rows)
    consent = ConsentService(session)
    granted = {i for i in consent.eligible_ids("email_marketing")}
    said_yes = {
        cid
        for cid in report.contact_ids
        if any(e.purpose_key == "email_marketing" and e.action == "grant" for e in consent.history(cid))
    }
    assert granted == said_yes and len(granted) == 3


def test_import_and_its_consents_roll_back_together(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.consent.ledger import ConsentService

    def broken(self: object, facts: object, **options: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ConsentService, "record_imported", broken)
    before = session.conn.execute("SELECT count(*) FROM contact").fetchone()[0]
    with pytest.raises(RuntimeError):
        ImportService(session).run(FIXTURES / "shopify_customers_export.csv")
    assert session.conn.execute("SELECT count(*) FROM contact").fetchone()[0] == before


# --- dry run, permissions, audit ---------------------------------------------------------------------------


def test_dry_run_writes_nothing(session: Session) -> None:
    before = audit_entries(session)
    report = ImportService(session).run(FIXTURES / "shopify_customers_export.csv", dry_run=True)
    assert report.dry_run and report.imported == 6 and report.contact_ids == []
    assert contacts(session) == 0 and audit_entries(session) == before


def test_progress_is_reported_every_thousand_rows(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("Name,Email\n" + "".join(f"P{n},p{n}@example.com\n" for n in range(1500)), encoding="utf-8")
    seen: list[int] = []
    ImportService(session).run(path, dry_run=True, progress=seen.append)
    assert seen == [1000]


def test_staff_may_import_but_an_auditor_may_not(session: Session) -> None:
    staff = session_as(session, "Sam", "staff")
    assert ImportService(staff).run(FIXTURES / "square_customers_export.csv").imported == 3
    path = staff.vault.paths.database
    staff.vault.close()
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    auditor = session_as(owner, "Audrey", "auditor")
    with pytest.raises(PermissionDenied):
        ImportService(auditor).run(FIXTURES / "generic_contacts.csv")
    with pytest.raises(PermissionDenied):
        ImportService(auditor).preview(FIXTURES / "generic_contacts.csv")
    assert contacts(auditor) == 3
    auditor.vault.close()


def test_import_is_audited_with_counts_only(session: Session) -> None:
    ImportService(session).run(FIXTURES / "bad_rows.csv")
    rows = session.conn.execute("SELECT action, summary FROM audit_event ORDER BY id DESC LIMIT 2").fetchall()
    assert rows[1] == ("contact.bulk_create", "5 from import:generic")
    assert rows[0][0] == "contact.import"
    assert rows[0][1].startswith("generic: 5 imported, 1 skipped (0 duplicates, 1 bad rows)")
    for _action, summary in rows:
        assert "@" not in summary and "Ava" not in summary and "Stone" not in summary


# --- the CLI -----------------------------------------------------------------------------------------------


def test_cli_import(vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = vault
    result = run_cli("import", path, "--user", OWNER, FIXTURES / "bad_rows.csv", "--password-stdin", stdin=LOGIN)
    assert result.code == 0, result.err
    assert "imported: 5" in result.out.splitlines() and "skipped: 1" in result.out.splitlines()
    assert [line.split(":")[0] for line in result.err.splitlines()] == ["line 3", "line 4", "line 8"]
    shopify = run_cli(
        "import",
        path,
        "--user",
        OWNER,
        FIXTURES / "shopify_customers_export.csv",
        "--format",
        "shopify",
        "--password-stdin",
        stdin=LOGIN,
    )
    assert shopify.code == 0 and "imported: 6" in shopify.out and "consents stated in the file: 10" in shopify.out
    session = open_session(path, OWNER, OWNER_PASSWORD)
    assert contacts(session) == 11
    session.vault.close()


def test_cli_dry_run_and_malformed_file(vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = vault
    dry = run_cli(
        "import", path, "--user", OWNER, FIXTURES / "google_contacts.csv", "--dry-run", "--password-stdin", stdin=LOGIN
    )
    assert dry.code == 0 and "would import: 4" in dry.out and "imported: 0" in dry.out
    broken = run_cli(
        "import", path, "--user", OWNER, FIXTURES / "broken_unbalanced_quote.csv", "--password-stdin", stdin=LOGIN
    )
    assert broken.code == 5 and "Line 3" in broken.err and "Traceback" not in broken.err
    session = open_session(path, OWNER, OWNER_PASSWORD)
    assert contacts(session) == 0
    session.vault.close()


def test_cli_auditor_exit_4(session: Session, run_cli) -> None:  # type: ignore[no-untyped-def]
    auditor = session_as(session, "Audrey", "auditor")
    path = auditor.vault.paths.database
    auditor.vault.close()
    result = run_cli(
        "import", path, "--user", "Audrey", FIXTURES / "generic_contacts.csv", "--password-stdin", stdin="temporary-1\n"
    )
    assert result.code == 4 and "imported" not in result.out


def test_a_large_file_stores_consents_a_batch_at_a_time_and_keeps_no_keys(session: Session, tmp_path: Path) -> None:
    """Consents go in as each batch of people is written (nothing is held for every row until the end), with
    one audit entry for them all; duplicates within the file are still found by line."""
    path = tmp_path / "customers_export.csv"
    rows = "".join(f"P{n},Q,p{n}@example.com,{'yes' if n % 2 else 'no'}\n" for n in range(2500))
    path.write_text(
        "First Name,Last Name,Email,Accepts Email Marketing\n" + rows + "Again,Q,p7@example.com,yes\n", encoding="utf-8"
    )
    before = session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'consent.import'").fetchone()[0]
    report = ImportService(session).run(path)
    assert report.imported == 2500 and report.consents_stored == 2500
    assert [(d.line, d.earlier_line) for d in report.duplicates] == [(2502, 9)]  # same address as line 9
    stored = session.conn.execute(
        "SELECT count(*) FROM consent_event WHERE method = 'import' AND contact_id IN (SELECT value FROM json_each(?))",
        (json.dumps(report.contact_ids),),
    ).fetchone()[0]
    assert stored == 2500
    granted = session.conn.execute(
        "SELECT action FROM consent_event WHERE contact_id = ?", (report.contact_ids[7],)
    ).fetchone()[0]
    assert granted == "grant"  # P7 said yes: the facts stayed with their own person across batches
    after = session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'consent.import'").fetchone()[0]
    assert after == before + 1


def test_the_duplicate_finder_keeps_digests_not_addresses(session: Session) -> None:
    from app.crm.importing.duplicates import DuplicateFinder

    finder = DuplicateFinder(session.conn)
    finder.remember(3, [("email", "ana@example.org"), ("phone", "+447700900123")])
    assert finder.find(9, [("email", "ana@example.org")]).earlier_line == 3  # type: ignore[union-attr]
    assert finder.find(9, [("phone", "+447700900999")]) is None
    held = repr(vars(finder))
    assert "ana@example.org" not in held and "7700900123" not in held
    key = [("email", "ana@example.org")]
    assert DuplicateFinder(session.conn)._digests(key, []) != finder._digests(key, [])  # a new key per import
