"""The retention sweeper on N customers (BENCH_CONTACTS, default 1,000,000) with a tenth of them due.

Prints the sweep time and the rate; the issue's target is 100k of 1M in under 15 s.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import keyring.backends.fail

from app.access.session import create_vault
from app.crm import demo
from app.crm.contacts import ContactService
from app.privacy.retention import RetentionService
from app.vault import kdf


def main() -> None:
    count = int(os.environ.get("BENCH_CONTACTS", "1000000"))
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with tempfile.TemporaryDirectory() as folder:
        session, _ = create_vault(Path(folder) / "bench.vault", "Bench", "bench-password", kdf_params=kdf.CHEAP)
        ids = ContactService(session).create_many(demo.generate(count), source="bench")
        due = ids[:: 10]  # a tenth in the bin, past the 30-day policy
        with session.change() as conn:
            conn.executemany("UPDATE contact SET deleted_at = '2000-01-01T00:00:00+00:00' WHERE id = ?",
                             [(i,) for i in due])
        service = RetentionService(session)
        later = datetime.now(UTC) + timedelta(days=31)
        started = time.perf_counter()
        preview = service.preview(later)
        previewed = time.perf_counter() - started
        result = service.apply(later)
        total = time.perf_counter() - started
        assert result.counts.get("deleted_contact") == len(due), result.counts
        print(f"sweep_preview_{len(due)}_of_{count} {previewed:.2f} s")
        print(f"sweep_apply_{len(due)}_of_{count} {total:.2f} s")
        print(f"sweep_rate {len(due) / total:.0f} people/s")
        print(f"sweep_items {len(preview)} items")
        session.vault.close()


if __name__ == "__main__":
    main()
