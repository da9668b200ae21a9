"""Every export carries the audit chain's signed head (#17): a copy kept outside the vault proves the log's end.

The attacker is a staff member who holds the data key through her own slot: she cuts the end of the log and seals
the shorter log into the key file with her own key, which the key file's head alone cannot tell from an honest
lock. An export made before the cut still names the entry that is gone: `verify --head-from FILE` exits 6.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.access.session import Session, open_session
from app.access.users import UserService
from app.admin import security
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.export import export_csv
from app.crm.vcard import export_vcards
from app.documents.access_export import PDF_HEAD_KEY, export_subject
from app.errors import InvalidInput
from app.privacy import audit_service
from app.privacy.audience import write_audience
from app.privacy.portability import HEAD_MEMBER
from app.store import audit
from tests.app.test_audit_signatures import STAFF, STAFF_PASSWORD, staff_program
from tests.conftest import OWNER, OWNER_PASSWORD

LOGIN = OWNER_PASSWORD + "\n"


@pytest.fixture
def shop(new_vault: tuple[Path, str]) -> Path:
    """Owner Ana with two customers (one who agreed to email marketing) and staff member Sam; locked."""
    path = new_vault[0]
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    contacts = ContactService(owner)
    kim = contacts.create(
        ContactInput(given_name="Kim", family_name="Lee", points=[ContactPointInput("email", "kim@example.org")])
    )
    contacts.create(ContactInput(given_name="Zoë", family_name="Müller"))
    ConsentService(owner).record(kim, "email_marketing", True, "verbal")
    UserService(owner).add(STAFF, "staff", "temporary-1")
    owner.lock()
    sam = open_session(path, STAFF, "temporary-1")
    UserService(sam).change_own_password("temporary-1", STAFF_PASSWORD)
    sam.lock()
    return path


def _last(session: Session) -> tuple[str, str | None, str | None, str]:
    row = session.conn.execute(
        "SELECT action, entity_type, entity_id, summary FROM audit_event ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return str(row[0]), row[1], row[2], str(row[3])


def _every_export(session: Session, folder: Path) -> dict[str, tuple[Path, int]]:
    """Make each kind of export; returns {kind: (file, the head id its audit entry names)}."""
    kim = int(session.conn.execute("SELECT id FROM contact WHERE display_name = 'Kim Lee'").fetchone()[0])
    made: dict[str, tuple[Path, int]] = {}

    def named_in_entity(kind: str, path: Path) -> None:
        action, entity_type, entity_id, _summary = _last(session)
        assert (action, entity_type) == (kind, "audit_event"), _last(session)
        made[path.suffix + " " + kind] = (path, int(str(entity_id)))

    def named_in_summary(kind: str, path: Path) -> None:
        action, _type, _entity, summary = _last(session)
        assert action == kind and "; head " in summary, _last(session)
        made[path.suffix + " " + kind] = (path, int(summary.rsplit("; head ", 1)[1]))

    export_vcards(session, folder / "customers.vcf")
    named_in_entity("contact.export", folder / "customers.vcf")
    audit_service.export_csv(session, folder / "audit.csv")
    named_in_entity("audit.export", folder / "audit.csv")
    export_subject(session, kim, pdf=folder / "kim.pdf", zip_path=folder / "kim.zip", language="en")
    _action, _type, _entity, summary = _last(session)
    head_id = int(summary.rsplit("; head ", 1)[1])
    made[".pdf subject.export"] = (folder / "kim.pdf", head_id)
    made[".zip subject.export"] = (folder / "kim.zip", head_id)
    return made


def test_every_export_carries_the_head_its_audit_entry_names(shop: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        made = _every_export(owner, tmp_path)
        signers = owner.vault.keyfile.signers()
        for kind, (path, named) in made.items():
            where, head = security.head_from_file(path)
            assert head["id"] == named and where == f"the export {path.name}", kind
            assert audit.head_signed(owner.conn, head, signers), kind
            assert head["signer"] == owner.vault.signer.key_id  # type: ignore[union-attr]
            stored = owner.conn.execute("SELECT hash FROM audit_event WHERE id = ?", (named,)).fetchone()[0]
            assert head["hash"] == bytes(stored).hex(), kind  # the log's newest entry as the export began
    finally:
        owner.lock()
    # Where each format keeps it, read back as other programs read the file.
    rows = list(csv.reader((tmp_path / "audit.csv").open(encoding="utf-8-sig")))
    assert rows[-1][0].startswith("#" + audit.HEAD_TEXT) and len(rows[-1]) == 1  # one cell: a comment line
    assert PdfReader(tmp_path / "kim.pdf").metadata[PDF_HEAD_KEY].startswith(audit.HEAD_TEXT)  # type: ignore[index]
    with zipfile.ZipFile(tmp_path / "kim.zip") as archive:
        assert json.loads(archive.read(HEAD_MEMBER))["id"] == made[".zip subject.export"][1]
        assert HEAD_MEMBER in archive.read("README.txt").decode()
    assert "X-COUNTERPART-AUDIT-HEAD:" in (tmp_path / "customers.vcf").read_text("utf-8")
    files = [arg for _kind, (path, _id) in made.items() for arg in ("--head-from", path)]
    result = run_cli("verify", shop, "--user", OWNER, *files, "--password-stdin", stdin=LOGIN)
    assert result.code == 0 and "ok" in result.out, result


def test_lists_for_other_tools_hold_the_people_and_nothing_else(owner_session: Session, tmp_path: Path) -> None:
    """A customer or marketing list goes into a spreadsheet or a mailing tool: a trailing signed head would be
    read there as one more person, so these carry none (the audit log's own export does)."""
    from app.consent.ledger import ConsentService as Consents

    kim = ContactService(owner_session).create(
        ContactInput(given_name="Kim", family_name="Lee", points=[ContactPointInput("email", "kim@example.org")])
    )
    Consents(owner_session).record(kim, "email_marketing", True, "verbal")
    export_csv(owner_session, tmp_path / "customers.csv")
    write_audience(owner_session, "email_marketing", tmp_path / "audience.csv")
    for name in ("customers.csv", "audience.csv"):
        rows = list(csv.reader((tmp_path / name).open(encoding="utf-8-sig")))
        assert [row[1] for row in rows[1:]] == ["Kim Lee"], name
        assert "#" + audit.HEAD_TEXT not in (tmp_path / name).read_text("utf-8-sig"), name
    newest = int(
        owner_session.conn.execute("SELECT max(id) FROM audit_event WHERE action = 'contact.export'").fetchone()[0]
    )
    entity = owner_session.conn.execute(
        "SELECT entity_type, entity_id FROM audit_event WHERE id = ?", (newest,)
    ).fetchone()
    assert entity[0] == "audit_event" and int(entity[1]) == newest - 1  # the export's entry names the log's end


def _cut_and_reseal(path: Path, *, last: int = 0, after: int | None = None) -> int:
    """Sam deletes the `last` entries (or those after id `after`) and seals the shorter log into the key file with
    her own key. Returns the newest entry id before the cut."""
    with staff_program(path) as (vault, conn):
        newest = int(conn.execute("SELECT max(id) FROM audit_event").fetchone()[0])
        conn.execute("DELETE FROM audit_event WHERE id > ?", (newest - last if after is None else after,))
        vault.keyfile.audit_head = audit.seal_head(conn, vault.signer)  # type: ignore[arg-type]
        vault.keyfile.save(vault.paths.keyfile, vault.data_key())
    return newest


def test_deleting_the_last_5_entries_after_an_export_is_named_by_verify_head_from(
    shop: Path, tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "export.csv"
    assert run_cli("audit", shop, "--user", OWNER, "--csv", out, "--password-stdin", stdin=LOGIN).code == 0
    _where, head = security.head_from_file(out)
    newest = _cut_and_reseal(shop, last=5)
    assert newest - 5 < head["id"] < newest  # the export saw entries that are gone now
    result = run_cli("verify", shop, "--user", OWNER, "--head-from", out, "--password-stdin", stdin=LOGIN)
    assert result.code == 6, result
    missing = head["id"] - (newest - 5)
    assert (
        f"The audit log has been tampered with: The last {missing} entries are missing: the export export.csv "
        f"records entry {head['id']}, the log ends at {newest - 5}."
    ) in result.err
    plain = run_cli("verify", shop, "--user", OWNER, "--password-stdin", stdin=LOGIN)
    assert plain.code == 0, plain  # her own seal over the shorter log: the key file alone cannot tell
    # By now new entries (sign-ins, checks) have taken the ids she cut: the export still names the change.
    again = run_cli("verify", shop, "--user", OWNER, "--head-from", out, "--password-stdin", stdin=LOGIN)
    assert (
        again.code == 6
        and (f"Entry {head['id']}, recorded in the export export.csv, is no longer in the log as it was") in again.err
    ), again


def test_an_end_cut_before_the_export_s_head_is_not_blamed_on_it(shop: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Only the entries the export saw count: the export's own entry and the logout after it may go (the key file
    or a later export vouches for those), and the file's head still holds."""
    out = tmp_path / "export.csv"
    assert run_cli("audit", shop, "--user", OWNER, "--csv", out, "--password-stdin", stdin=LOGIN).code == 0
    _where, head = security.head_from_file(out)
    assert _cut_and_reseal(shop, after=head["id"]) > head["id"]
    result = run_cli("verify", shop, "--user", OWNER, "--head-from", out, "--password-stdin", stdin=LOGIN)
    assert result.code == 0, result


def test_a_head_edited_in_the_file_is_named_forged(shop: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "export.csv"
    assert run_cli("audit", shop, "--user", OWNER, "--csv", out, "--password-stdin", stdin=LOGIN).code == 0
    text = out.read_text("utf-8-sig")
    _where, head = security.head_from_file(out)
    out.write_text(text.replace(f" id={head['id']} ", f" id={head['id'] + 40} "), "utf-8-sig")
    result = run_cli("verify", shop, "--user", OWNER, "--head-from", out, "--password-stdin", stdin=LOGIN)
    assert result.code == 6 and "recorded in the export export.csv is not signed by a login" in result.err, result


def test_a_file_without_a_head_is_refused_with_a_reason(shop: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "mine.csv"
    plain.write_text("id,name\n1,Kim\n", "utf-8")
    result = run_cli("verify", shop, "--user", OWNER, "--head-from", plain, "--password-stdin", stdin=LOGIN)
    assert result.code == 5 and "mine.csv holds no record of the audit log's end" in result.err, result
    missing = run_cli(
        "verify", shop, "--user", OWNER, "--head-from", tmp_path / "gone.csv", "--password-stdin", stdin=LOGIN
    )
    assert missing.code == 1 and "gone.csv does not exist" in missing.err, missing  # a file not there: exit 1


def test_a_password_protected_pdf_says_its_head_needs_the_password(shop: Path, tmp_path: Path) -> None:
    owner = open_session(shop, OWNER, OWNER_PASSWORD)
    try:
        kim = int(owner.conn.execute("SELECT id FROM contact WHERE display_name = 'Kim Lee'").fetchone()[0])
        export_subject(owner, kim, pdf=tmp_path / "kim.pdf", language="en", pdf_password="s3cret-Päss")
        reader = PdfReader(tmp_path / "kim.pdf")
        assert reader.is_encrypted and reader.decrypt("s3cret-Päss")
        assert reader.metadata[PDF_HEAD_KEY].startswith(audit.HEAD_TEXT)  # type: ignore[index]
        with pytest.raises(InvalidInput, match="protected with a password"):
            security.head_from_file(tmp_path / "kim.pdf")
    finally:
        owner.vault.close()


def test_an_export_of_nobody_by_vcard_has_no_card_to_carry_it(owner_session: Session, tmp_path: Path) -> None:
    out = tmp_path / "none.vcf"
    assert export_vcards(owner_session, out, ids=[]) == 0
    assert out.read_text() == "" and _last(owner_session)[1:3] == (None, None)  # so its entry names no head
    with pytest.raises(InvalidInput, match="holds no record"):
        security.head_from_file(out)
