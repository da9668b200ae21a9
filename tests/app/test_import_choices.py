"""Issue #16: a re-import never overwrites a customer's value silently; the person importing chooses, for every
conflict at once or field by field, whether the vault's value stays (the default) or the file's replaces it.

Fixture: shopify_customers_reexport_2027.csv, a later export of the shop in shopify_customers_export.csv where
José's company, Zoë's family name, Olivia's phone and Ngozi's email changed (tests/fixtures/import/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactPointInput, ContactRecord, ContactService
from app.crm.importing.model import FieldChange
from app.crm.importing.service import ImportService
from tests.app import test_import as shared
from tests.app.test_import import FIXTURES, LOGIN, by_email, phones
from tests.conftest import OWNER

template_vault, vault, session = shared.template_vault, shared.vault, shared.session  # the same fast fixtures

SHOPIFY = FIXTURES / "shopify_customers_export.csv"
LATER = FIXTURES / "shopify_customers_reexport_2027.csv"

ORGANISATION = FieldChange("organisation", "conflict", "Café Central", "Café Norte")
FAMILY = FieldChange("family_name", "conflict", "Müller", "Schmidt")
PHONE = FieldChange("phone", "conflict", "+447700900123", "+447700900456")
EMAIL = FieldChange("email", "conflict", "ngozi.okafor@example.org", "ngozi@example.net")


def person(session: Session, name: str) -> ContactRecord:
    return ContactService(session).get(ContactService(session).search(name, 5)[0].id)


def emails(record: ContactRecord) -> set[str]:
    return {p.value for p in record.points if p.kind == "email"}


def test_the_preview_lists_each_conflict_with_both_values(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    report = ImportService(session).preview(LATER).report
    assert {m.line: m.conflicts for m in report.matched if m.conflicts} == {
        2: [ORGANISATION],
        5: [FAMILY],
        6: [PHONE],
        8: [EMAIL],
    }
    assert all(m.taken == [] for m in report.matched)  # nothing chosen: every conflict is kept


def test_by_default_the_customers_values_stay(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    report = ImportService(session).run(LATER)
    assert (len(report.matched), report.updated, len(report.conflicts), report.replaced) == (6, 0, 4, [])
    assert person(session, "José").organisations[0][1] == "Café Central"
    assert person(session, "Zoë").family_name == "Müller"
    assert phones(person(session, "Olivia")) == {"+447700900123"}
    assert emails(person(session, "Ngozi")) == {"ngozi.okafor@example.org"}


def test_taking_the_files_values_replaces_every_conflict_in_its_place(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    report = ImportService(session).run(LATER, overwrite=True)
    assert (report.updated, report.conflicts) == (4, [])
    assert [line for line, _reason in report.replaced] == [2, 5, 6, 8]
    assert report.replaced[1][1] == f"customer {person(session, 'Zoë').id}: their family name is replaced by the file's"
    jose = by_email(session, "jose.nunez@example.es")
    assert [name for _id, name, _title in jose.organisations] == ["Café Norte"]
    zoe = by_email(session, "zoe.mueller@example.de")
    assert (zoe.family_name, zoe.display_name) == ("Schmidt", "Zoë Schmidt")  # the name shown follows
    olivia = person(session, "Olivia")
    assert [(p.kind, p.normalized) for p in olivia.points] == [("phone", "+447700900456")]  # replaced, not added
    ngozi = person(session, "Ngozi")
    assert emails(ngozi) == {"ngozi@example.net"}
    # unchanged people are not touched, and the next run of the same file finds nothing left to decide
    assert person(session, "王").display_name == "王芳"
    again = ImportService(session).preview(LATER).report
    assert [m.changes for m in again.matched] == [[]] * 6
    assert (
        "4 replaced by the file's"
        in session.conn.execute(
            "SELECT summary FROM audit_event WHERE action = 'contact.import' ORDER BY id DESC"
        ).fetchone()[0]
    )


def test_a_choice_per_field_takes_only_those(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    report = ImportService(session).run(LATER, overwrite={(5, FAMILY), (6, PHONE), (2, EMAIL)})  # (2, EMAIL): no such
    assert [line for line, _r in report.replaced] == [5, 6] and [line for line, _r in report.conflicts] == [2, 8]
    assert by_email(session, "zoe.mueller@example.de").family_name == "Schmidt"
    assert phones(person(session, "Olivia")) == {"+447700900456"}
    assert [name for _id, name, _t in by_email(session, "jose.nunez@example.es").organisations] == ["Café Central"]
    assert emails(person(session, "Ngozi")) == {"ngozi.okafor@example.org"}


def test_a_dry_run_reports_the_choice_and_writes_nothing(session: Session) -> None:
    ImportService(session).run(SHOPIFY)
    report = ImportService(session).run(LATER, dry_run=True, overwrite=True)
    assert len(report.replaced) == 4 and report.updated == 0
    assert by_email(session, "zoe.mueller@example.de").family_name == "Müller"


def test_a_match_by_phone_alone_stays_untouched_whatever_the_choice(session: Session, tmp_path: Path) -> None:
    existing = ContactService(session).create(
        ContactInput(
            display_name="Rosa Vidal",
            points=[ContactPointInput("email", "rosa@example.es"), ContactPointInput("phone", "+34612000111")],
        )
    )
    path = tmp_path / "customers.csv"
    path.write_text("Name,Email,Phone\nRosa V.,r.vidal@example.com,+34612000111\n", encoding="utf-8")
    report = ImportService(session).run(path, overwrite=True)
    assert report.matched[0].held and report.replaced == [] and report.updated == 0
    assert emails(ContactService(session).get(existing)) == {"rosa@example.es"}


def test_the_cli_prints_each_count_and_takes_the_files_values_when_asked(vault: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    run_cli("import", str(vault), "--user", OWNER, str(SHOPIFY), "--password-stdin", stdin=LOGIN)
    kept = run_cli("import", str(vault), "--user", OWNER, str(LATER), "--password-stdin", stdin=LOGIN)
    assert kept.code == 0, kept.err
    lines = kept.out.splitlines()
    assert "imported: 0" in lines and "matched, updated: 0" in lines and "matched, unchanged: 6" in lines
    assert "conflicts kept: 4" in lines and "replaced by the file's: 0" in lines and "unused columns: 1" in lines
    assert [line for line in lines if line.startswith("purchase totals")] == [
        "purchase totals: 6, replaced: 1"
    ]  # one customer bought since
    taken = run_cli(
        "import", str(vault), "--user", OWNER, str(LATER), "--update", "file", "--json", "--password-stdin", stdin=LOGIN
    )
    assert taken.code == 0, taken.err
    counts = json.loads(taken.out)
    assert [counts[key] for key in ("imported", "updated", "unchanged", "replaced", "conflicts_kept")] == [
        0,
        4,
        2,
        4,
        0,
    ]
    assert counts["unused_columns"] == ["Tax Exempt"]  # Total Spent and Total Orders are the shop's totals now
    # the shop's running totals: the second import of the later export finds them as they are
    assert (counts["purchase_totals"], counts["totals_replaced"]) == (6, 0)
    assert [r["line"] for r in counts["replaced_fields"]] == [2, 5, 6, 8]
    bad = run_cli(
        "import", str(vault), "--user", OWNER, str(LATER), "--update", "mine", "--password-stdin", stdin=LOGIN
    )
    assert bad.code == 2
