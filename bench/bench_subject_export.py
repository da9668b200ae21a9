"""The data-subject access export for a person with 1,000 activities (target: under 1 s on the reference machine).

Builds the person in a temporary vault through the services, then times gathering the data and writing the PDF
(the first export in a process also loads the fonts; later ones are the steady state). Run: `python -m
bench.bench_subject_export`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import keyring
import keyring.backends.fail

from app.access.session import Session, create_vault
from app.consent.ledger import ConsentService
from app.crm.activities import KINDS, ActivityService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.deals import DealService
from app.documents.subject_export import write_subject_export
from app.privacy.subject_data import SubjectData, gather
from app.vault import kdf
from bench.report import figure

ACTIVITIES = 1000


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds; CPU time is what the export costs when other work shares the cores."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _person(session: Session) -> int:
    contact_id = ContactService(session).create(
        ContactInput(
            given_name="Clara",
            family_name="Schmidt",
            language="de",
            organisation="Bäckerei Sonne",
            job_title="Inhaberin",
            points=[ContactPointInput("email", "clara@example.org"), ContactPointInput("phone", "+49 30 1234567")],
            tags=["Stammkundin"],
            note="Prefers calls after 5 pm.",
        )
    )
    start = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
    rows: list[tuple[str, str, int | None, datetime]] = [
        (
            KINDS[i % len(KINDS)],
            f"Follow-up about order {10_000 + i}: delivery and invoice",
            contact_id,
            start + timedelta(hours=7 * i),
        )
        for i in range(ACTIVITIES)
    ]
    ActivityService(session).create_many(rows, "bench")
    DealService(session).create(
        "Wedding cake", value="1234.50", currency="EUR", contact_id=contact_id, expected_close=date(2026, 6, 1)
    )
    consent = ConsentService(session)
    notice = consent.current_notice("de")
    consent.record(contact_id, "email_marketing", True, "form", notice_id=notice.id if notice else None)
    return contact_id


def main() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]  # password only
    with tempfile.TemporaryDirectory() as folder:
        session, _recovery = create_vault(
            Path(folder) / "bench.vault", "Bench Owner", "bench-password", kdf_params=kdf.CHEAP
        )
        try:
            contact_id = _person(session)
            data: dict[str, SubjectData] = {}

            def gather_en() -> None:
                data["en"] = gather(session, contact_id, "en")

            gathered = _timed(gather_en, 3)
            data["de"] = gather(session, contact_id, "de")
            data["zh_CN"] = gather(session, contact_id, "zh_CN")
            out = Path(folder) / "export.pdf"
            first = _timed(lambda: write_subject_export(out, data["en"]), 1)
            steady = _timed(lambda: write_subject_export(out, data["en"]), 5)
            german = _timed(lambda: write_subject_export(out, data["de"]), 3)
            chinese = _timed(lambda: write_subject_export(out, data["zh_CN"]), 3)
            locked = _timed(lambda: write_subject_export(out, data["en"], password="bench-pass"), 3)
            write_subject_export(out, data["en"])
            size_kib = out.stat().st_size / 1024
            pages = out.read_bytes().count(b"/Type /Page\n")
        finally:
            session.vault.close()
    for name, (wall, cpu) in (
        ("subject_gather", gathered),
        ("subject_export", steady),
        ("subject_export_first_in_process", first),
        ("subject_export_de", german),
        ("subject_export_zh_CN", chinese),
        ("subject_export_aes256", locked),
    ):
        label = name.replace("subject_gather", f"subject_gather_{ACTIVITIES}_activities").replace(
            "subject_export", f"subject_export_{ACTIVITIES}_activities"
        )
        figure(label, wall, "s", digits=2, goal="< 1 s" if name.startswith("subject_export") else None)
        figure(f"{label}_cpu", cpu, "s", digits=2)
    figure(f"subject_export_{ACTIVITIES}_activities_pages", pages, "pages", digits=0)
    figure(f"subject_export_{ACTIVITIES}_activities_size", size_kib, "KiB", digits=0)


if __name__ == "__main__":
    main()
