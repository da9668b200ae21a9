"""People: create, edit, read (audited), delete with undo, search and list.

Every change is one transaction holding the change, its audit entry and the search-index update.
Lists are keyset pages over SQL, so no caller ever loads the whole table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.access.roles import Permission
from app.access.session import Session
from app.access.shop import read_profile
from app.consent.jurisdiction import country_of_e164
from app.consent.ledger import ConsentService
from app.crm import contact_points
from app.crm.bulk import BULK_BATCH, BulkWriter, next_contact_id
from app.crm.contact_points import normalise_address, normalise_email, normalise_phone
from app.crm.sensitive_text import SensitiveFirstNote, SensitiveTextFound, find_sensitive, kinds_of
from app.errors import InvalidInput
from app.locale import _
from app.store import search_index
from app.store.database import Connection, bulk_cache

MAX_NAME = 200
# The first matches ranked by relevance; beyond, a word says too little to rank by. At 1M people the cost is
# ~7 µs per match ranked (bm25 reads each one's length): 5,000 keeps a search under ~50 ms (p95 52 ms here).
RANK_CEILING = 5_000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class ContactPointInput:
    kind: str  # email | phone | address
    value: str
    label: str = ""
    country: str = ""  # ISO code a local phone number is read in (an import: the row's country); "": the shop's
    keep_unchecked: bool = False  # an email or phone that does not check out is kept as typed, not refused
    # Its normalised form when the caller has just worked it out with the same rules (the import checks every
    # detail to report it by line): not worked out a second time as it is written.
    normalized: str | None = None


@dataclass
class ContactInput:
    given_name: str = ""
    family_name: str = ""
    display_name: str = ""  # defaults to "given family" (or "family given" for CJK names)
    points: list[ContactPointInput] = field(default_factory=list)
    organisation: str = ""
    job_title: str = ""
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    note: str = ""
    # Every organisation the person works for, as (name, job title). When given, it is used instead of
    # `organisation` and `job_title` (which stay for callers that know of one: importers, CLI, demo).
    organisations: list[tuple[str, str]] = field(default_factory=list)
    # From an import (#16): the birthday, and the shop's running totals (the amount exactly, never a float).
    birth_date: date | None = None
    total_spent: Decimal | None = None
    order_count: int | None = None

    def organisation_links(self) -> list[tuple[str, str]]:
        """(name, job title) of each organisation, whichever way they were given."""
        if self.organisations:
            return list(self.organisations)
        return [(self.organisation, self.job_title)] if self.organisation else []


CONSENT_STATES = ("granted", "withdrawn", "expired", "never_asked")


@dataclass(frozen=True)
class ContactFilter:
    """Narrows a list or a search: people with a tag, owned by a user, in a consent state for a purpose.

    Consent states follow the ledger (the latest event for the purpose decides): "granted" is a grant still
    in force (younger than the purpose's expiry, and for sale or sharing not opted out), "withdrawn" a
    withdrawal, "expired" a grant past the expiry, "never_asked" no event at all.
    """

    tag_id: int | None = None
    owner_user_id: int | None = None
    consent_purpose: str | None = None
    consent_state: str | None = None  # one of CONSENT_STATES, with consent_purpose
    restricted: bool | None = None  # True: only people whose processing is restricted now; False: all but them

    @property
    def active(self) -> bool:
        return (
            self.tag_id is not None
            or self.owner_user_id is not None
            or self.consent_state is not None
            or self.restricted is not None
        )


@dataclass(frozen=True)
class ContactSummary:
    id: int
    name: str
    email: str | None
    phone: str | None
    organisation: str | None
    # The email or phone shown was kept as typed because it did not check out (lists mark it "unchecked").
    email_unchecked: bool = False
    phone_unchecked: bool = False
    restricted: bool = False  # processing restricted (GDPR Art. 18): lists mark it, exports leave it out


@dataclass(frozen=True)
class ContactPoint:
    id: int
    kind: str
    label: str
    value: str
    normalized: str
    is_primary: bool

    @property
    def unchecked(self) -> bool:
        """An email or phone kept as typed because it did not check out (see contact_points.UNCHECKED)."""
        return self.kind in ("email", "phone") and self.normalized == contact_points.UNCHECKED


@dataclass(frozen=True)
class ContactRecord:
    id: int
    given_name: str
    family_name: str
    display_name: str
    language: str | None
    created_at: str
    updated_at: str
    points: list[ContactPoint]
    organisations: list[tuple[int, str, str]]  # id, name, job title
    tags: list[str]
    notes: list[tuple[int, str, str]]  # id, created_at, body


def _display_name(given: str, family: str) -> str:
    if search_index._CJK.search(family + given):
        return f"{family}{given}".strip()
    return " ".join(part for part in (given, family) if part)


def _clean(data: ContactInput, region: str | None) -> tuple[ContactInput, list[tuple[str, str, str, str]]]:
    given, family = data.given_name.strip(), data.family_name.strip()
    display = data.display_name.strip() or _display_name(given, family)
    if not display:
        raise InvalidInput(_("A customer needs a name."))
    if len(display) > MAX_NAME:
        raise InvalidInput(_("A name can have at most {n} characters.").format(n=MAX_NAME))
    points = []
    for point in data.points:
        if not point.value.strip():
            continue
        try:
            if point.normalized is not None and point.kind in ("email", "phone", "address"):
                normalized = point.normalized
            elif point.kind == "email":
                normalized = normalise_email(point.value)
            elif point.kind == "phone":
                normalized = normalise_phone(point.value, point.country or region)
            elif point.kind == "address":
                normalized = normalise_address(point.value)
            else:
                raise InvalidInput(_("Unknown kind of contact detail: {kind}.").format(kind=point.kind))
        except InvalidInput:
            if not (point.keep_unchecked and point.kind in ("email", "phone")):
                raise
            normalized = contact_points.UNCHECKED
        points.append((point.kind, point.label.strip(), point.value.strip(), normalized))
    organisations: dict[str, tuple[str, str]] = {}
    for name, job_title in data.organisation_links():
        name, job_title = name.strip(), job_title.strip()
        if not name:
            if job_title:
                raise InvalidInput(
                    _("Give the name of the organisation where they are {title}.").format(title=job_title)
                )
            continue
        organisations.setdefault(search_index.fold(name), (name, job_title))  # the same one twice: the first
    links = list(organisations.values())
    first_name, first_title = links[0] if links else ("", "")
    cleaned = ContactInput(
        given,
        family,
        display,
        [],
        first_name,
        first_title,
        [t.strip() for t in data.tags if t.strip()],
        data.language,
        data.note.strip(),
        links,
        data.birth_date,
        data.total_spent,
        data.order_count,
    )
    return cleaned, points


def any_customer(conn: Connection) -> bool:
    return conn.execute("SELECT 1 FROM contact WHERE deleted_at IS NULL LIMIT 1").fetchone() is not None


class ContactService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    def any_customer(self) -> bool:
        """Whether the vault holds anyone yet (outside the bin): the customer list's first-run screen asks."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return any_customer(self.conn)

    def region(self) -> str | None:
        """The shop's country, for reading phone numbers typed without a country code."""
        return read_profile(self.conn).country or None

    # --- changes -----------------------------------------------------------------------------------------

    def create(self, data: ContactInput) -> int:
        """One customer typed in; a first note that looks sensitive is refused (SensitiveFirstNote), as add_note
        refuses one without a reason."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        findings = find_sensitive(data.note.strip()) if data.note.strip() else []
        if findings:
            raise SensitiveFirstNote(findings)
        cleaned, points = _clean(data, self.region())
        with self.session.change() as conn:
            contact_id = self._insert(conn, cleaned, points)
            self.session.audit("contact.create", "contact", contact_id)
        return contact_id

    def create_many(
        self,
        rows: Iterable[ContactInput],
        source: str,
        progress: Callable[[int], None] | None = None,
        written: Callable[[list[int]], None] | None = None,
    ) -> list[int]:
        """Bulk create in one transaction (import, demo): all or nothing, one audit entry with the count.

        Rows must already be valid (importers check them first and report bad rows by line); a bad one here
        aborts the whole batch. `progress(n)` is called every 1,000 rows; `written(ids)` after each batch is
        written, inside the transaction, so a caller can add what belongs to those people as it goes instead of
        holding it for every row until the end.
        """
        self.session.require(Permission.EDIT_CUSTOMERS)
        shop = read_profile(self.conn)
        region = shop.country or None  # as region() reads it
        ids: list[int] = []
        with bulk_cache(self.conn), self.session.change() as conn, contact_points.remembered():
            writer = BulkWriter(conn, self.session.user.id, now(), source, shop.currency or None)
            flushed = 0

            def flush() -> None:
                nonlocal flushed
                batch = ids[flushed:]
                flushed = len(ids)
                writer.flush()
                if written is not None and batch:
                    written(batch)

            for data in rows:
                c, points = _clean(data, region)
                ids.append(
                    writer.add(
                        c.given_name,
                        c.family_name,
                        c.display_name,
                        c.language,
                        points,
                        c.organisation,
                        c.job_title,
                        c.tags,
                        c.note,
                        more_organisations=c.organisations[1:],
                        birth_date=c.birth_date,
                        total_spent=c.total_spent,
                        order_count=c.order_count,
                    )
                )
                if len(writer) >= BULK_BATCH:
                    flush()
                if progress and len(ids) % 1000 == 0:
                    progress(len(ids))
            flush()
            self.session.audit("contact.bulk_create", "contact", None, f"{len(ids)} from {source}")
        return ids

    def _insert(self, conn: Connection, data: ContactInput, points: list[tuple[str, str, str, str]]) -> int:
        stamp = now()
        contact_id = next_contact_id(conn)
        conn.execute(
            "INSERT INTO contact(id, given_name, family_name, display_name, sort_key, language, owner_user_id, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contact_id,
                data.given_name,
                data.family_name,
                data.display_name,
                search_index.fold(data.display_name),
                data.language,
                self.session.user.id,
                stamp,
                stamp,
            ),
        )
        self._write_details(conn, contact_id, data, points)
        text = search_index.document_text(
            [
                data.display_name,
                data.given_name,
                data.family_name,
                *(name for name, _title in data.organisations),
                *data.tags,
                data.note,
            ]
            + [value for kind, _label, value, _n in points if kind in ("email", "address")]
        )
        search_index.insert(
            conn, contact_id, text, search_index.phone_digits([n or v for kind, _l, v, n in points if kind == "phone"])
        )
        return contact_id

    def _write_details(
        self, conn: Connection, contact_id: int, data: ContactInput, points: list[tuple[str, str, str, str]]
    ) -> None:
        stamp = now()
        first_of_kind: set[str] = set()
        for kind, label, value, normalized in points:
            primary = kind not in first_of_kind
            first_of_kind.add(kind)
            conn.execute(
                "INSERT INTO contact_point(contact_id, kind, label, value, normalized, is_primary, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (contact_id, kind, label, value, normalized, int(primary), stamp),
            )
        for name, job_title in data.organisations:
            conn.execute(
                "INSERT INTO contact_organisation(contact_id, organisation_id, job_title) VALUES (?, ?, ?) "
                "ON CONFLICT DO UPDATE SET job_title = excluded.job_title",
                (contact_id, self._organisation_id(conn, name), job_title),
            )
        for tag in data.tags:
            conn.execute(
                "INSERT OR IGNORE INTO contact_tag(contact_id, tag_id) VALUES (?, ?)",
                (contact_id, self._tag_id(conn, tag)),
            )
        if data.note:
            conn.execute(
                "INSERT INTO note(contact_id, body, author_user_id, created_at) VALUES (?, ?, ?, ?)",
                (contact_id, data.note, self.session.user.id, stamp),
            )

    @staticmethod
    def _organisation_id(conn: Connection, name: str) -> int:
        key = search_index.fold(name)
        row = conn.execute("SELECT id FROM organisation WHERE sort_key = ? LIMIT 1", (key,)).fetchone()
        if row:
            return int(row[0])
        return int(
            conn.execute(
                "INSERT INTO organisation(name, sort_key, created_at) VALUES (?, ?, ?)", (name, key, now())
            ).lastrowid
        )

    @staticmethod
    def _tag_id(conn: Connection, name: str) -> int:
        key = search_index.fold(name)
        conn.execute("INSERT OR IGNORE INTO tag(name, name_key) VALUES (?, ?)", (name, key))
        return int(conn.execute("SELECT id FROM tag WHERE name_key = ?", (key,)).fetchone()[0])

    def update(self, contact_id: int, data: ContactInput) -> None:
        """Replace names, contact details, organisations and tags (notes are added, never rewritten here).

        A detail saved again unchanged keeps what it was read as: an import read "9 8765 4321" in its row's
        country, and editing the name must not read it again in the shop's; one an import kept unchecked stays
        unchecked (an old "n/a" need not be fixed first). Typed anew, a detail is checked like any other."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        self._require_exists(contact_id)
        cleaned, points = _clean(self._as_stored(contact_id, data), self.region())
        with self.session.change() as conn:
            conn.execute(
                "UPDATE contact SET given_name = ?, family_name = ?, display_name = ?, sort_key = ?, "
                "language = ?, updated_at = ? WHERE id = ?",
                (
                    cleaned.given_name,
                    cleaned.family_name,
                    cleaned.display_name,
                    search_index.fold(cleaned.display_name),
                    cleaned.language,
                    now(),
                    contact_id,
                ),
            )
            conn.execute("DELETE FROM contact_point WHERE contact_id = ?", (contact_id,))
            conn.execute("DELETE FROM contact_organisation WHERE contact_id = ?", (contact_id,))
            conn.execute("DELETE FROM contact_tag WHERE contact_id = ?", (contact_id,))
            self._write_details(conn, contact_id, cleaned, points)
            search_index.reindex(conn, contact_id)
            self.session.audit("contact.update", "contact", contact_id)

    def _as_stored(self, contact_id: int, data: ContactInput) -> ContactInput:
        """`data` with each phone or email it repeats unchanged read as it was stored (see `update`)."""
        stored = {
            (str(r[0]), str(r[1])): str(r[2])
            for r in self.conn.execute(
                "SELECT kind, value, normalized FROM contact_point WHERE contact_id = ? AND kind IN ('email', 'phone')",
                (contact_id,),
            )
        }
        points = []
        for point in data.points:
            known = stored.get((point.kind, point.value.strip()))
            if known == contact_points.UNCHECKED:
                point = replace(point, keep_unchecked=True)
            elif known and point.kind == "phone" and not point.country:
                point = replace(point, country=country_of_e164(known))
            points.append(point)
        return replace(data, points=points)

    def add_note(self, contact_id: int, body: str, keep_reason: str = "") -> int:
        """Save a note. One that looks sensitive (app.crm.sensitive_text) is refused with its findings
        (SensitiveTextFound) unless `keep_reason` says why it is needed; that reason is kept with the note."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        self._require_exists(contact_id)
        if not body.strip():
            raise InvalidInput(_("A note cannot be empty."))
        findings = find_sensitive(body.strip())
        if findings and not keep_reason.strip():
            raise SensitiveTextFound(findings)
        with self.session.change() as conn:
            stamp = now()
            note_id = int(
                conn.execute(
                    "INSERT INTO note(contact_id, body, author_user_id, created_at) VALUES (?, ?, ?, ?)",
                    (contact_id, body.strip(), self.session.user.id, stamp),
                ).lastrowid
            )
            search_index.reindex(conn, contact_id)
            self.session.audit("note.create", "contact", contact_id, f"note {note_id}")
            if findings:
                kinds = ",".join(kinds_of(findings))
                conn.execute(
                    "INSERT INTO note_sensitive_kept(note_id, contact_id, kinds, reason, user_id, at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (note_id, contact_id, kinds, keep_reason.strip(), self.session.user.id, stamp),
                )
                self.session.audit("note.sensitive_kept", "contact", contact_id, f"note {note_id}: {kinds}")
        return note_id

    def delete(self, contact_id: int) -> None:
        """Move to the bin (undo with restore). Erasure that removes every trace is the privacy engine's job."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        self._require_exists(contact_id)
        with self.session.change() as conn:
            conn.execute("UPDATE contact SET deleted_at = ? WHERE id = ?", (now(), contact_id))
            search_index.reindex(conn, contact_id)
            self.session.audit("contact.delete", "contact", contact_id)

    def restore(self, contact_id: int) -> None:
        self.session.require(Permission.EDIT_CUSTOMERS)
        with self.session.change() as conn:
            changed = conn.execute(
                "UPDATE contact SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL", (contact_id,)
            ).rowcount
            if not changed:
                raise InvalidInput(_("Customer {id} is not in the bin.").format(id=contact_id))
            search_index.reindex(conn, contact_id)
            self.session.audit("contact.restore", "contact", contact_id)

    def _require_exists(self, contact_id: int) -> None:
        row = self.conn.execute("SELECT 1 FROM contact WHERE id = ? AND deleted_at IS NULL", (contact_id,)).fetchone()
        if row is None:
            raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))

    # --- reads -------------------------------------------------------------------------------------------

    def get(self, contact_id: int) -> ContactRecord:
        """A person's full record. Reading it is recorded in the audit log."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        row = self.conn.execute(
            "SELECT id, given_name, family_name, display_name, language, created_at, updated_at "
            "FROM contact WHERE id = ? AND deleted_at IS NULL",
            (contact_id,),
        ).fetchone()
        if row is None:
            raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
        conn = self.conn
        points = [
            ContactPoint(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), bool(r[5]))
            for r in conn.execute(
                "SELECT id, kind, label, value, normalized, is_primary FROM contact_point "
                "WHERE contact_id = ? ORDER BY kind, is_primary DESC, id",
                (contact_id,),
            )
        ]
        organisations = [
            (int(r[0]), str(r[1]), str(r[2]))
            for r in conn.execute(
                "SELECT o.id, o.name, co.job_title FROM organisation o JOIN contact_organisation co "
                "ON co.organisation_id = o.id WHERE co.contact_id = ? ORDER BY o.sort_key",
                (contact_id,),
            )
        ]
        tags = [
            str(r[0])
            for r in conn.execute(
                "SELECT t.name FROM tag t JOIN contact_tag ct ON ct.tag_id = t.id "
                "WHERE ct.contact_id = ? ORDER BY t.name_key",
                (contact_id,),
            )
        ]
        notes = [
            (int(r[0]), str(r[1]), str(r[2]))
            for r in conn.execute(
                "SELECT id, created_at, body FROM note WHERE contact_id = ? ORDER BY id", (contact_id,)
            )
        ]
        self.session.record("contact.read", "contact", contact_id)
        return ContactRecord(
            int(row[0]),
            str(row[1]),
            str(row[2]),
            str(row[3]),
            row[4],
            str(row[5]),
            str(row[6]),
            points,
            organisations,
            tags,
            notes,
        )

    def language_of(self, contact_id: int) -> str | None:
        """The customer's preferred language, for notices, forms and exports."""
        row = self.conn.execute("SELECT language FROM contact WHERE id = ?", (contact_id,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    # The email and phone come prefixed with "1" when kept unchecked (normalized = UNCHECKED, ''), else "0":
    # one lookup each, where a second subquery for the mark made a page of the list 1.6x slower.
    _SUMMARY = (
        "SELECT c.id, c.display_name, "
        "(SELECT (normalized = '') || value FROM contact_point WHERE contact_id = c.id AND kind = 'email' "
        " ORDER BY is_primary DESC, id LIMIT 1), "
        "(SELECT (normalized = '') || value FROM contact_point WHERE contact_id = c.id AND kind = 'phone' "
        " ORDER BY is_primary DESC, id LIMIT 1), "
        "(SELECT o.name FROM organisation o JOIN contact_organisation co ON co.organisation_id = o.id "
        " WHERE co.contact_id = c.id LIMIT 1), "
        "EXISTS (SELECT 1 FROM restriction WHERE contact_id = c.id AND lifted_at IS NULL) "
        "FROM contact c "
    )

    @staticmethod
    def _summary(row: tuple[object, ...]) -> ContactSummary:
        email, phone = (str(cell) if cell is not None else None for cell in row[2:4])
        organisation = str(row[4]) if row[4] is not None else None
        return ContactSummary(
            int(row[0]),  # type: ignore[call-overload]
            str(row[1]),
            email and email[1:],
            phone and phone[1:],
            organisation,
            bool(email and email[0] == "1"),
            bool(phone and phone[0] == "1"),
            bool(row[5]),
        )

    # Filters are conditions on the person `c`, each one fixed text with parameters, so a list or a search
    # runs one of a few statements whatever is chosen. Consent follows the ledger: the latest event for the
    # purpose decides, found by one seek to the end of consent_event_current (purpose_key, contact_id, id).
    # `{person}` is the person's id: `c.id`, or a search index's rowid, so that a search filtered by tag or
    # consent need not read each match's contact row (at 1M people that lookup was half a filtered search).
    _TAG_SQL = " AND EXISTS (SELECT 1 FROM contact_tag WHERE contact_id = {person} AND tag_id = ?)"
    _OWNER_SQL = " AND c.owner_user_id = ?"
    _RESTRICTED_SQL = " AND EXISTS (SELECT 1 FROM restriction WHERE contact_id = {person} AND lifted_at IS NULL)"
    _NOT_RESTRICTED_SQL = " AND NOT" + _RESTRICTED_SQL[4:]
    _LATEST = " FROM consent_event WHERE purpose_key = ? AND contact_id = {person} ORDER BY id DESC LIMIT 1)"
    _CONSENT_SQL = {
        # A grant in force: younger than the expiry (none: '' is before every moment) and, for sale or sharing,
        # not overridden by the person's opt-out (the latest value of that flag).
        "granted": " AND (SELECT action = 'grant' AND at >= ?"
        + _LATEST
        + " AND NOT (? AND coalesce((SELECT value FROM privacy_flag_event WHERE "
        "flag = 'opt_out_sale_sharing' AND contact_id = {person} ORDER BY id DESC LIMIT 1), 0) = 1)",
        "withdrawn": " AND (SELECT action = 'withdraw'" + _LATEST,
        "expired": " AND (SELECT action = 'grant' AND at < ?" + _LATEST,  # no expiry: nothing is before ''
        "never_asked": " AND NOT EXISTS (SELECT 1 FROM consent_event WHERE purpose_key = ? AND contact_id = {person})",
    }

    def _filter_sql(self, where: ContactFilter | None, person: str = "c.id") -> tuple[str, list[object]]:
        """The conditions (each starting with AND) and their parameters; nothing for no filter. `person` is the
        SQL for the person's id; the owner condition also needs their row as `c`."""
        if where is None or not where.active:
            return "", []
        sql = ""
        args: list[object] = []
        if where.tag_id is not None:
            sql += self._TAG_SQL
            args.append(where.tag_id)
        if where.owner_user_id is not None:
            sql += self._OWNER_SQL
            args.append(where.owner_user_id)
        if where.restricted is not None:
            sql += self._RESTRICTED_SQL if where.restricted else self._NOT_RESTRICTED_SQL
        state = where.consent_state
        if state is not None:
            if state not in CONSENT_STATES:
                raise InvalidInput(_("Unknown consent state {state}.").format(state=state))
            purpose = ConsentService(self.session).purpose(where.consent_purpose or "")
            if purpose.lawful_basis != "consent":
                raise InvalidInput(
                    _("{purpose} does not rest on consent, so nobody is asked for it.").format(purpose=_(purpose.name))
                )
            cutoff = ""
            if purpose.expires_after_days:
                cutoff = (datetime.now(UTC) - timedelta(days=purpose.expires_after_days)).isoformat(timespec="seconds")
            sql += self._CONSENT_SQL[state]
            if state == "granted":
                args += [cutoff, purpose.key, int(purpose.key == "sale_sharing")]
            elif state == "expired":
                args += [cutoff, purpose.key]
            else:
                args.append(purpose.key)
        return sql.format(person=person), args

    def page(
        self,
        *,
        after: tuple[str, int] | None = None,
        limit: int = 200,
        where: ContactFilter | None = None,
        until: tuple[str, int] | None = None,
    ) -> list[ContactSummary]:
        """Everyone (or those `where` lets through) in name order, one keyset page after (sort key, id), and
        no further than `until` when given.

        Constant time at any depth without a filter. With one, the walk in name order passes over the people
        it leaves out, so a rare match means a long walk: `until` (see `position_after`) bounds it, and a
        caller walks on from there.
        """
        self.session.require(Permission.VIEW_CUSTOMERS)
        self.session.require_rows(limit)
        key, last_id = after or ("", 0)
        conditions, args = self._filter_sql(where)
        if until is not None:
            conditions = " AND (c.sort_key, c.id) <= (?, ?)" + conditions
            args = [*until, *args]
        rows = self.conn.execute(
            self._SUMMARY
            + "WHERE c.deleted_at IS NULL AND (c.sort_key, c.id) > (?, ?)"
            + conditions
            + " ORDER BY c.sort_key, c.id LIMIT ?",
            (key, last_id, *args, limit),
        ).fetchall()
        return [self._summary(row) for row in rows]

    def position_after(self, after: tuple[str, int] | None, count: int) -> tuple[str, int] | None:
        """Where the list stands `count` people after `after` (None: it ends sooner). Read from the name
        index alone, so it is cheap; it bounds one stretch of a filtered walk."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        key, last_id = after or ("", 0)
        row = self.conn.execute(
            "SELECT sort_key, id FROM contact WHERE deleted_at IS NULL AND (sort_key, id) > (?, ?) "
            "ORDER BY sort_key, id LIMIT 1 OFFSET ?",
            (key, last_id, count - 1),
        ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def summaries(self, ids: list[int]) -> list[ContactSummary]:
        """List rows of the given people, in the order given (deleted ones left out): one statement whatever
        the number, the ids passed as one JSON array."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        self.session.require_rows(len(ids))
        found = {
            row[0]: self._summary(row)
            for row in self.conn.execute(
                self._SUMMARY + "JOIN json_each(?) j ON c.id = j.value WHERE c.deleted_at IS NULL", (json.dumps(ids),)
            )
        }
        return [found[contact_id] for contact_id in ids if contact_id in found]

    def tags(self, limit: int = 1000) -> list[tuple[int, str]]:
        """Tags to filter by, (id, name) in name order."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            (int(r[0]), str(r[1]))
            for r in self.conn.execute("SELECT id, name FROM tag ORDER BY name_key LIMIT ?", (limit,))
        ]

    def owners(self) -> list[tuple[int, str]]:
        """The staff a customer can belong to (whoever added them), (user id, name) in name order."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            (int(r[0]), str(r[1]))
            for r in self.conn.execute("SELECT id, name FROM user WHERE removed_at IS NULL ORDER BY name_key")
        ]

    def sort_position(self, contact_id: int) -> tuple[str, int]:
        row = self.conn.execute("SELECT sort_key, id FROM contact WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
        return str(row[0]), int(row[1])

    def display_names(self, ids: list[int]) -> dict[int, str]:
        """Names for list views (requests, breaches): like a list row, not a record read, so not audited."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        self.session.require_rows(len(ids))
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                (int(r[0]), str(r[1]))
                for r in self.conn.execute(f"SELECT id, display_name FROM contact WHERE id IN ({marks})", chunk)
            )
        return found

    def search(self, query: str, limit: int = 50, where: ContactFilter | None = None) -> list[ContactSummary]:
        """Search as you type: names, organisations, emails, tags, notes, and phone digit fragments.

        Ranked by relevance then name; an empty query lists everyone in name order, but a query with nothing to
        search for ("#", an emoji) matches nobody: it once listed everyone, so `export --query "#"` wrote the
        whole vault. `where` narrows the matches before they are ranked and cut at `limit`.
        """
        self.session.require(Permission.VIEW_CUSTOMERS)
        statement = self.search_statement(query, limit, where)
        if statement is None:
            return [] if query.strip() else self.page(limit=limit, where=where)
        rows = self.conn.execute(*statement).fetchall()
        return [self._summary(row) for row in rows]

    def search_ids(self, query: str, limit: int = 50, where: ContactFilter | None = None) -> list[int]:
        """The ids `search` would return, in its order, without their summaries: the customer list shows
        the first screenful and reads the rest's text (`summaries`) as it scrolls into view. Empty for a query
        with no words or digits."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        statement = self.search_statement(query, limit, where, ids_only=True)
        if statement is None:
            return []
        return [int(row[0]) for row in self.conn.execute(*statement)]

    def search_statement(
        self, query: str, limit: int = 50, where: ContactFilter | None = None, ids_only: bool = False
    ) -> tuple[str, list[object]] | None:
        """The one SQL statement (and its parameters) that `search` (or `search_ids`) runs; None for a query
        with no words or digits. `bench/` times it raw against `search` to show the app's own overhead; the
        customer list runs it on a worker thread, so the permission is checked here, where it is built.

        Rows with names are limited to a page for people without the export permission (`require_rows`); ids
        alone are not, since they say nothing about anyone: the list holds a search's 500 best ids and reads
        their names a page at a time (`summaries`)."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        if not ids_only:
            self.session.require_rows(limit)
        expression, phone_fragments = search_index.match_expression(query)
        if expression is None and not phone_fragments:
            return None
        # Only the owner condition reads the person's row; the others look the id up in their own tables. The
        # filter is worked out once (a consent filter reads its purpose) and aimed at each index's rowid.
        needs_row = where is not None and where.owner_user_id is not None
        filter_sql, filter_args = self._filter_sql(where, "{person}")

        def filtered(index: str) -> tuple[str, str]:
            """The join (if any) and the conditions for matches of `index`."""
            if needs_row:
                return f" JOIN contact c ON c.id = {index}.rowid", filter_sql.format(person="c.id")
            return "", filter_sql.format(person=f"{index}.rowid")

        # Each index is ranked in its own subquery (bm25() works only there), then merged. bm25() rather than
        # FTS5's `rank` column: `ORDER BY rank` makes two heap allocations per matching row, bm25() none.
        # A filter applies inside each subquery, so the best `limit` are chosen among the people it lets through.
        ctes: list[str] = []
        args: list[object] = []
        if expression:
            # A word almost everyone has ("example", "gmail", a common surname) is ranked among its first
            # RANK_CEILING matches only: ranking a million near-equal scores costs a second and tells the reader
            # nothing. (Not the newest ones: FTS5 walks a prefix query's merged doclist backwards in minutes.)
            join, conditions = filtered("contact_search")
            ctes.append(
                "text_hits AS (SELECT id, rank FROM (SELECT contact_search.rowid AS id, "
                f"bm25(contact_search) AS rank FROM contact_search{join} "
                f"WHERE contact_search MATCH ?{conditions} LIMIT ?) ORDER BY rank LIMIT ?)"
            )
            args += [expression, *filter_args, RANK_CEILING, limit * 2]
        for number, fragment in enumerate(phone_fragments):
            join, conditions = filtered("contact_phone_search")
            ctes.append(
                f"phone_hits{number} AS (SELECT contact_phone_search.rowid AS id, -1000.0 AS rank "
                f"FROM contact_phone_search{join} WHERE contact_phone_search MATCH ?{conditions} "
                "LIMIT ?)"
            )
            args += ['"' + fragment + '"', *filter_args, limit * 2]
        names = [cte.split(" ", 1)[0] for cte in ctes]
        union = " UNION ALL ".join(f"SELECT id, rank FROM {name}" for name in names)
        sql = (
            f"WITH {', '.join(ctes)}, hits AS (SELECT id, min(rank) AS rank FROM ({union}) GROUP BY id) "
            + ("SELECT c.id FROM contact c " if ids_only else self._SUMMARY)
            + "JOIN hits ON hits.id = c.id WHERE c.deleted_at IS NULL ORDER BY hits.rank, c.sort_key, c.id LIMIT ?"
        )
        return sql, [*args, limit]
