"""Consent: purposes with their lawful basis, versioned notices, and an append-only ledger of events.

The current state of a person's consent for a purpose is derived, never stored: the latest event for that
purpose, counted as not granted once older than the purpose's expiry. Corrections are new events.
Anything selected "for" a purpose goes through `eligible_sql`, so a withdrawal takes effect everywhere at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.access.roles import Permission
from app.access.session import Session
from app.consent.jurisdiction import (
    EVERYONE,
    asks_consent,
    bases_for,
    children_among,
    law_of,
    needs_parent,
    person_law,
    pipl_people_sql,
    shop_country,
)
from app.consent.restriction import RESTRICTED_IDS
from app.errors import InvalidInput
from app.locale import _
from app.store.database import Connection
from app.store.seeds import notice_hash

METHODS = ("form", "paper", "verbal", "import", "request")  # request: done to answer a privacy request
LAWFUL_BASES = ("consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests")
FLAGS = ("opt_out_sale_sharing", "limit_sensitive")
OBJECTABLE = ("legitimate_interests", "public_task")  # GDPR Art. 21(1): a withdrawal on these is an objection
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def utc(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def lawful_basis_label(basis: str, _: Callable[[str], str] = _) -> str:
    """Readable lawful basis; pass a `translator(language)` as `_` to word it for a customer."""
    return {
        "consent": _("Consent (GDPR Art. 6(1)(a))"),
        "contract": _("Contract (Art. 6(1)(b))"),
        "legal_obligation": _("Legal obligation (Art. 6(1)(c))"),
        "vital_interests": _("Vital interests (Art. 6(1)(d))"),
        "public_task": _("Public task (Art. 6(1)(e))"),
        "legitimate_interests": _("Legitimate interests (Art. 6(1)(f))"),
    }[basis]


@dataclass(frozen=True)
class Purpose:
    key: str
    name: str  # a default's English message id (translate it to show it), or the owner's own wording
    lawful_basis: str
    expires_after_days: int | None
    separate_consent: bool
    active: bool
    sensitive: bool = False  # sensitive personal information: people who limited its use are left out (CCPA)


@dataclass(frozen=True)
class Notice:
    id: int
    language: str
    version: int
    title: str
    body: str
    sha256: str
    created_at: str


@dataclass(frozen=True)
class ConsentEvent:
    id: int
    contact_id: int
    purpose_key: str
    action: str
    method: str
    notice_id: int | None
    notice_sha256: str | None
    source: str
    evidence_id: int | None
    captured_by: str | None
    at: str
    guardian_name: str | None = None  # a child's consent: the parent or guardian who gave it
    guardian_relation: str | None = None


@dataclass(frozen=True)
class ConsentState:
    """One purpose for one person, as it stands now, and why."""

    purpose: Purpose
    granted: bool
    reason: str  # shown in the UI: "granted on …", "withdrawn on …", "expired on …", "never asked", "lawful basis"
    last_event: ConsentEvent | None


# A consent fact an import states: (contact id, purpose key, granted, source) and optionally when, as the file
# dates it (None: undated, recorded at the time of the import).
ImportedFact = tuple[int, str, bool, str] | tuple[int, str, bool, str, datetime | None]


def imported_verdict(latest: tuple[str, str] | None, granted: bool, at: datetime | None) -> str:
    """Whether a choice a file states goes into the ledger, given the person's latest event for the purpose
    (action, at): "record", "known" (the ledger already says so, or knows something newer) or "conflict" (not
    recorded; reported to the person importing).

    A file never invents consent: a grant counts only for someone with no event for the purpose, or dated by the
    file after their latest event (a renewal, or subscribing again after a withdrawal); an undated "yes" never
    overrides a withdrawal. A withdrawal is recorded unless they are withdrawn already or the file dates it before
    a consent they gave since. A "no" for someone never asked is kept as a withdrawal (their stated refusal:
    it keeps them out of lists of people to ask), never as anything they could be contacted on.
    """
    if latest is None:
        return "record"
    action, stamp = latest
    newer = at is not None and utc(at) > stamp
    if granted:
        if newer:
            return "record"
        return "known" if action == "grant" else "conflict"
    if action == "withdraw":
        return "known"
    return "conflict" if at is not None and utc(at) < stamp else "record"


_EVENT_COLUMNS = (
    "e.id, e.contact_id, e.purpose_key, e.action, e.method, e.notice_id, e.notice_sha256, e.source, "
    "e.evidence_id, u.name, e.at, e.guardian_name, e.guardian_relation "
    "FROM consent_event e LEFT JOIN user u ON u.id = e.captured_by_user_id "
)


def eligible_sql(purpose: Purpose, now: datetime, *, pipl_people: str) -> tuple[str, list[object]]:
    """SQL selecting the ids of people with a current basis for `purpose` (for lists, exports and selections).

    Consent purposes: the latest event is a grant, younger than the expiry. Other bases: everyone, except that
    sale or sharing also honours the CCPA opt-out flag. A basis PIPL does not offer (legitimate interests) needs
    a grant from the people PIPL covers (`pipl_people`, SQL from jurisdiction.pipl_people_sql: everyone when
    the shop is in China, else people with a +86
    phone. A purpose marked sensitive leaves out people who limited the use of their sensitive information.
    """
    args: list[object] = []
    granted = (
        "SELECT e.contact_id AS id FROM consent_event e WHERE e.purpose_key = ? AND e.id = "
        "(SELECT max(id) FROM consent_event WHERE purpose_key = e.purpose_key AND contact_id = e.contact_id) "
        "AND e.action = 'grant'"
    )
    granted_args: list[object] = [purpose.key]
    if purpose.expires_after_days:
        granted += " AND e.at >= ?"
        granted_args.append(utc(now - timedelta(days=purpose.expires_after_days)))
    # On legitimate interests or a public task, a withdrawal is the person's objection (Art. 21): they are out too.
    objected = (
        "SELECT e.contact_id FROM consent_event e WHERE e.purpose_key = ? AND e.id = (SELECT max(id) "
        "FROM consent_event WHERE purpose_key = e.purpose_key AND contact_id = e.contact_id) "
        "AND e.action = 'withdraw'"
    )
    if asks_consent(purpose.lawful_basis, "") or (
        pipl_people == EVERYONE and asks_consent(purpose.lawful_basis, "pipl")
    ):
        sql, args = granted, granted_args
    elif asks_consent(purpose.lawful_basis, "pipl"):  # consent from the people PIPL covers, the others as it says
        sql = (
            f"SELECT c.id AS id FROM contact c WHERE c.deleted_at IS NULL AND c.id NOT IN ({objected}) "
            f"AND (c.id NOT IN ({pipl_people}) OR c.id IN ({granted}))"
        )
        args = [purpose.key, *granted_args]
    elif purpose.lawful_basis in OBJECTABLE:
        sql = f"SELECT c.id AS id FROM contact c WHERE c.deleted_at IS NULL AND c.id NOT IN ({objected})"
        args = [purpose.key]
    else:  # a contract, a legal duty, vital interests: nothing to object to
        sql = "SELECT c.id AS id FROM contact c WHERE c.deleted_at IS NULL"
    if purpose.sensitive:
        sql = (
            f"SELECT id FROM ({sql}) WHERE id NOT IN (SELECT f.contact_id FROM privacy_flag_event f WHERE "
            "f.flag = 'limit_sensitive' AND f.value = 1 AND f.id = (SELECT max(id) FROM privacy_flag_event "
            "WHERE flag = f.flag AND contact_id = f.contact_id))"
        )
    if purpose.key == "sale_sharing":
        sql = (
            f"SELECT id FROM ({sql}) WHERE id NOT IN (SELECT f.contact_id FROM privacy_flag_event f WHERE "
            "f.flag = 'opt_out_sale_sharing' AND f.value = 1 AND f.id = (SELECT max(id) FROM privacy_flag_event "
            "WHERE flag = f.flag AND contact_id = f.contact_id))"
        )
    return sql, args


def audience_sql(session: Session, purpose: Purpose, now: datetime) -> tuple[str, list[object]]:
    """`eligible_sql` for processing people: the shop's law decides PIPL, and restricted people (Art. 18) are
    left out, since they may be stored but not processed. A breach's choice of affected people uses
    `eligible_sql` itself: restricted people are told of a breach too."""
    sql, args = eligible_sql(purpose, now, pipl_people=pipl_people_sql(session.conn))
    return f"SELECT id FROM ({sql}) WHERE id NOT IN ({RESTRICTED_IDS})", args


class ConsentService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    # --- purposes and notices ----------------------------------------------------------------------------

    def purposes(self, active_only: bool = True) -> list[Purpose]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        rows = self.conn.execute(
            "SELECT key, name, lawful_basis, expires_after_days, separate_consent, active, "
            "sensitive FROM purpose" + (" WHERE active = 1" if active_only else "") + " ORDER BY position"
        )
        return [Purpose(str(r[0]), str(r[1]), str(r[2]), r[3], bool(r[4]), bool(r[5]), bool(r[6])) for r in rows]

    def purpose(self, key: str) -> Purpose:
        found = next((p for p in self.purposes(active_only=False) if p.key == key), None)
        if found is None:
            keys = ", ".join(p.key for p in self.purposes(active_only=False))
            raise InvalidInput(_("Unknown purpose {key}; the purposes are: {keys}.").format(key=key, keys=keys))
        return found

    def set_purpose(
        self,
        key: str,
        *,
        lawful_basis: str,
        expires_after_days: int | None,
        active: bool = True,
        name: str | None = None,
        sensitive: bool | None = None,
    ) -> None:
        """The owner's policy for a purpose; every change is audited. A shop in China is offered PIPL's bases
        only (no legitimate interests); `sensitive` marks a purpose that uses sensitive information."""
        self.session.require(Permission.MANAGE_POLICIES)
        current = self.purpose(key)
        if lawful_basis not in LAWFUL_BASES:
            raise InvalidInput(_("Unknown lawful basis {basis}.").format(basis=lawful_basis))
        if lawful_basis not in bases_for(law_of(shop_country(self.conn))):
            raise InvalidInput(
                _("{basis} is not a lawful basis under PIPL; choose consent or another basis PIPL names.").format(
                    basis=lawful_basis_label(lawful_basis)
                )
            )
        sensitive = current.sensitive if sensitive is None else sensitive
        if expires_after_days is not None and expires_after_days <= 0:
            raise InvalidInput(_("Consent can expire after a positive number of days, or never."))
        with self.session.change() as conn:
            conn.execute(
                "UPDATE purpose SET name = ?, lawful_basis = ?, expires_after_days = ?, active = ?, "
                "sensitive = ? WHERE key = ?",
                (name or current.name, lawful_basis, expires_after_days, int(active), int(sensitive), key),
            )
            self.session.audit(
                "purpose.change",
                "purpose",
                key,
                f"basis={lawful_basis} expires={expires_after_days} active={int(active)} sensitive={int(sensitive)}",
            )

    def publish_notice(self, language: str, title: str, body: str, *, composed: bool = False) -> Notice:
        """A new version of the notice text in `language`; earlier versions stay, unchanged, forever.

        The owner's words need the permission to manage policies. A notice `composed` from the records
        (app.privacy.notices, after the owner changed one of them) is published by whoever next shows it, staff
        at the kiosk included, so that a customer never reads a notice the records have outdated."""
        self.session.require(Permission.CAPTURE_CONSENT if composed else Permission.MANAGE_POLICIES)
        if not title.strip() or not body.strip():
            raise InvalidInput(_("A notice needs a title and a text."))
        digest = notice_hash(title.strip(), body.strip())
        with self.session.change() as conn:
            version = conn.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM notice WHERE language = ?", (language,)
            ).fetchone()[0]
            notice_id = int(
                conn.execute(
                    "INSERT INTO notice(language, version, title, body, sha256, created_at, created_by_user_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (language, version, title.strip(), body.strip(), digest, utc(), self.session.user.id),
                ).lastrowid
            )
            self.session.audit(
                "notice.publish",
                "notice",
                notice_id,
                f"{language} v{version}" + (" (composed from the records)" if composed else ""),
            )
        return self.notice(notice_id)

    def notice(self, notice_id: int) -> Notice:
        row = self.conn.execute(
            "SELECT id, language, version, title, body, sha256, created_at FROM notice WHERE id = ?", (notice_id,)
        ).fetchone()
        if row is None:
            raise InvalidInput(_("There is no notice with id {id}.").format(id=notice_id))
        return Notice(*row)

    def notices(self, language: str) -> list[Notice]:
        """Every version of the notice in `language`, newest first (old versions are kept forever)."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            Notice(*r)
            for r in self.conn.execute(
                "SELECT id, language, version, title, body, sha256, created_at FROM notice WHERE language = ? "
                "ORDER BY version DESC",
                (language,),
            )
        ]

    def current_notice(self, language: str) -> Notice | None:
        """The newest notice in `language`, falling back to the base language (zh_CN -> zh) and English."""
        for candidate in (language, language.split("_")[0], "en"):
            row = self.conn.execute(
                "SELECT id FROM notice WHERE language = ? ORDER BY version DESC LIMIT 1", (candidate,)
            ).fetchone()
            if row:
                return self.notice(int(row[0]))
        return None

    # --- the ledger --------------------------------------------------------------------------------------

    def store_evidence(self, contact_id: int, kind: str, media_type: str, data: bytes) -> int:
        """A signature image or a scanned paper form, kept inside the encrypted vault (never as a loose file)."""
        self.session.require(Permission.CAPTURE_CONSENT)
        if kind not in ("signature", "scan"):
            raise InvalidInput(_("Evidence is a signature or a scanned form."))
        if not data or len(data) > MAX_EVIDENCE_BYTES:
            raise InvalidInput(_("Evidence must be between 1 byte and 20 MB."))
        with self.session.change() as conn:
            evidence_id = int(
                conn.execute(
                    "INSERT INTO consent_evidence(contact_id, kind, media_type, data, sha256, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (contact_id, kind, media_type, data, hashlib.sha256(data).hexdigest(), utc()),
                ).lastrowid
            )
            self.session.audit("consent.evidence", "contact", contact_id, f"{kind} {evidence_id}")
        return evidence_id

    def evidence(self, evidence_id: int) -> tuple[str, bytes]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        row = self.conn.execute(
            "SELECT media_type, data, contact_id FROM consent_evidence WHERE id = ?", (evidence_id,)
        ).fetchone()
        if row is None:
            raise InvalidInput(_("There is no evidence with id {id}.").format(id=evidence_id))
        self.session.record("consent.evidence_read", "contact", int(row[2]), f"evidence {evidence_id}")
        return str(row[0]), bytes(row[1])

    def record(
        self,
        contact_id: int,
        purpose_key: str,
        granted: bool,
        method: str,
        *,
        notice_id: int | None = None,
        evidence_id: int | None = None,
        source: str = "",
        at: datetime | None = None,
        guardian: tuple[str, str] | None = None,
    ) -> int:
        """Append one event. A grant by form or paper must name the notice the person saw. A child's grant (their
        birthday known, younger than the age their law sets) is the parent's: `guardian` is (name, relation)."""
        self.session.require(Permission.CAPTURE_CONSENT)
        purpose = self.purpose(purpose_key)
        if method not in METHODS:
            raise InvalidInput(_("The method is one of: form, paper, verbal, import."))
        if (
            self.conn.execute("SELECT 1 FROM contact WHERE id = ? AND deleted_at IS NULL", (contact_id,)).fetchone()
            is None
        ):
            raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
        if guardian is not None and not (guardian[0].strip() and guardian[1].strip()):
            raise InvalidInput(_("Name the parent or guardian who consents, and how they are related."))
        age = needs_parent(self.conn, contact_id, (at or datetime.now(UTC)).date()) if granted else None
        if age is not None and guardian is None:
            raise InvalidInput(
                _(
                    "This customer is under {age}: a parent or guardian must give this consent. Record "
                    "who gave it and how they are related."
                ).format(age=age)
            )
        notice = self.notice(notice_id) if notice_id is not None else None
        if granted and method in ("form", "paper") and notice is None:
            raise InvalidInput(_("A consent given on a form must record which notice text the customer saw."))
        if method == "import" and not source.strip():
            raise InvalidInput(_("An imported consent must name its source file."))
        with self.session.change() as conn:
            event_id = int(
                conn.execute(
                    "INSERT INTO consent_event(contact_id, purpose_key, action, method, notice_id, notice_sha256, "
                    "source, "
                    "evidence_id, captured_by_user_id, at, guardian_name, guardian_relation) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        contact_id,
                        purpose.key,
                        "grant" if granted else "withdraw",
                        method,
                        notice.id if notice else None,
                        notice.sha256 if notice else None,
                        source.strip(),
                        evidence_id,
                        self.session.user.id,
                        utc(at),
                        guardian[0].strip() if guardian else None,
                        guardian[1].strip() if guardian else None,
                    ),
                ).lastrowid
            )
            self.session.audit(
                "consent.grant" if granted else "consent.withdraw",
                "contact",
                contact_id,
                f"{purpose.key} via {method}" + (" by a parent" if guardian else ""),
            )
        return event_id

    def record_imported(self, facts: list[ImportedFact], *, audit: bool = True) -> int:
        """Consents an imported file states, as (contact id, purpose key, granted, source[, at]) in one
        transaction: method 'import', the file, line and column named as the source, dated as the file dates
        them (else now); never invented, so only what the file said. Callers decide with `imported_verdict`
        which facts belong in the ledger of people who have events already. A grant for someone whose birthday
        makes them younger than their law's age of consent is left out: `record` asks for the parent's name.

        An import writes them a batch at a time with `audit=False` and then one `audit_imported(total)`."""
        self.session.require(Permission.CAPTURE_CONSENT)
        keys = {p.key for p in self.purposes(active_only=False)}
        stamp, user = utc(), self.session.user.id
        children = self._children(list({fact[0] for fact in facts if fact[2]}))
        rows = [
            (
                fact[0],
                fact[1],
                "grant" if fact[2] else "withdraw",
                "import",
                fact[3].strip(),
                user,
                utc(fact[4]) if len(fact) > 4 and fact[4] is not None else stamp,
            )
            for fact in facts
            if fact[1] in keys and fact[3].strip() and not (fact[2] and fact[0] in children)
        ]
        if not rows:
            return 0
        with self.session.change() as conn:
            conn.executemany(
                "INSERT INTO consent_event(contact_id, purpose_key, action, method, source, "
                "captured_by_user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            if audit:
                self.audit_imported(len(rows))
        return len(rows)

    def _children(self, ids: list[int]) -> set[int]:
        """Of `ids`, the people whose birthday makes them younger than their law's age of consent today: a file
        cannot show that a parent gave theirs (as `record` asks for one)."""
        return children_among(self.conn, ids, datetime.now(UTC).date())

    def latest_events(self, contact_id: int) -> dict[str, tuple[str, str]]:
        """purpose key -> (action, at) of the person's latest event for it (what `imported_verdict` weighs)."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return {
            str(r[0]): (str(r[1]), str(r[2]))
            for r in self.conn.execute(
                "SELECT e.purpose_key, e.action, e.at FROM consent_event e WHERE e.contact_id = ? AND e.id = "
                "(SELECT max(id) FROM consent_event WHERE contact_id = e.contact_id AND purpose_key = e.purpose_key)",
                (contact_id,),
            )
        }

    def audit_imported(self, count: int) -> None:
        self.session.audit("consent.import", "consent_event", None, f"{count} events")

    def history(self, contact_id: int) -> list[ConsentEvent]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            ConsentEvent(*r)
            for r in self.conn.execute(f"SELECT {_EVENT_COLUMNS} WHERE e.contact_id = ? ORDER BY e.id", (contact_id,))
        ]

    def states(self, contact_id: int, now: datetime | None = None) -> list[ConsentState]:
        """Every active purpose for one person, with the reason a person can read."""
        now = now or datetime.now(UTC)
        latest = {event.purpose_key: event for event in self.history(contact_id)}
        opted_out = self.flag(contact_id, "opt_out_sale_sharing")
        limited = self.flag(contact_id, "limit_sensitive")
        bases = bases_for(person_law(self.conn, contact_id))
        states = []
        for purpose in self.purposes():
            event = latest.get(purpose.key)
            if purpose.key == "sale_sharing" and opted_out:
                states.append(ConsentState(purpose, False, _("opted out of sale or sharing"), event))
            elif purpose.sensitive and limited:
                states.append(ConsentState(purpose, False, _("limited the use of sensitive information"), event))
            elif purpose.lawful_basis in OBJECTABLE and event is not None and event.action == "withdraw":
                states.append(ConsentState(purpose, False, _("objected on {date}").format(date=event.at[:10]), event))
            elif purpose.lawful_basis != "consent" and purpose.lawful_basis in bases:
                states.append(ConsentState(purpose, True, lawful_basis_label(purpose.lawful_basis), event))
            elif event is None:
                states.append(ConsentState(purpose, False, _("never asked"), None))
            elif event.action == "withdraw":
                states.append(ConsentState(purpose, False, _("withdrawn on {date}").format(date=event.at[:10]), event))
            elif purpose.expires_after_days and datetime.fromisoformat(event.at) < now - timedelta(
                days=purpose.expires_after_days
            ):
                expired = datetime.fromisoformat(event.at) + timedelta(days=purpose.expires_after_days)
                states.append(ConsentState(purpose, False, _("expired on {date}").format(date=expired.date()), event))
            else:
                states.append(ConsentState(purpose, True, _("granted on {date}").format(date=event.at[:10]), event))
        return states

    def eligible_ids(self, purpose_key: str, now: datetime | None = None, limit: int = 1_000_000) -> list[int]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        sql, args = audience_sql(self.session, self.purpose(purpose_key), now or datetime.now(UTC))
        return [
            int(r[0])
            for r in self.conn.execute(
                f"SELECT e.id FROM ({sql}) e JOIN contact c ON c.id = e.id WHERE c.deleted_at IS NULL "
                "ORDER BY c.sort_key, c.id LIMIT ?",
                [*args, limit],
            )
        ]

    # --- CCPA flags --------------------------------------------------------------------------------------

    def set_flag(self, contact_id: int, flag: str, value: bool, method: str = "verbal") -> None:
        """Opt-out of sale/sharing and 'limit use of sensitive data': one click, their own ledger events."""
        self.session.require(Permission.CAPTURE_CONSENT)
        if flag not in FLAGS:
            raise InvalidInput(_("Unknown privacy flag {flag}.").format(flag=flag))
        with self.session.change() as conn:
            conn.execute(
                "INSERT INTO privacy_flag_event(contact_id, flag, value, method, captured_by_user_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (contact_id, flag, int(value), method, self.session.user.id, utc()),
            )
            self.session.audit("privacy_flag.set" if value else "privacy_flag.clear", "contact", contact_id, flag)

    def flag(self, contact_id: int, flag: str) -> bool:
        row = self.conn.execute(
            "SELECT value FROM privacy_flag_event WHERE contact_id = ? AND flag = ? ORDER BY id DESC LIMIT 1",
            (contact_id, flag),
        ).fetchone()
        return bool(row and row[0])
