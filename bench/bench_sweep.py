"""The retention sweeper on N customers (BENCH_CONTACTS, default 1,000,000) with a tenth of them in the bin.

The people are made as real ones are: bulk-created through the service (search index included), each with two
activities, a consent from an imported file and the task to send them the privacy notice (Art. 14) that an
import leaves, and a tenth moved to the bin through `ContactService.delete` (which takes them out of the search
index, as the app does). The sweep then runs 31 days later, so exactly the binned people are due.

The floor is rewriting the whole encrypted file once (`VACUUM INTO` a new file with the same key), measured on
the same file just before the sweep: a sweep cannot do less than read what it changes and write it back, and at
a tenth of the people spread over the whole file that touches most of its pages. Goals: 100k of 1M in under
15 s, and at most 1.5x the floor (`sweep_to_vacuum_ratio`). The preview is timed on its own; the sweep's time is
its erasure (`erase_due`, which selects the people again itself, as the app's sweep does) up to its commit, and
the trace removal after it (`remove_traces`: merging the search indexes, which rewrites them whole) is timed as
its own step, reported with the time of both (`sweep_with_trace_removal_to_vacuum_ratio`): the issue lets the
trace removal be a step after the sweep when the report says when it ended and `verify` checks it ran. The vault
is built once; each of BENCH_SWEEP_ROUNDS rounds (default 3) times the floor and the sweep on its own copy of
it, and every figure is the median over the rounds, the sweep's ratio to the floor with its spread.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import keyring.backends.fail

from app.access.session import Session, create_vault, open_session
from app.consent.ledger import ConsentService
from app.crm import demo
from app.crm.activities import KINDS, ActivityService
from app.crm.contacts import ContactService
from app.privacy import notices
from app.privacy.retention import RetentionService, SweepItem, SweepResult
from app.store.database import bulk_cache
from app.vault import kdf
from bench.report import figure, timed

CHUNK = 50_000
GOAL_S = 15.0
GOAL_RATIO = 1.5
# Rounds of (floor, sweep), each on a fresh copy of the same built vault: on a shared machine one round's ratio
# swung from 1.4 to 2.0 at 100k, so the ratio is given with its spread.
ROUNDS = int(os.environ.get("BENCH_SWEEP_ROUNDS", "3"))


def _people(session: Session, count: int) -> list[int]:
    """`count` customers with two activities, an imported consent and the notice task an import leaves each;
    a tenth of them in the bin."""
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
        notices.create_tasks(session, [ids[i] for i in chunk], "customers.csv")  # as an import owes each one
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


def _copy_vault(source: Path, folder: Path) -> Path:
    """The built vault's files in a folder of their own, on the disk before anything is timed (writing the copy
    back would otherwise run during the measurement)."""
    folder.mkdir()
    for path in source.parent.iterdir():
        if path.is_file() and path.name.startswith(source.name):
            target = folder / path.name
            shutil.copyfile(path, target)
            with target.open("rb+") as handle:
                os.fsync(handle.fileno())
    return folder / source.name


@dataclass
class Round:
    vacuum: tuple[float, float]  # wall, CPU seconds
    size_mb: float
    preview: float
    apply: tuple[float, float]  # the erasure, to its commit
    traces: tuple[float, float]  # the trace removal after it
    items: int


def _round(path: Path, later: datetime, due: int) -> Round:
    """The floor, then the preview and the sweep, on one copy of the vault: each round starts from the same
    file, so the ratio of one round compares the two on the machine as it was during that round."""
    session = open_session(path, "Bench", "bench-password")
    conn = session.conn
    copy = path.with_name("copy.vault")
    vacuum = _wall_and_cpu(lambda: conn.execute("VACUUM INTO ?", (str(copy),)))
    size_mb = copy.stat().st_size / 1e6
    copy.unlink()
    service = RetentionService(session)
    items: list[SweepItem] = []
    previewed = timed(lambda: items.extend(service.preview(later)))
    results: list[SweepResult] = []
    applied = _wall_and_cpu(lambda: results.append(service.erase_due(later)))
    assert results[0].counts.get("deleted_contact") == due, results[0].counts
    traces = _wall_and_cpu(service.remove_traces)
    assert service.traces_pending() == []
    session.vault.close()
    return Round(vacuum, size_mb, previewed, applied, traces, len(items))


def main() -> None:
    count = int(os.environ.get("BENCH_CONTACTS", "1000000"))
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / "built" / "bench.vault"
        built.parent.mkdir()
        session, _ = create_vault(built, "Bench", "bench-password", kdf_params=kdf.CHEAP, use_keychain=False)
        due = len(_people(session, count))
        session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every round starts from the same file
        session.vault.close()
        later = datetime.now(UTC) + timedelta(days=31)
        rounds = []
        for n in range(ROUNDS):
            path = _copy_vault(built, Path(folder) / f"round{n}")
            rounds.append(_round(path, later, due))
            shutil.rmtree(path.parent)
        _report(rounds, count, due)


def _report(rounds: list[Round], count: int, due: int) -> None:
    """Each figure is the median over the rounds; the sweep's ratio to the floor is taken within each round, and
    printed with its spread."""
    ratios = [r.apply[0] / r.vacuum[0] for r in rounds]
    cpu_ratios = [r.apply[1] / r.vacuum[1] for r in rounds]
    applied = statistics.median(r.apply[0] for r in rounds)
    size = f"{due}_of_{count}"
    figure(f"vacuum_into_{count}", statistics.median(r.vacuum[0] for r in rounds), "s", digits=2)
    figure(f"vacuum_into_{count}_cpu", statistics.median(r.vacuum[1] for r in rounds), "s", digits=2)
    figure("vacuum_into_file_size", rounds[0].size_mb, "MB", digits=0)
    figure(f"sweep_preview_{size}", statistics.median(r.preview for r in rounds), "s", digits=2)
    figure(
        f"sweep_apply_{size}",
        applied,
        "s",
        digits=2,
        goal=f"< {GOAL_S:.0f} s at 100k of 1M",
        floor=f"vacuum_into_{count}",
        ratios=ratios,
    )
    figure(
        f"sweep_apply_{size}_cpu",
        statistics.median(r.apply[1] for r in rounds),
        "s",
        digits=2,
        floor=f"vacuum_into_{count}_cpu",
        ratios=cpu_ratios,
    )
    figure("sweep_to_vacuum_ratio", statistics.median(ratios), "x", digits=2, goal=f"<= {GOAL_RATIO} x")
    figure(
        "sweep_trace_removal",
        statistics.median(r.traces[0] for r in rounds),
        "s",
        digits=2,
        floor=f"vacuum_into_{count}",
        ratios=[r.traces[0] / r.vacuum[0] for r in rounds],
    )
    whole = [(r.apply[0] + r.traces[0]) / r.vacuum[0] for r in rounds]
    figure(
        "sweep_with_trace_removal_to_vacuum_ratio",
        statistics.median(whole),
        "x",
        digits=2,
        floor=f"vacuum_into_{count}",
        ratios=whole,
    )
    figure("sweep_rate", due / applied, "people/s", digits=0)
    figure("sweep_items", rounds[0].items, "items", digits=0)


if __name__ == "__main__":
    main()
