"""vCard import (2.1 quoted-printable, 3.0, 4.0, real exports from phones and mail programs) and vCard export
(permission, audit, round trip), on a real vault."""

from __future__ import annotations

from pathlib import Path

import pytest
import vobject  # type: ignore[import-untyped]

from app.access.session import Session, open_session
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.importing.service import ImportService
from app.crm.vcard import export_vcards
from app.errors import InvalidInput, PermissionDenied
from tests.app import test_import as shared
from tests.app.test_import import FIXTURES, by_email, contacts, phones, session_as
from tests.conftest import OWNER, OWNER_PASSWORD

template_vault, vault, session = shared.template_vault, shared.vault, shared.session  # the same fast fixtures

SAMPLES = Path(__file__).parents[1] / "fixtures" / "vcard"  # real exports; where each came from: SOURCES.md there


# --- real exports (tests/fixtures/vcard) -------------------------------------------


@pytest.mark.parametrize(
    ("sample", "cards"),
    [
        ("android-v21-qp-utf8-photo.vcf", 6),
        ("gmail-v30-multi-email-tel.vcf", 1),
        ("iphone-v30-photo.vcf", 1),
        ("outlook-v21-photo.vcf", 1),
        ("radicale-v40-datauri-photo.vcf", 1),
        ("rfc6350-v40-example.vcf", 1),
    ],
)
def test_every_sample_imports(session: Session, sample: str, cards: int) -> None:
    report = ImportService(session).run(SAMPLES / sample)
    assert (report.format, report.imported, report.skipped) == ("vcard", cards, 0), report.messages()
    assert contacts(session) == cards


def test_quoted_printable_utf8_in_version_21(session: Session) -> None:
    ImportService(session).run(SAMPLES / "android-v21-qp-utf8-photo.vcf")
    henry = by_email(session, "henry@company.com")
    assert henry.display_name == "ÑÑÑÑ"  # =C3=91 four times
    assert henry.organisations[0][1].startswith("ÑÑÑÑÑÑÑÑÑÑÑ")  # soft line breaks joined
    bob = by_email(session, "bob@company.com")
    assert (bob.given_name, bob.family_name) == ("Ñ Ñ Ñ", "Ñ Ñ")
    assert "\ufffd" not in bob.display_name


def test_version_30_and_40_details(session: Session) -> None:
    service = ImportService(session)
    service.run(SAMPLES / "rfc6350-v40-example.vcf")
    simon = by_email(session, "simon.perreault@viagenie.ca")
    assert simon.display_name == "Simon Perreault" and simon.organisations[0][1] == "Viagenie"
    assert phones(simon) == {"+14186569254", "+14182626501"}  # TEL;VALUE=uri:tel:…
    service.run(SAMPLES / "gmail-v30-multi-email-tel.vcf")
    gmail = by_email(session, "email@example.com")
    assert len([p for p in gmail.points if p.kind == "email"]) == 5
    assert gmail.organisations[0][1:] == ("TheCompany", "TheJobTitle")
    assert gmail.notes[0][2].startswith("note line 1\nnote line 2")
    service.run(SAMPLES / "iphone-v30-photo.vcf")
    duplicates = service.preview(SAMPLES / "outlook-v21-photo.vcf").report.duplicates
    assert [d.kind for d in duplicates] == ["phone"]  # both cards' home number, read in their ADR's country (US)
    service.run(SAMPLES / "outlook-v21-photo.vcf", keep_duplicates=[d.line for d in duplicates])
    iphone = by_email(session, "john.doe@ibm.com")  # CR CR LF line ends
    assert (iphone.given_name, iphone.family_name) == ("John Richter James", "Doe")
    outlook = by_email(session, "john.doe@ibm.cm")
    assert "INCLUDING, BUT NOT LIMITED TO" in outlook.notes[0][2]  # commas in a 2.1 value are not separators


def test_photos_are_ignored_and_said_so(session: Session) -> None:
    for sample, line in (
        ("iphone-v30-photo.vcf", 25),
        ("outlook-v21-photo.vcf", 24),
        ("radicale-v40-datauri-photo.vcf", 7),
    ):
        report = ImportService(session).run(SAMPLES / sample, dry_run=True)  # the same John Doe in two of them
        assert (line, "PHOTO not imported (Counterpart does not keep pictures or sounds)") in report.warnings


def test_phones_without_country_code_are_kept_unchecked_with_the_card(session: Session) -> None:
    report = ImportService(session).run(SAMPLES / "gmail-v30-multi-email-tel.vcf")
    assert report.imported == 1
    assert [line for line, reason in report.unchecked if reason.startswith("TEL")] == [*range(22, 31), 32, 33]
    assert all("555" not in reason for _line, reason in report.unchecked)
    kept = [p for p in by_email(session, "email@example.com").points if p.kind == "phone"]
    assert len(kept) == 11 and all(p.unchecked and p.normalized == "" for p in kept)
    assert "5555551111" in {p.value for p in kept}  # as typed


# --- our own fixture: raw UTF-8 in 4.0, 3.0 and quoted-printable 2.1 in one file -------------------------------


def test_mixed_versions(session: Session) -> None:
    report = ImportService(session).run(FIXTURES / "contacts_mixed_versions.vcf")
    assert report.imported == 4 and report.bad_rows == []
    assert [c.name for c in ContactService(session).search("900999")] == ["+44 7700 900999"]  # a number only
    wang = by_email(session, "wang.fang@example.cn")
    assert (wang.display_name, wang.given_name, wang.family_name) == ("王芳", "芳", "王")
    assert phones(wang) == {"+8613912345678"} and wang.tags == ["VIP", "常客"]
    maria = by_email(session, "mj.garcia@example.es")
    assert maria.organisations[0][1:] == ("La Tienda Verde", "Gerente")
    assert {p.value for p in maria.points if p.kind == "address"} == {"Calle de Alcalá 1, Madrid, 28014, España"}
    assert maria.notes[0][2] == "Prefiere correo, no llamadas.\nCliente desde 2019."
    zoe = by_email(session, "zoe.mueller@example.de")
    assert zoe.display_name == "Zoë Müller"
    assert zoe.notes[0][2] == "Bestellt Blumen für die Hochzeit, bitte früh liefern."  # QP soft line break


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lee\r\nEMAIL:ana@example.com\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ben Cole\r\n",
            "Line 6: the card that starts here has no END:VCARD",
        ),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lee\r\nEND:VCARD\r\nstray text\r\n", "Line 5 is outside any card"),
        ("Name,Email\r\nAna Lee,ana@example.com\r\n", "Line 1 is outside any card"),
    ],
)
def test_malformed_vcard_files_write_nothing(session: Session, tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=expected):
        ImportService(session).run(path, fmt="vcard")
    assert contacts(session) == 0


# --- export ------------------------------------------------------------------------------------------------


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    service = ContactService(session)
    return {
        "wang": service.create(
            ContactInput(
                given_name="芳",
                family_name="王",
                organisation="北京花店",
                points=[
                    ContactPointInput("email", "wang.fang@example.cn", "home"),
                    ContactPointInput("phone", "+86 139 1234 5678", "mobile"),
                ],
                tags=["VIP"],
                note="Prefers WeChat, evenings",
            )
        ),
        "jose": service.create(
            ContactInput(
                given_name="José",
                family_name="Núñez",
                job_title="Chef",
                organisation="Café Central",
                points=[
                    ContactPointInput("email", "jose.nunez@example.es"),
                    ContactPointInput("phone", "+34 612 345 678", "work"),
                    ContactPointInput("address", "Calle Mayor 12, Madrid"),
                ],
            )
        ),
        "kim": service.create(ContactInput(given_name="Kim", family_name="Lee")),
    }


def test_export_writes_vcard_30_and_is_audited(session: Session, people: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "customers.vcf"
    assert export_vcards(session, out, ids=[people["wang"], people["jose"]]) == 2
    cards = list(vobject.readComponents(out.read_text(encoding="utf-8")))
    assert [card.version.value for card in cards] == ["3.0", "3.0"]
    wang = next(card for card in cards if card.fn.value == "王芳")
    assert (wang.n.value.family, wang.n.value.given) == ("王", "芳")
    assert wang.tel.value == "+8613912345678" and wang.tel.type_param == "CELL"
    assert wang.categories.value == ["VIP"] and wang.note.value == "Prefers WeChat, evenings"
    last = session.conn.execute("SELECT action, summary FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    assert last == ("contact.export", "2 vCards (chosen)")
    assert export_vcards(session, tmp_path / "wang.vcf", query="王") == 1


def test_export_round_trips_through_import(
    session: Session, people: dict[str, int], tmp_path: Path, template_vault: Path
) -> None:
    out = tmp_path / "everyone.vcf"
    assert export_vcards(session, out) == 3
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    for item in template_vault.parent.iterdir():
        (other_dir / item.name).write_bytes(item.read_bytes())
    other = open_session(other_dir / template_vault.name, OWNER, OWNER_PASSWORD)
    try:
        assert ImportService(other).run(out).imported == 3
        for name in ("wang", "jose", "kim"):
            before = ContactService(session).get(people[name])
            after = ContactService(other).search(before.display_name)[0]
            again = ContactService(other).get(after.id)
            assert (again.given_name, again.family_name, again.display_name) == (
                before.given_name,
                before.family_name,
                before.display_name,
            )
            assert {(p.kind, p.normalized) for p in again.points} == {(p.kind, p.normalized) for p in before.points}
            assert again.tags == before.tags and [n[2] for n in again.notes] == [n[2] for n in before.notes]
    finally:
        other.vault.close()


def test_staff_cannot_export(session: Session, tmp_path: Path) -> None:
    staff = session_as(session, "Sam", "staff")
    with pytest.raises(PermissionDenied):
        export_vcards(staff, tmp_path / "x.vcf")
    assert not (tmp_path / "x.vcf").exists()
    staff.vault.close()


def test_cli_export_and_import_vcard(vault: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    login = OWNER_PASSWORD + "\n"
    imported = run_cli(
        "import", vault, "--user", OWNER, FIXTURES / "contacts_mixed_versions.vcf", "--password-stdin", stdin=login
    )
    assert imported.code == 0 and "imported: 4" in imported.out and "format: vcard" in imported.out
    assert imported.err == ""  # the card with only a number is a customer too
    out = tmp_path / "out.vcf"
    exported = run_cli("export", vault, "--user", OWNER, "--vcard", out, "--password-stdin", stdin=login)
    assert exported.code == 0, exported.err
    assert out.read_text(encoding="utf-8").count("BEGIN:VCARD") == 4
    both = run_cli(
        "export", vault, "--user", OWNER, "--vcard", out, "--csv", tmp_path / "x.csv", "--password-stdin", stdin=login
    )
    assert both.code == 2


def test_a_vcard_export_counts_its_cards_and_a_stopped_one_leaves_no_file(session: Session, tmp_path: Path) -> None:
    ContactService(session).create_many(
        (
            ContactInput(
                given_name=["Zoë", "王", "Ólafur"][n % 3],
                family_name=f"Karte{n}",
                points=[ContactPointInput("email", f"k{n}@example{n % 7}.org")] if n % 4 else [],
            )
            for n in range(2100)
        ),
        source="test",
    )
    counted: list[int] = []
    whole = tmp_path / "all.vcf"
    assert export_vcards(session, whole, progress=counted.append) >= 2100
    assert counted == [1000, 2000] and whole.read_text(encoding="utf-8").count("BEGIN:VCARD") >= 2100
    folder = tmp_path / "stopped"
    folder.mkdir()

    def stop(cards: int) -> None:
        raise InterruptedError(f"stopped at {cards}")

    exports = "SELECT count(*) FROM audit_event WHERE action = 'contact.export'"
    before = session.conn.execute(exports).fetchone()[0]
    with pytest.raises(InterruptedError, match="stopped at 1000"):
        export_vcards(session, folder / "cards.vcf", progress=stop)
    assert list(folder.iterdir()) == []  # no half-written file, not even the temporary one
    assert session.conn.execute(exports).fetchone()[0] == before  # and no export in the log
