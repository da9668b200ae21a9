"""An import writes a thousand people at a time inside one transaction: files large enough to span several
batches, where a failure while writing a later batch keeps nothing, a cancel keeps nothing, and a re-export
matched against a vault across batch boundaries gives the counts, consents and source ids its rows say.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlcipher3

from app.access.session import Session
from app.crm.importing.service import ImportService

HEADERS = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address City",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tags",
]
GIVEN = ["Camila", "Matías", "Sofía", "José", "Ñuño", "Zoë", "สมชาย", "王芳"]


def shopify_row(index: int, accepts: str = "yes", *, repeat_of: int | None = None) -> list[str]:
    """A Chilean shop's customer as Shopify exports them: apostrophed ids, local numbers read in the row's
    country, a delivery phone some people share (the shop's own pickup counter), accents and other scripts."""
    person = index if repeat_of is None else repeat_of
    phone = f"9 {6000 + person % 4000} {1000 + person % 9000}" if person % 3 else f"'+56 9 {5000 + person:04d} 0202"
    return [
        f"'{6840112230000 + index}",
        GIVEN[person % len(GIVEN)],
        f"Rojas {person}",
        f"cliente.{person}@ejemplo{person % 40}.cl" if person % 17 else "",
        accepts,
        "Ferretería El Sol" if person % 25 == 0 else "",
        f"Av. Providencia {person}",
        "Santiago",
        "CL",
        f"'{7500000 + person % 999}",
        "(2) 2345 6789" if person % 5 == 0 else "",  # the pickup counter: never makes people the same
        phone,
        "yes" if person % 2 else "",
        f"{person % 997}.90",
        str(person % 7),
        "Pidió boleta\na nombre de su mamá" if person % 50 == 0 else "",
        "VIP, mayorista" if person % 11 == 0 else "",
    ]


def write_export(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # Excel's BOM, CRLF line ends
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def count(session: Session, table: str) -> int:
    return int(session.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# --- imports of several batches ---------------------------------------------------------------------------------------


def test_an_import_that_fails_while_writing_keeps_nothing(owner_session: Session, tmp_path: Path) -> None:
    export = write_export(tmp_path / "customers_export.csv", [shopify_row(n) for n in range(1, 3201)])
    session = owner_session
    audit_before = count(session, "audit_event")
    # a write that fails in the fourth batch (as a full disk would)
    session.conn.execute(
        "CREATE TEMP TRIGGER fail_late BEFORE INSERT ON main.contact_point WHEN new.value = 'cliente.3001@ejemplo1.cl' "
        "BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END"
    )
    with pytest.raises(sqlcipher3.DatabaseError, match="simulated write failure"):
        ImportService(session).run(export)
    assert not session.conn.in_transaction
    for table in ("contact", "contact_point", "consent_event", "contact_source", "note", "contact_tag"):
        assert count(session, table) == 0, table
    assert not session.conn.execute("SELECT rowid FROM contact_search WHERE contact_search MATCH 'rojas'").fetchall()
    assert count(session, "audit_event") == audit_before  # no "imported" entry for what was rolled back

    session.conn.execute("DROP TRIGGER temp.fail_late")
    report = ImportService(session).run(export)
    assert report.imported == 3200 == count(session, "contact")


def test_a_cancelled_import_keeps_nothing(owner_session: Session, tmp_path: Path) -> None:
    export = write_export(tmp_path / "customers_export.csv", [shopify_row(n) for n in range(1, 4001)])

    def progress(done: int) -> None:
        if done >= 3000:  # three batches are written by now
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ImportService(owner_session).run(export, progress=progress)
    assert not owner_session.conn.in_transaction
    assert count(owner_session, "contact") == count(owner_session, "consent_event") == 0


def test_a_reexport_across_batches_updates_adds_and_skips_as_its_rows_say(
    owner_session: Session, tmp_path: Path
) -> None:
    session = owner_session
    first = write_export(tmp_path / "customers_export.csv", [shopify_row(n) for n in range(1, 1501)])
    assert ImportService(session).run(first).imported == 1500
    # The next export: the same 1,500 (every tenth now says no to email), 1,700 new people, and 100 of those
    # new people listed twice, 1,200 rows apart (so the repeat falls in a later batch than its first row).
    rows = [shopify_row(n, "no" if n % 10 == 0 else "yes") for n in range(1, 1501)]
    new = [shopify_row(n) for n in range(1501, 3201)]
    for offset in range(100):
        new.insert(1200 + offset * 2, shopify_row(9000 + offset, repeat_of=1501 + offset))
    reexport = write_export(tmp_path / "customers_export_2.csv", rows + new)

    report = ImportService(session).run(reexport)

    assert report.matched_count == 1500
    assert report.imported == 1700 and count(session, "contact") == 3200
    assert report.repeat_count == 100
    withdrawn = session.conn.execute(
        "SELECT count(DISTINCT contact_id) FROM consent_event WHERE purpose_key = 'email_marketing' "
        "AND action = 'withdraw'"
    ).fetchone()[0]
    assert withdrawn == 150
    # every new person has their own Shopify id, and the repeats' ids went nowhere
    assert count(session, "contact_source") == 3200

    def source_ids(index: int) -> int:
        row = session.conn.execute(
            "SELECT count(*) FROM contact_source WHERE source_id = ?", (str(6840112230000 + index),)
        )
        return int(row.fetchone()[0])

    assert source_ids(1501) == source_ids(3200) == 1 and source_ids(9000) == source_ids(9099) == 0
    # the search index has everyone, from every batch
    assert (
        session.conn.execute("SELECT count(*) FROM contact_search WHERE contact_search MATCH 'rojas'").fetchone()[0]
        == 3200
    )
