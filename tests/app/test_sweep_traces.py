"""A sweep leaves no token of the people it removed in the search index, and goes as one transaction (issue #21).

The index is contentless: a deleted person's tokens stay in its segments (the shadow table `*_data`) until they
are merged. These tests read those segments raw, so a token left behind is found whatever FTS5 would answer.
The merge is a step of its own after the erasure commits (`remove_traces`); a sweep owes it until it ran, the
CLI and the app run it straight after, the app at unlock when a crash came between, and `verify` names it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.admin import security
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.privacy import erasure, retention
from app.privacy.retention import RetentionService
from app.vault import kdf
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD

LATER = datetime.now(UTC) + timedelta(days=31)


def _index_bytes(session: Session) -> bytes:
    """Every segment of both search indexes, as stored."""
    conn = session.conn
    return b"".join(
        bytes(row[0])
        for table in ("contact_search_data", "contact_phone_search_data")
        for row in conn.execute(f"SELECT block FROM {table} WHERE block IS NOT NULL")
    )


def _marked(session: Session, count: int, prefix: str) -> list[int]:
    """People with a surname and phone digits of their own (letters no other token starts with)."""
    contacts = ContactService(session)
    return [
        contacts.create(
            ContactInput(
                given_name="Ann",
                family_name=f"{prefix}{chr(97 + i % 26)}{i:04d}",
                points=[ContactPointInput("phone", f"+44 7700 9{i:05d}"[:17])],
            )
        )
        for i in range(count)
    ]


def test_a_sweep_leaves_no_token_of_the_binned_in_the_index(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 4)  # several batches
    contacts = ContactService(owner_session)
    binned = _marked(owner_session, 10, "Qzxv")
    kept = set(_marked(owner_session, 3, "Wjyk"))
    for contact_id in binned:
        contacts.delete(contact_id)
    assert b"qzxv" in _index_bytes(owner_session)  # binning hides them from search; their tokens are still there

    result = RetentionService(owner_session).apply(LATER)

    assert result.counts == {"deleted_contact": 10}
    assert result.traces_removed_at is not None and RetentionService(owner_session).traces_pending() == []
    index = _index_bytes(owner_session)
    assert b"qzxv" not in index
    assert b"wjyk" in index and {row.id for row in contacts.search("wjyk")} == kept  # the others are still found


def test_a_cancelled_sweep_leaves_no_token_of_whom_it_erased(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 4)
    contacts = ContactService(owner_session)
    binned = _marked(owner_session, 10, "Qzxv")
    for contact_id in binned:
        contacts.delete(contact_id)
    batches: list[int] = []

    result = RetentionService(owner_session).apply(
        LATER, progress=lambda done, _total: batches.append(done), cancelled=lambda: len(batches) >= 1
    )

    assert result.cancelled and result.counts == {"deleted_contact": 4}
    left = {int(r[0]) for r in owner_session.conn.execute("SELECT id FROM contact")}
    assert left == set(binned[4:])  # the first batch went, whole; the rest is untouched
    index = _index_bytes(owner_session)
    erased_names = [f"qzxv{chr(97 + i % 26)}{i:04d}".encode() for i in range(4)]
    assert not [name for name in erased_names if name in index]
    assert owner_session.conn.execute("SELECT status FROM sweep_run").fetchall() == [("cancelled",)]


def test_a_failing_sweep_erases_nobody(owner_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The people go in one transaction: a failure in a later batch undoes the earlier ones too."""
    monkeypatch.setattr(retention, "BATCH", 4)
    contacts = ContactService(owner_session)
    binned = _marked(owner_session, 10, "Qzxv")
    for contact_id in binned:
        contacts.delete(contact_id)

    def fail_on_the_second_batch(done: int, _total: int) -> None:
        if done > 4:
            raise OSError("disk gone")

    with pytest.raises(OSError):
        RetentionService(owner_session).apply(LATER, progress=fail_on_the_second_batch)

    assert {int(r[0]) for r in owner_session.conn.execute("SELECT id FROM contact")} >= set(binned)
    assert owner_session.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert RetentionService(owner_session).traces_pending() == []  # nobody erased: nothing owed
    assert RetentionService(owner_session).apply(LATER).counts == {"deleted_contact": 10}


def test_the_erasure_commits_first_and_owes_the_trace_removal_until_it_ran(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    for contact_id in _marked(owner_session, 3, "Qzxv"):
        contacts.delete(contact_id)
    service = RetentionService(owner_session)

    result = service.erase_due(LATER)  # as if the app stopped right after the erasure

    assert result.counts == {"deleted_contact": 3} and result.traces_removed_at is None
    assert owner_session.conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 0  # erased, on disk
    assert b"qzxv" in _index_bytes(owner_session)  # the words are what is owed
    assert len(service.traces_pending()) == 1
    assert owner_session.conn.execute("SELECT traces_removed_at FROM sweep_run").fetchone()[0] is None

    removed = service.remove_traces()

    assert removed is not None and b"qzxv" not in _index_bytes(owner_session)
    assert service.traces_pending() == [] and service.remove_traces() is None  # once
    stamp = owner_session.conn.execute("SELECT traces_removed_at FROM sweep_run").fetchone()[0]
    assert stamp == removed.isoformat(timespec="seconds")
    actions = [r[0] for r in owner_session.conn.execute("SELECT action FROM audit_event ORDER BY id")]
    assert actions[-1] == "sweep.traces_removed"


def test_a_sweep_that_erased_nobody_owes_nothing(owner_session: Session) -> None:
    _marked(owner_session, 2, "Wjyk")  # nobody in the bin
    result = RetentionService(owner_session).apply(LATER)
    assert result.traces_removed_at is None
    assert RetentionService(owner_session).traces_pending() == []


def test_verify_names_a_sweep_whose_traces_are_still_there_and_the_cli_finishes_it(
    new_vault: tuple[Path, str],
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    contacts = ContactService(session)
    for contact_id in _marked(session, 3, "Qzxv"):
        contacts.delete(contact_id)
    RetentionService(session).erase_due(LATER)  # and then the power went
    assert not security.verify(session).ok
    session.lock()

    verified = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert verified.code == 6
    assert "are still in the search index: their removal did not finish" in verified.err
    assert "sweep --finish-traces" in verified.err

    swept = run_cli("sweep", path, "--user", OWNER, "--finish-traces", "--json", "--password-stdin", stdin=login)
    assert swept.code == 0, swept.err
    assert json.loads(swept.out)["traces_removed_at"]  # and nobody else was erased: the sweep did not run
    again_swept = run_cli("sweep", path, "--user", OWNER, "--finish-traces", "--password-stdin", stdin=login)
    assert again_swept.out.strip() == "Nothing to remove: no erased person's words are left in the search index."
    again = run_cli("verify", path, "--user", OWNER, "--password-stdin", stdin=login)
    assert again.code == 0 and again.out.startswith("ok"), again.err
    session = open_session(path, OWNER, OWNER_PASSWORD)
    try:
        assert b"qzxv" not in _index_bytes(session)
    finally:
        session.lock()


def test_the_cli_sweep_says_when_the_traces_went(new_vault: tuple[Path, str], run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    session = open_session(path, OWNER, OWNER_PASSWORD)
    contacts = ContactService(session)
    for contact_id in _marked(session, 2, "Qzxv"):
        contacts.delete(contact_id)
    session.conn.execute("UPDATE contact SET deleted_at = '2000-01-01T00:00:00+00:00'")
    session.lock()

    applied = run_cli("sweep", path, "--user", OWNER, "--apply", "--password-stdin", stdin=login)

    assert applied.code == 0, applied.err
    line = applied.out.splitlines()[-1]
    assert re.fullmatch(
        r"Erased people's words removed from the search index at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.", line
    ), line


def test_sweeps_of_an_old_vault_count_as_having_removed_their_traces(vault_path: Path) -> None:
    """Before schema 24 a sweep merged the index itself: its runs owe nothing after the upgrade."""
    old, _key = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=23)
    with old:
        old.db.executemany(
            "INSERT INTO sweep_run(started_at, finished_at, dry_run, status) VALUES (?, ?, 0, ?)",
            [
                ("2026-01-05T10:00:00+00:00", "2026-01-05T10:02:00+00:00", "done"),
                ("2026-02-05T10:00:00+00:00", None, "running"),
            ],
        )
        old.db.commit()
    session = open_session(vault_path, OWNER, OWNER_PASSWORD)
    try:
        stamps = [r[0] for r in session.conn.execute("SELECT traces_removed_at FROM sweep_run ORDER BY id")]
        assert stamps == ["2026-01-05T10:02:00+00:00", "2026-02-05T10:00:00+00:00"]
        assert RetentionService(session).traces_pending() == [] and security.verify(session).ok
    finally:
        session.lock()


def test_cancelled_before_the_first_batch_owes_nothing_after_one_owes_the_removal(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 4)
    contacts = ContactService(owner_session)
    for contact_id in _marked(owner_session, 10, "Qzxv"):
        contacts.delete(contact_id)
    service = RetentionService(owner_session)

    nothing = service.erase_due(LATER, cancelled=lambda: True)
    assert nothing.cancelled and nothing.counts == {} and service.traces_pending() == []

    batches: list[int] = []
    one = service.erase_due(LATER, progress=lambda done, _t: batches.append(done), cancelled=lambda: bool(batches))
    assert one.cancelled and one.counts == {"deleted_contact": 4} and len(service.traces_pending()) == 1
    assert service.remove_traces() is not None and service.traces_pending() == []


def test_an_erasure_cut_short_before_its_merge_owes_the_removal_too(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One person erased (a request): the erasure commits, then its merge; a crash between leaves the words,
    which `verify` names until the removal runs."""
    contacts = ContactService(owner_session)
    person = _marked(owner_session, 1, "Qzxv")[0]

    def power_cut(conn: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(erasure, "scrub_leftovers", power_cut)
    with pytest.raises(OSError):
        erasure.erase(owner_session, person)
    monkeypatch.undo()

    assert contacts.search("qzxva0000") == [] and b"qzxv" in _index_bytes(owner_session)
    service = RetentionService(owner_session)
    assert len(service.traces_pending()) == 1 and not security.verify(owner_session).ok
    service.remove_traces()
    assert b"qzxv" not in _index_bytes(owner_session) and security.verify(owner_session).ok


def test_an_erasure_that_finishes_owes_nothing(owner_session: Session) -> None:
    person = _marked(owner_session, 1, "Qzxv")[0]
    erasure.erase(owner_session, person)
    assert RetentionService(owner_session).traces_pending() == [] and b"qzxv" not in _index_bytes(owner_session)


def test_a_backup_does_not_keep_words_still_owed(owner_session: Session, tmp_path: Path) -> None:
    """A sweep cut short before its trace removal, then a backup: the backup is made after the removal."""
    contacts = ContactService(owner_session)
    for contact_id in _marked(owner_session, 2, "Qzxv"):
        contacts.delete(contact_id)
    RetentionService(owner_session).erase_due(LATER)
    folder = tmp_path / "backups"
    folder.mkdir()

    made = security.backup_now(owner_session, folder)

    assert made.exists() and RetentionService(owner_session).traces_pending() == []
    assert b"qzxv" not in _index_bytes(owner_session)  # what the backup copied
    actions = [r[0] for r in owner_session.conn.execute("SELECT action FROM audit_event ORDER BY id")]
    assert actions.index("sweep.traces_removed") < actions.index("backup.create")


def test_the_sweep_says_its_last_step_after_the_batches(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`apply` reports (0, 0) once the batches are done and the trace removal begins: the panel's cue that this
    step cannot be cancelled."""
    monkeypatch.setattr(retention, "BATCH", 4)
    contacts = ContactService(owner_session)
    for contact_id in _marked(owner_session, 10, "Qzxv"):
        contacts.delete(contact_id)
    seen: list[tuple[int, int]] = []
    RetentionService(owner_session).apply(LATER, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(4, 10), (8, 10), (10, 10), (0, 0)]


def test_one_persons_erasure_after_a_cut_short_sweep_settles_both(owner_session: Session) -> None:
    """One mark for every erasure: a later erasure's merge removes the sweep's words too, and stamps its run."""
    contacts = ContactService(owner_session)
    for contact_id in _marked(owner_session, 3, "Qzxv"):
        contacts.delete(contact_id)
    service = RetentionService(owner_session)
    service.erase_due(LATER)  # and the app stopped
    erasure.erase(owner_session, _marked(owner_session, 1, "Wjyk")[0])

    assert service.traces_pending() == [] and security.verify(owner_session).ok
    assert b"qzxv" not in _index_bytes(owner_session)
    assert owner_session.conn.execute("SELECT traces_removed_at FROM sweep_run").fetchone()[0] is not None
