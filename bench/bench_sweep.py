"""The retention sweeper on N customers (BENCH_CONTACTS, default 1,000,000) with a tenth of them in the bin.

The people are made as real ones are: bulk-created through the service (search index included), each with two
activities and a consent from an imported file, and a tenth moved to the bin through `ContactService.delete`
(which takes them out of the search index, as the app does). The sweep then runs 31 days later, so exactly the
binned people are due.

The floor is rewriting the whole encrypted file once (`VACUUM INTO` a new file with the same key), measured on
the same file just before the sweep: a sweep cannot do less than read what it changes and write it back, and at
a tenth of the people spread over the whole file that touches most of its pages. Goals: 100k of 1M in under
15 s, and at most 1.5x the floor (`sweep_to_vacuum_ratio`). The preview is timed on its own; the sweep's time is
`apply`, which previews again itself (as the app's sweep does).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import keyring.backends.fail

from app.access.session import Session, create_vault
from app.consent.ledger import ConsentService
from app.crm import demo
from app.crm.activities import KINDS, ActivityService
from app.crm.contacts import ContactService
from app.privacy.retention import RetentionService, SweepItem, SweepResult
from app.store.database import bulk_cache
from app.vault import kdf
from bench.report import figure, timed

CHUNK = 50_000
GOAL_S = 15.0
GOAL_RATIO = 1.5


def _people(session: Session, count: int) -> list[int]:
    """`count` customers with two activities and an imported consent each; a tenth of them in the bin."""
    contacts = ContactService(session)
    ids = contacts.create_many(demo.generate(count), source="bench")
    start = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    activities, consent = ActivityService(session), ConsentService(session)
    for first in range(0, count, CHUNK):
        chunk = range(first, min(count, first + CHUNK))
        activities.create_many(
            [
                (
                    KINDS[(i + n) % len(KINDS)],
                    f"Follow-up about order {10_000 + i}",
                    ids[i],
                    start + timedelta(hours=i % 5000, days=n),
                )
                for i in chunk
                for n in range(2)
            ],
            "bench",
        )
        consent.record_imported(
            [(ids[i], "email_marketing", True, f"customers.csv line {i + 2}") for i in chunk], audit=False
        )
    due = ids[::10]
    with bulk_cache(session.conn), session.change():  # one commit; each person binned as the app bins one
        for contact_id in due:
            contacts.delete(contact_id)
    return due


def _wall_and_cpu(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process, all threads): on a shared machine the CPU time shows the
    work itself, the wall clock adds the waits for disk and for other programs."""
    started, started_cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    count = int(os.environ.get("BENCH_CONTACTS", "1000000"))
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    with tempfile.TemporaryDirectory() as folder:
        session, _ = create_vault(
            Path(folder) / "bench.vault", "Bench", "bench-password", kdf_params=kdf.CHEAP, use_keychain=False
        )
        due = _people(session, count)
        conn = session.conn
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the sweep and the floor start from the same file
        copy = Path(folder) / "copy.vault"
        vacuum = _wall_and_cpu(lambda: conn.execute("VACUUM INTO ?", (str(copy),)))
        size_mb = copy.stat().st_size / 1e6
        copy.unlink()
        service = RetentionService(session)
        later = datetime.now(UTC) + timedelta(days=31)
        items: list[SweepItem] = []
        previewed = timed(lambda: items.extend(service.preview(later)))
        results: list[SweepResult] = []
        applied = _wall_and_cpu(lambda: results.append(service.apply(later)))
        assert results[0].counts.get("deleted_contact") == len(due), results[0].counts
        size = f"{len(due)}_of_{count}"
        figure(f"vacuum_into_{count}", vacuum[0], "s", digits=2)
        figure(f"vacuum_into_{count}_cpu", vacuum[1], "s", digits=2)
        figure("vacuum_into_file_size", size_mb, "MB", digits=0)
        figure(f"sweep_preview_{size}", previewed, "s", digits=2)
        figure(
            f"sweep_apply_{size}",
            applied[0],
            "s",
            digits=2,
            goal=f"< {GOAL_S:.0f} s at 100k of 1M",
            floor=f"vacuum_into_{count}",
            ratios=[applied[0] / vacuum[0]],
        )
        figure(
            f"sweep_apply_{size}_cpu",
            applied[1],
            "s",
            digits=2,
            floor=f"vacuum_into_{count}_cpu",
            ratios=[applied[1] / vacuum[1]],
        )
        figure("sweep_to_vacuum_ratio", applied[0] / vacuum[0], "x", digits=2, goal=f"<= {GOAL_RATIO} x")
        figure("sweep_rate", len(due) / applied[0], "people/s", digits=0)
        figure("sweep_items", len(items), "items", digits=0)
        session.vault.close()


if __name__ == "__main__":
    main()
