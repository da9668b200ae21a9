"""A huge file streams through the import (issue #18, "10M-row CSV, dry run"): the report lists the first 1,000
problems of each kind and counts the rest, in the service, the CLI and the import dialog's summary; keeping the
duplicates keeps every one of them, not only those listed. (Peak memory is measured in bench/bench_import.py.)"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.access.session import Session
from app.crm.importing.service import ImportService
from tests.conftest import OWNER, OWNER_PASSWORD

BAD, REPEATS, GOOD = 5000, 1500, 3000


def write_big_export(path: Path) -> None:
    """A POS export where a till wrote empty customers (only a note: nobody to import) between real ones, and a
    second till repeated customers already on earlier lines: BAD empty rows, REPEATS repeats, GOOD people."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Full Name", "Email", "Phone", "Notes"])
        for n in range(GOOD):
            writer.writerow([f"Kunde {n}", f"kunde{n}@example.de", f"+49 151 {n:08d}", ""])
        for n in range(BAD):
            writer.writerow(["", "", "", f"Kassenbon {n}"])
        for n in range(REPEATS):
            writer.writerow([f"Kunde {n}", f"KUNDE{n}@example.de", "", ""])


@pytest.fixture
def big_export(tmp_path: Path) -> Path:
    path = tmp_path / "kassen_export.csv"
    write_big_export(path)
    return path


def test_dry_run_keeps_the_first_1000_problems_and_counts_the_rest(owner_session: Session, big_export: Path) -> None:
    report = ImportService(owner_session).run(big_export, dry_run=True)
    assert (report.imported, report.bad_count, report.duplicate_count, report.repeat_count) == (
        GOOD,
        BAD,
        REPEATS,
        REPEATS,
    )
    assert report.skipped == BAD + REPEATS
    first_bad = GOOD + 2  # the header is line 1
    assert [line for line, _reason in report.bad_rows] == list(range(first_bad, first_bad + 1000))
    assert [d.line for d in report.duplicates] == list(range(first_bad + BAD, first_bad + BAD + 1000))
    assert {d.earlier_line for d in report.duplicates[:3]} == {2, 3, 4}
    assert report.left_out == (BAD - 1000) + (REPEATS - 1000)
    assert len(report.messages()) == 2000
    assert report.summary().startswith(
        f"generic: {GOOD} imported, {BAD + REPEATS} skipped ({REPEATS} duplicates, {BAD} bad rows)"
    )


def test_keeping_the_duplicates_keeps_those_beyond_the_listed_ones(owner_session: Session, big_export: Path) -> None:
    report = ImportService(owner_session).run(big_export, keep_duplicates=True)
    assert (report.imported, report.duplicate_count, report.skipped) == (GOOD + REPEATS, 0, BAD)
    count = owner_session.conn.execute("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()[0]
    assert count == GOOD + REPEATS


def test_the_cli_says_how_many_more(tmp_path: Path, new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "only_bad.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Email", "Notes"])
        writer.writerow(["Ana Souza", "ana@example.com.br", ""])
        writer.writerows(["", "", f"linha {n}"] for n in range(BAD))
    result = run_cli(
        "import", new_vault[0], "--user", OWNER, path, "--dry-run", "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert len([line for line in lines if line.startswith("line ")]) == 1000
    assert lines[-1] == "… and 4,000 more."
    assert "bad rows: 5000" in result.out.splitlines() and "skipped: 5000" in result.out.splitlines()


def test_the_dialog_summary_counts_every_problem(owner_session: Session, big_export: Path) -> None:
    from ui.customers.import_dialog import summary_text

    preview = ImportService(owner_session).preview(big_export)
    text = summary_text(preview.report)
    assert f"{BAD} rows have problems and are left out." in text
    assert f"{REPEATS} rows look like customers already there" in text


def test_the_duplicate_table_holds_a_million_keys_compactly() -> None:
    """The digests of earlier records sit in two flat arrays (about 30 bytes a key, not a dict's ~110): every
    key is found again with its first line, however the table grew, and a key never seen is not."""
    from app.crm.importing.duplicates import _Seen

    seen = _Seen(4)
    digests = [hash(("email", f"kunde{n}@example.de")) for n in range(200_000)] + [0, 1, -1, 2**63 - 1, -(2**63)]
    for line, digest in enumerate(digests, start=2):
        seen.setdefault(digest, line)
        seen.setdefault(digest, line + 1)  # a repeat keeps the first line
    assert len(seen) == len(digests) - 1  # 0 is stored as 1, so the two are one key
    assert [seen.get(d) for d in digests[:5]] == [2, 3, 4, 5, 6]
    assert seen.get(-(2**63)) == len(digests) + 1 and seen.get(0) == seen.get(1) == len(digests) - 3
    assert seen.get(hash(("email", "nobody@example.de"))) is None
    assert len(seen._digests) * 12 < 70 * len(seen)  # bytes: 8 + 4 a slot, at most half of them used
