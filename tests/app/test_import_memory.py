"""An import's memory is bounded whatever the file's size (issue #18: a 10M-row dry run in at most 300 MB).

The digests of earlier records move out of memory into an encrypted database of their own once the in-memory
table is full (app/crm/importing/duplicates.py); here the table is made tiny so that a few thousand rows spill,
and repeats on both sides of a spill are still found with their first line. The memory test runs dry runs of
the bench's Shopify file in fresh processes and asserts the peak grows by less than 20 bytes a row (the real
10M-row figure is bench/bench_import.py's `import_10m_dry_run_rss`, run with COUNTERPART_BENCH_10M=1).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.access.session import Session
from app.crm.importing import duplicates
from app.crm.importing.model import KEPT, FieldChange, ImportReport, Match
from app.crm.importing.service import ImportService
from bench.bench_import import write_csv

PEOPLE, REPEATS = 3000, 1200
ROOT = Path(__file__).resolve().parents[2]


def _export(path: Path) -> None:
    """PEOPLE people, then REPEATS repeats of the first ones (the email in capitals, or only the phone)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Full Name", "Email", "Phone"])
        for n in range(PEOPLE):
            writer.writerow([f"Kunde {n}", f"kunde{n}@example.de", f"+49 151 {n:08d}"])
        for n in range(REPEATS):
            writer.writerow([f"Kunde {n}", f"KUNDE{n}@EXAMPLE.DE" if n % 2 else "", f"+49151{n:08d}"])


def test_repeats_are_found_across_a_spill_and_the_spill_is_encrypted_and_removed(
    owner_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duplicates, "MEMORY_SLOTS", 256)  # 192 keys in memory: this file spills 30 times
    monkeypatch.setattr(duplicates, "BLOOM_WORDS", 1 << 10)
    spills = tmp_path / "spills"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    seen_files: list[bytes] = []
    real_add = duplicates._Spill.add

    def add(self: duplicates._Spill, pairs: object) -> None:
        real_add(self, pairs)  # type: ignore[arg-type]
        seen_files.extend(path.read_bytes() for path in spills.rglob("*") if path.is_file())

    monkeypatch.setattr(duplicates._Spill, "add", add)
    path = tmp_path / "export.csv"
    _export(path)

    report = ImportService(owner_session).run(path, dry_run=True)

    assert (report.imported, report.duplicate_count, report.repeat_count) == (PEOPLE, REPEATS, REPEATS)
    first_repeat = PEOPLE + 2  # the header is line 1
    assert [d.line for d in report.duplicates] == list(range(first_repeat, first_repeat + KEPT))
    assert [d.earlier_line for d in report.duplicates] == [n + 2 for n in range(KEPT)]  # the first line each
    assert [d.kind for d in report.duplicates[:2]] == ["phone", "email"]
    assert seen_files, "the file did not spill"
    for data in seen_files:
        assert not data.startswith(b"SQLite format 3") and b"kunde" not in data.lower()
    assert not list(spills.iterdir())  # the spill database is deleted with its folder


def test_the_real_import_finds_the_same_repeats_when_it_spills(
    owner_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duplicates, "MEMORY_SLOTS", 64)
    path = tmp_path / "export.csv"
    _export(path)
    report = ImportService(owner_session).run(path)
    assert (report.imported, report.repeat_count) == (PEOPLE, REPEATS)
    count = owner_session.conn.execute("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()[0]
    assert count == PEOPLE


def test_the_table_keeps_the_first_line_through_spills(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "MEMORY_SLOTS", 1024)
    seen = duplicates._Seen(4)
    digests = [hash(("email", f"kunde{n}@example.de")) for n in range(20_000)] + [0, 1, -1, 2**63 - 1, -(2**63)]
    try:
        for line, digest in enumerate(digests, start=2):
            seen.setdefault(digest, line)
        for line, digest in enumerate(digests, start=2):
            seen.setdefault(digest, line + 100_000)  # seen again, in memory or spilled: the first line stays
        assert seen._spill is not None and len(seen._digests) == 1024
        assert len(seen) == len(digests) - 1  # 0 is stored as 1
        assert [seen.get(d) for d in digests[:3]] == [2, 3, 4]
        assert seen.get(-(2**63)) == len(digests) + 1 and seen.get(0) == seen.get(1) == len(digests) - 3
        assert seen.get(hash(("email", "nobody@example.de"))) is None
    finally:
        seen.close()


def test_matched_customers_are_listed_up_to_kept_and_counted() -> None:
    report = ImportReport("shopify", "UTF-8", dry_run=True)
    change = FieldChange("phone", "add", "", "+56987654321")
    conflict = FieldChange("given_name", "conflict", "Ana", "Anna")
    for n in range(KEPT + 500):
        report.add_match(Match(n + 2, n + 1, "email", [change, conflict]))
    assert len(report.matched) == KEPT and report.matched_count == KEPT + 500
    assert report.changing_count == KEPT + 500 and report.conflict_count == KEPT + 500
    assert report.left_out == 500  # the conflicts kept of the matches not listed
    assert f"{KEPT + 500} matched" in report.summary() and f"{KEPT + 500} conflicts kept" in report.summary()


_CHILD = """
import json, sys, tempfile
from pathlib import Path
import keyring, keyring.backends.fail
from app.access.session import create_vault
from app.crm.importing import duplicates
from app.crm.importing.service import ImportService
from app.vault import kdf
from bench.report import peak_rss_mb
keyring.set_keyring(keyring.backends.fail.Keyring())
duplicates.MEMORY_SLOTS, duplicates.BLOOM_WORDS, duplicates.SPILL_CACHE_KIB = 1 << 14, 1 << 18, 256
peaks = {}
def progress(count):
    if count % 50_000 == 0:
        peaks[count] = peak_rss_mb()
with tempfile.TemporaryDirectory() as folder:
    session, _key = create_vault(Path(folder) / "m.vault", "Owner", "pw-pw-pw-pw", kdf_params=kdf.CHEAP)
    report = ImportService(session).run(Path(sys.argv[1]), dry_run=True, progress=progress)
    print(json.dumps({"imported": report.imported, "peaks": peaks}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak RSS is read from /proc (Linux)")
def test_a_dry_run_grows_by_less_than_20_bytes_a_row(tmp_path: Path) -> None:
    """The in-memory table is made small (the same code spills at 3.1M keys by default), so the rows past the
    first spill show what each row costs once the table, the Bloom filter, the spill's cache and the other
    bounded caches (email domains, the first KEPT messages) are full: the peak at 150k rows and at 300k, in a
    fresh process."""
    path = tmp_path / "shopify.csv"
    write_csv(path, 300_000)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    peaks = {int(count): float(mb) for count, mb in result["peaks"].items()}
    assert result["imported"] == 300_000
    per_row = (peaks[300_000] - peaks[150_000]) * 1024 * 1024 / 150_000
    assert per_row < 20, f"{per_row:.1f} bytes a row: {peaks}"


def test_the_cli_counts_every_match_not_only_those_listed(
    owner_session,
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the lists cut at 2, a re-import of 5 known customers still says 'matched: 5' and the JSON agrees."""
    from app.crm.contacts import ContactInput, ContactPointInput, ContactService
    from app.crm.importing import model
    from tests.conftest import OWNER, OWNER_PASSWORD

    contacts = ContactService(owner_session)
    for n in range(5):
        contacts.create(ContactInput(given_name=f"Kunde{n}", points=[ContactPointInput("email", f"k{n}@example.de")]))
    vault = owner_session.vault.paths.database
    owner_session.vault.close()
    csv_file = tmp_path / "again.csv"
    csv_file.write_text(
        "First Name,Email,Phone\n" + "".join(f"Kunde{n},k{n}@example.de,+49 30 123456{n}\n" for n in range(5)), "utf-8"
    )
    monkeypatch.setattr(model, "KEPT", 2)
    result = run_cli(
        "import", vault, "--user", OWNER, csv_file, "--dry-run", "--password-stdin", stdin=OWNER_PASSWORD + "\n"
    )
    assert result.code == 0 and "matched: 5" in result.out and "would update: 5" in result.out, result
    listed = run_cli(
        "import",
        vault,
        "--user",
        OWNER,
        csv_file,
        "--dry-run",
        "--json",
        "--password-stdin",
        stdin=OWNER_PASSWORD + "\n",
    )
    counts = json.loads(listed.out)
    assert (counts["matched"], counts["would_update"], counts["unchanged"]) == (5, 5, 0)
