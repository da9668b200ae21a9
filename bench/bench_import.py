"""CSV import on N synthetic rows (BENCH_CONTACTS, default 1,000,000): the issue's "import of 1M CSV rows
including the search index", through ImportService as the app and `counterpart-admin import` run it.

The file has Shopify's customer-export headers, one email and one unique phone number per row, a company,
tags, a two-line note and the marketing-consent column, so every step runs: encoding detection, layout
recognition, checks, duplicate detection, bulk writes, consent records and the search index.
Prints `NAME VALUE UNIT` lines.
"""

from __future__ import annotations

import csv
import os
import resource
import tempfile
import time
from pathlib import Path

import keyring
import keyring.backends.fail

from app.access.session import create_vault
from app.crm import demo
from app.crm.importing import ImportService
from app.vault import kdf

HEADERS = ["First Name", "Last Name", "Email", "Accepts Email Marketing", "Company", "Phone", "Tags", "Note"]


def write_csv(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for number, person in enumerate(demo.generate(count, seed=3)):
            email = next(point.value for point in person.points if point.kind == "email")
            writer.writerow([person.given_name, person.family_name, email, "yes" if number % 3 else "no",
                             person.organisation, f"+44 20 {number:08d}", ", ".join(person.tags),
                             "Asked about delivery\nprefers mornings"])


def main() -> None:
    count = int(os.environ.get("BENCH_CONTACTS", "1000000"))
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "customers_export.csv"
        write_csv(source, count)
        session, _ = create_vault(Path(folder) / "bench.vault", "Bench", "bench-password", kdf_params=kdf.CHEAP)
        started = time.perf_counter()
        report = ImportService(session).run(source)
        took = time.perf_counter() - started
        assert report.imported == count and not report.bad_rows, report.summary()
        print(f"import_csv_{count} {took:.1f} s")
        print(f"import_csv_rate {count / took:.0f} rows/s")
        print(f"import_csv_file {source.stat().st_size / 1e6:.0f} MB")
        print(f"import_csv_consents {report.consents_stored} records")
        print(f"import_process_max_rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        session.vault.close()


if __name__ == "__main__":
    main()
