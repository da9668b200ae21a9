"""Retention: how long each kind of personal data is kept, legal holds, and the sweeper that applies it.

The sweeper always previews first (who, what, which policy, why); applying erases the people due in batches
within one transaction, so a crashed sweep leaves everyone untouched, a cancelled one keeps whole batches, and
the next run simply continues (the selection is recomputed from the data each time).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from app.access.roles import Permission
from app.access.session import Session
from app.consent.restriction import RESTRICTED_IDS
from app.errors import InvalidInput
from app.locale import N_, _
from app.privacy import erasure
from app.store import audit
from app.store.database import Connection, bulk_cache, foreign_keys_enforced_by_caller
from app.store.signing import Signer

CATEGORIES = (
    "lead",
    "customer",
    "consent_evidence",
    "withdrawn_marketing",
    "closed_request",
    "audit",
    "deleted_contact",
)
PERSON_CATEGORIES = ("deleted_contact", "withdrawn_marketing", "lead", "customer")  # the order they are applied in
# People per statement, and how often a sweep reports progress and answers cancel (about 1.5 s apart at 1M
# people). The batches share one transaction (see `erase_due`).
BATCH = 10_000

CATEGORY_LABELS = {
    "lead": N_("Leads (never bought) with no activity"),
    "customer": N_("Customers with no purchase or contact"),
    "consent_evidence": N_("Consent evidence no longer backing a current consent"),
    "withdrawn_marketing": N_("People whose only basis was consent, after they withdrew it"),
    "closed_request": N_("Closed privacy requests"),
    "audit": N_("Audit log entries"),
    "deleted_contact": N_("Customers in the bin"),
}

# (category, period in days, action)
TEMPLATES: dict[str, list[tuple[str, int, str]]] = {
    "gdpr": [
        ("lead", 730, "delete"),
        ("customer", 2190, "anonymise"),
        ("consent_evidence", 1095, "delete"),
        ("withdrawn_marketing", 30, "delete"),
        ("closed_request", 730, "delete"),
        ("audit", 2190, "delete"),
        ("deleted_contact", 30, "delete"),
    ],
    "ccpa": [
        ("lead", 730, "delete"),
        ("customer", 1460, "anonymise"),
        ("consent_evidence", 730, "delete"),
        ("withdrawn_marketing", 45, "delete"),
        ("closed_request", 730, "delete"),
        ("audit", 1460, "delete"),
        ("deleted_contact", 30, "delete"),
    ],
    "pipl": [
        ("lead", 365, "delete"),
        ("customer", 1095, "anonymise"),
        ("consent_evidence", 1095, "delete"),
        ("withdrawn_marketing", 15, "delete"),
        ("closed_request", 730, "delete"),
        ("audit", 1095, "delete"),
        ("deleted_contact", 15, "delete"),
    ],
}


@dataclass(frozen=True)
class Hold:
    """A legal hold as the holds list shows it: whom it protects, why, until when, who placed it."""

    id: int
    contact_id: int | None
    person: str
    deal_id: int | None
    reason: str
    until: str | None
    placed_by: str
    placed_at: str
    released_at: str | None

    def lapsed(self, now: datetime) -> bool:
        return self.until is not None and self.until <= _stamp(now)


@dataclass(frozen=True)
class Policy:
    category: str
    period_days: int
    action: str
    active: bool

    def label(self) -> str:
        return _(CATEGORY_LABELS[self.category])


@dataclass(frozen=True)
class SweepItem:
    category: str
    action: str
    contact_id: int | None  # None for items that are not a person (evidence, audit entries)
    count: int  # 1 for a person; how many rows otherwise
    reason: str  # for people: since when untouched; no personal data


@dataclass(frozen=True)
class SweepResult:
    run_id: int | None
    counts: dict[str, int]
    cancelled: bool
    traces_removed_at: datetime | None = None  # set by `apply`, which runs that step too


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _last_touch_sql() -> str:
    """The last time anything happened with a person: edits, notes, deals, activities, consent."""
    return (
        "max(c.updated_at, c.created_at, "
        "coalesce((SELECT max(created_at) FROM note WHERE contact_id = c.id), ''), "
        "coalesce((SELECT max(max(created_at), coalesce(closed_at, '')) FROM deal WHERE contact_id = c.id), ''), "
        "coalesce((SELECT max(max(created_at), coalesce(done_at, '')) FROM activity WHERE contact_id = c.id), ''), "
        "coalesce((SELECT max(at) FROM consent_event WHERE contact_id = c.id), ''))"
    )


_NOT_HELD = (
    "c.id NOT IN (SELECT contact_id FROM legal_hold WHERE contact_id IS NOT NULL AND released_at IS NULL "
    "AND (until IS NULL OR until > :now)) AND c.id NOT IN (SELECT d.contact_id FROM deal d JOIN legal_hold h "
    "ON h.deal_id = d.id WHERE d.contact_id IS NOT NULL AND h.released_at IS NULL "
    "AND (h.until IS NULL OR h.until > :now)) "
    f"AND c.id NOT IN ({RESTRICTED_IDS})"
)  # restricted (GDPR Art. 18): kept whatever their age


def _person_query(category: str) -> str:
    """Contacts due under a category's policy (:cutoff and :now bound by the caller), with their last touch."""
    won = "EXISTS (SELECT 1 FROM deal WHERE contact_id = c.id AND status = 'won')"
    # The last touch is never earlier than updated_at, so `updated_at < :cutoff` only narrows the candidates (an
    # index range) before the per-person subqueries run: a preview reads the old records, not the whole table.
    base = (
        f"SELECT c.id, {_last_touch_sql()} AS touched FROM contact c WHERE c.updated_at < :cutoff "
        f"AND c.anonymised_at IS NULL AND {_NOT_HELD}"
    )
    if category == "deleted_contact":
        return (
            f"SELECT c.id, c.deleted_at FROM contact c WHERE c.deleted_at IS NOT NULL AND c.deleted_at < :cutoff "
            f"AND {_NOT_HELD}"
        )
    if category == "lead":
        return f"SELECT * FROM ({base} AND c.deleted_at IS NULL AND NOT {won}) WHERE touched < :cutoff"
    if category == "customer":
        return f"SELECT * FROM ({base} AND c.deleted_at IS NULL AND {won}) WHERE touched < :cutoff"
    if category == "withdrawn_marketing":
        latest = (
            "SELECT e.action, e.at FROM consent_event e WHERE e.contact_id = c.id AND e.id = (SELECT max(id) "
            "FROM consent_event WHERE contact_id = c.id AND purpose_key = e.purpose_key)"
        )
        # Whoever qualifies has a withdrawal older than the cutoff (their latest events are all withdrawals, the
        # newest of them before it): that narrows the candidates to an index range first.
        return (
            f"SELECT c.id, (SELECT max(at) FROM ({latest})) AS touched FROM contact c WHERE c.deleted_at IS NULL "
            "AND c.id IN (SELECT contact_id FROM consent_event WHERE action = 'withdraw' AND at < :cutoff) "
            f"AND c.anonymised_at IS NULL AND {_NOT_HELD} "
            "AND NOT EXISTS (SELECT 1 FROM deal WHERE contact_id = c.id) "
            "AND EXISTS (SELECT 1 FROM consent_event WHERE contact_id = c.id) "
            f"AND NOT EXISTS (SELECT 1 FROM ({latest}) WHERE action = 'grant') "
            f"AND (SELECT max(at) FROM ({latest})) < :cutoff"
        )
    raise ValueError(category)


class RetentionService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    # --- policies ----------------------------------------------------------------------------------------

    def policies(self) -> list[Policy]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        rows = self.conn.execute("SELECT category, period_days, action, active FROM retention_policy").fetchall()
        order = {category: i for i, category in enumerate(CATEGORIES)}
        return sorted(
            (Policy(str(r[0]), int(r[1]), str(r[2]), bool(r[3])) for r in rows), key=lambda p: order[p.category]
        )

    def set_policy(self, category: str, period_days: int, action: str, active: bool = True) -> None:
        self.session.require(Permission.MANAGE_POLICIES)
        if category not in CATEGORIES:
            raise InvalidInput(_("Unknown kind of data {category}.").format(category=category))
        if action not in ("delete", "anonymise"):
            raise InvalidInput(_("A policy deletes or anonymises."))
        if period_days < 1:
            raise InvalidInput(_("A retention period is at least one day."))
        if action == "anonymise" and category not in ("lead", "customer"):
            raise InvalidInput(_("Only people can be anonymised; this data can only be deleted."))
        with self.session.change() as conn:
            conn.execute(
                "INSERT INTO retention_policy(key, category, period_days, action, active, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET period_days = excluded.period_days, "
                "action = excluded.action, active = excluded.active, updated_at = excluded.updated_at",
                (category, category, period_days, action, int(active), _stamp(datetime.now(UTC))),
            )
            self.session.audit(
                "retention.policy", "retention_policy", category, f"{period_days} days {action} active={int(active)}"
            )

    def apply_template(self, name: str) -> None:
        """Replace every policy with a template's (GDPR, CCPA or PIPL shop), each change audited."""
        if name not in TEMPLATES:
            raise InvalidInput(_("Unknown template {name}: choose gdpr, ccpa or pipl.").format(name=name))
        for category, days, action in TEMPLATES[name]:
            self.set_policy(category, days, action)

    # --- legal holds -------------------------------------------------------------------------------------

    def hold(self, contact_id: int, reason: str, until: datetime | None = None) -> int:
        """Exempt a person from retention and erasure while a legal reason lasts (a dispute, an audit)."""
        self.session.require(Permission.ERASE)
        if not reason.strip():
            raise InvalidInput(_("A legal hold needs its reason."))
        if self.conn.execute("SELECT 1 FROM contact WHERE id = ?", (contact_id,)).fetchone() is None:
            raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
        with self.session.change() as conn:
            hold_id = int(
                conn.execute(
                    "INSERT INTO legal_hold(contact_id, reason, until, created_by_user_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        contact_id,
                        reason.strip(),
                        _stamp(until) if until else None,
                        self.session.user.id,
                        _stamp(datetime.now(UTC)),
                    ),
                ).lastrowid
            )
            self.session.audit("legal_hold.add", "contact", contact_id, f"hold {hold_id}")
        return hold_id

    def release(self, hold_id: int) -> None:
        self.session.require(Permission.ERASE)
        with self.session.change() as conn:
            released = conn.execute(
                "UPDATE legal_hold SET released_at = ? WHERE id = ? AND released_at IS NULL",
                (_stamp(datetime.now(UTC)), hold_id),
            ).rowcount
            if not released:
                raise InvalidInput(_("There is no legal hold {id} in force.").format(id=hold_id))
            self.session.audit("legal_hold.release", "legal_hold", hold_id)

    def holds(self, *, include_released: bool = False) -> list[Hold]:
        """Legal holds, newest first: those in force (including lapsed ones, which no longer protect), and with
        `include_released` the released ones too. Holds are few; the list is read whole."""
        self.session.require(Permission.ERASE)
        where = "" if include_released else "WHERE h.released_at IS NULL "
        rows = self.conn.execute(
            "SELECT h.id, h.contact_id, coalesce(c.display_name, ''), h.deal_id, h.reason, h.until, "
            "coalesce(u.name, ''), h.created_at, h.released_at FROM legal_hold h "
            "LEFT JOIN contact c ON c.id = h.contact_id LEFT JOIN user u ON u.id = h.created_by_user_id "
            + where
            + "ORDER BY h.id DESC"
        ).fetchall()
        return [Hold(int(r[0]), r[1], str(r[2]), r[3], str(r[4]), r[5], str(r[6]), str(r[7]), r[8]) for r in rows]

    # --- the sweeper -------------------------------------------------------------------------------------

    def preview(self, now: datetime | None = None) -> list[SweepItem]:
        """Exactly what applying would do now, and why. Changes nothing."""
        self.session.require(Permission.ERASE)
        return list(self._planned(now or datetime.now(UTC)))

    def _planned(self, now: datetime) -> Iterator[SweepItem]:
        """The preview's items one by one, so `due` can stop at the first."""
        seen: set[int] = set()
        # People first, most specific policy first: whoever matches several is judged by the first.
        ranked = PERSON_CATEGORIES + tuple(c for c in CATEGORIES if c not in PERSON_CATEGORIES)
        order = {category: i for i, category in enumerate(ranked)}
        for policy in sorted((p for p in self.policies() if p.active), key=lambda p: order[p.category]):
            cutoff = _stamp(now - timedelta(days=policy.period_days))
            if policy.category in PERSON_CATEGORIES:
                rows = self.conn.execute(_person_query(policy.category), {"cutoff": cutoff, "now": _stamp(now)})
                for contact_id, touched in rows:
                    if int(contact_id) in seen:
                        continue
                    seen.add(int(contact_id))
                    reason = _("untouched since {date}; kept {days} days").format(
                        date=str(touched)[:10], days=policy.period_days
                    )
                    yield SweepItem(policy.category, policy.action, int(contact_id), 1, reason)
            elif policy.category == "consent_evidence":
                count = self.conn.execute(
                    _STALE_EVIDENCE + " SELECT count(*) FROM stale", {"cutoff": cutoff}
                ).fetchone()[0]
                if count:
                    yield SweepItem(
                        "consent_evidence",
                        "delete",
                        None,
                        int(count),
                        _("older than {days} days and no longer backing a current consent").format(
                            days=policy.period_days
                        ),
                    )
            elif policy.category == "closed_request":
                count = self.conn.execute(
                    "SELECT count(*) FROM subject_request WHERE status != 'open' AND completed_at < ?", (cutoff,)
                ).fetchone()[0]
                if count:
                    yield SweepItem(
                        "closed_request",
                        "delete",
                        None,
                        int(count),
                        _("closed more than {days} days ago").format(days=policy.period_days),
                    )
            elif policy.category == "audit":
                count = self.conn.execute("SELECT count(*) FROM audit_event WHERE at < ?", (cutoff,)).fetchone()[0]
                if count:
                    yield SweepItem(
                        "audit", "delete", None, int(count), _("older than {days} days").format(days=policy.period_days)
                    )

    def erase_due(
        self,
        now: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SweepResult:
        """The sweep's first step (`apply` runs both): apply the preview; returns the counts per category.
        Audited, without personal data.

        Every person due goes in one transaction: a crash leaves everyone untouched, and a cancel (asked between
        batches) keeps the batches done. A transaction per batch wrote the pages of the indexes every batch
        touches (normalised emails and phones, activity dates) once per batch: at 1M people, 100k due, 3.1 GB
        written against 2.5 GB in one (each page once to the write-ahead log, once back into the file).

        The erased people's tokens are still in the search index's segments when this returns: `remove_traces`
        merges them out, as a step of its own that the run records as owed in the same transaction (so a crash
        between the two leaves it owed, and `verify` names it). The merge rewrites every search index whole
        (about 0.3x of rewriting the vault, at 100k and 1M); apart, the erasure is on disk sooner and the report
        can say when the traces went. bench/bench_sweep.py times both against rewriting the whole file.
        """
        self.session.require(Permission.ERASE)
        now = now or datetime.now(UTC)
        items = self.preview(now)
        conn = self.conn
        with self.session.change():
            run_id = int(
                conn.execute(
                    "INSERT INTO sweep_run(started_at, user_id, dry_run, status, traces_removed_at) "
                    "VALUES (?, ?, 0, 'running', ?)",  # nothing owed until an erasure commits
                    (_stamp(now), self.session.user.id, _stamp(now)),
                ).lastrowid
            )
        counts: Counter[str] = Counter()
        # In id order, so each batch is one stretch of the person tables rather than pages all over the file.
        people = sorted((item for item in items if item.contact_id is not None), key=lambda item: item.contact_id or 0)
        with bulk_cache(conn):  # one larger page cache for the people and the records
            stopped = False
            if people:
                stopped = self._erase_people(people, run_id, now, counts, progress, cancelled)
            if not stopped:
                counts.update(self._sweep_records(items, now))
            status = "cancelled" if stopped else "done"
            with self.session.change() as conn:
                conn.execute(
                    "UPDATE sweep_run SET finished_at = ?, counts = ?, status = ? WHERE id = ?",
                    (_stamp(datetime.now(UTC)), json.dumps(dict(counts), sort_keys=True), status, run_id),
                )
                summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing due"
                self.session.audit("sweep.run", "sweep_run", run_id, f"{status}: {summary}")
            if counts:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the log back to empty (SQLite copied it at commit)
        return SweepResult(run_id, dict(counts), stopped)

    def apply(
        self,
        now: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SweepResult:
        """The sweep: `erase_due`, then `remove_traces` (which cannot be cancelled; progress says (0, 0) while it
        runs). The result says when the traces went (None when nobody's were owed)."""
        result = self.erase_due(now, progress, cancelled)
        starting = (lambda: progress(0, 0)) if progress is not None else None  # a step of unknown length
        return replace(result, traces_removed_at=self.remove_traces(starting))

    def traces_pending(self) -> list[str]:
        """Since when erased people's tokens may still be in the search index (a UTC stamp; empty when none): one
        mark for every erasure, sweep or single, set in its transaction and cleared by the merge
        (`erasure.owe_trace_removal`, `erasure.merge_out_deleted`), so a crash between the two leaves it."""
        since = erasure.trace_removal_owed_since(self.conn)
        return [since] if since else []

    def remove_traces(self, starting: Callable[[], None] | None = None) -> datetime | None:
        """Merge the search indexes so no token of anyone erased is left (stamping the sweeps that owed it);
        returns when, or None if nothing was owed. `starting()` is called just before the merge. It reveals and
        changes nobody's data, so any signed-in user runs it (the app does at unlock, after a crash between an
        erasure and this step; `counterpart-admin sweep --finish-traces`)."""
        if not self.traces_pending():
            return None
        if starting is not None:
            starting()
        conn = self.conn
        with bulk_cache(conn), self.session.change():
            done = erasure.merge_out_deleted(conn)
            self.session.audit("sweep.traces_removed")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return done

    def _erase_people(
        self,
        people: list[SweepItem],
        run_id: int,
        now: datetime,
        counts: Counter[str],
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> bool:
        """The people in the preview, a batch at a time in one transaction; True if cancelled between batches
        (the batches done are kept)."""
        conn = self.conn
        references = erasure.references_to_contact(conn)
        done: list[tuple[str, str]] = []
        stopped = False
        with foreign_keys_enforced_by_caller(conn), self.session.change(), erasure.index_merges_deferred(conn):
            for start in range(0, len(people), BATCH):
                if cancelled is not None and cancelled():
                    stopped = True
                    break
                batch = people[start : start + BATCH]
                for action in (erasure.ERASE, erasure.ANONYMISE):
                    ids = [
                        int(item.contact_id)
                        for item in batch
                        if item.contact_id is not None
                        and (erasure.ANONYMISE if item.action == "anonymise" else erasure.ERASE) == action
                    ]
                    done += [(name, action) for name in erasure.erase_many(conn, ids, action, now, references)]
                counts.update(item.category for item in batch)
                self.session.audit(
                    "sweep.batch",
                    "sweep_run",
                    run_id,
                    ", ".join(f"{k}={v}" for k, v in sorted(Counter(i.category for i in batch).items())),
                )
                if progress is not None:
                    progress(min(start + BATCH, len(people)), len(people))
            if done:  # owed from the moment the erasure commits (a crash next leaves it owed)
                erasure.owe_trace_removal(conn)
                conn.execute("UPDATE sweep_run SET traces_removed_at = NULL WHERE id = ?", (run_id,))
        erasure.remember_outside(self.session.vault.paths.erasures, done)
        return stopped

    def _sweep_records(self, items: list[SweepItem], now: datetime) -> Counter[str]:
        """Evidence and audit entries (not people), each in its own transaction."""
        counts: Counter[str] = Counter()
        policies = {p.category: p for p in self.policies()}
        for item in items:
            if item.contact_id is not None:
                continue
            cutoff = _stamp(now - timedelta(days=policies[item.category].period_days))
            with self.session.change() as conn:
                if item.category == "consent_evidence":
                    deleted = conn.execute(
                        _STALE_EVIDENCE + " DELETE FROM consent_evidence WHERE id IN (SELECT id FROM stale)",
                        {"cutoff": cutoff},
                    ).rowcount
                elif item.category == "closed_request":
                    deleted = conn.execute(
                        "DELETE FROM subject_request WHERE status != 'open' AND completed_at < ?", (cutoff,)
                    ).rowcount
                else:
                    deleted = _trim_audit(conn, cutoff, self.session.vault.signer)
                counts[item.category] += deleted
        return counts

    def last_run(self) -> tuple[str, str, dict[str, int]] | None:
        """(finished at, status, counts) of the latest sweep, for 'at most once a day' and the settings screen."""
        row = self.conn.execute(
            "SELECT coalesce(finished_at, started_at), status, counts FROM sweep_run "
            "WHERE dry_run = 0 ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), json.loads(row[2]))

    def due(self, now: datetime | None = None) -> bool:
        """True when no sweep ran in the last 24 hours and one would remove or anonymise something now (the app
        says so at unlock). A new vault, or one whose preview is empty, is not due: nothing to review."""
        last = self.last_run()
        now = now or datetime.now(UTC)
        if last is not None and datetime.fromisoformat(last[0]) >= now - timedelta(days=1):
            return False
        return next(self._planned(now), None) is not None


_STALE_EVIDENCE = (
    "WITH current AS (SELECT e.evidence_id FROM consent_event e WHERE e.evidence_id IS NOT NULL AND "
    "e.id = (SELECT max(id) FROM consent_event WHERE contact_id = e.contact_id AND "
    "purpose_key = e.purpose_key) AND e.action = 'grant'), "
    "stale AS (SELECT id FROM consent_evidence WHERE created_at < :cutoff AND id NOT IN "
    "(SELECT evidence_id FROM current))"
)


def _trim_audit(conn: Connection, cutoff: str, signer: Signer | None) -> int:
    """Delete entries older than `cutoff`, remembering the last deleted entry's hash as the chain's new anchor
    (signed by the sweeping user: verify names an anchor nobody who may erase signed)."""
    row = conn.execute("SELECT id, hash FROM audit_event WHERE at < ? ORDER BY id DESC LIMIT 1", (cutoff,)).fetchone()
    if row is None:
        return 0
    audit.set_anchor(conn, signer, int(row[0]), bytes(row[1]))
    conn.execute("DROP TRIGGER audit_event_no_delete")
    deleted = int(conn.execute("DELETE FROM audit_event WHERE id <= ?", (int(row[0]),)).rowcount)
    conn.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    return deleted
