"""The register of data-subject requests: what was asked, by whom, by when it must be answered, and how.

Deadlines follow the law of the request: GDPR and UK GDPR one calendar month (extendable by two with a reason),
CCPA 45 days (extendable by 45), PIPL a period the owner sets. The register keeps hashes of the files handed
over, never their content; closed records are swept after the retention period (24 months by default).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.access.roles import Permission, Role, allowed
from app.access.session import Session
from app.access.settings import SettingsService
from app.consent.ledger import ConsentService
from app.consent.restriction import RestrictionService, is_restricted
from app.errors import InvalidInput
from app.locale import N_, _
from app.privacy.erasure import erase
from app.privacy.objection import object_to_marketing
from app.privacy.recipients import recipients_for
from app.store import settings
from app.store.database import Connection

TYPES = (
    "access",
    "rectification",
    "erasure",
    "portability",
    "restriction",
    "objection",
    "opt_out_sale_sharing",
    "limit_sensitive",
)
JURISDICTIONS = ("gdpr", "uk_gdpr", "ccpa", "pipl")
TYPE_LABELS = {
    "access": N_("Access (a copy of the data)"),
    "rectification": N_("Rectification"),
    "erasure": N_("Erasure"),
    "portability": N_("Portability"),
    "restriction": N_("Restriction"),
    "objection": N_("Objection"),
    "opt_out_sale_sharing": N_("Opt-out of sale or sharing"),
    "limit_sensitive": N_("Limit use of sensitive information"),
}
DEFAULT_PIPL_DAYS = settings.REQUESTS_PIPL_DAYS.default


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(jurisdiction: str, received: date, *, extended: bool = False, pipl_days: int = DEFAULT_PIPL_DAYS) -> date:
    if jurisdiction in ("gdpr", "uk_gdpr"):
        return add_months(received, 3 if extended else 1)
    if jurisdiction == "ccpa":
        return received + timedelta(days=90 if extended else 45)
    if jurisdiction == "pipl":
        return received + timedelta(days=pipl_days * (2 if extended else 1))
    raise InvalidInput(_("Unknown jurisdiction {name}: gdpr, uk_gdpr, ccpa or pipl.").format(name=jurisdiction))


@dataclass(frozen=True)
class SubjectRequest:
    id: int
    contact_id: int | None
    requester: str
    type: str
    jurisdiction: str
    channel: str
    received_at: str
    due_at: str
    extended: bool
    identity_method: str | None
    status: str
    files: list[dict[str, str]]
    recipients: list[str] | None = None  # Art. 19: whom the shop must tell of a correction, erasure or restriction

    def overdue(self, today: date) -> bool:
        return self.status == "open" and date.fromisoformat(self.due_at) < today


_COLUMNS = (
    "id, contact_id, requester, type, jurisdiction, channel, received_at, due_at, extended, identity_method, "
    "status, files, recipients"
)
TELL_RECIPIENTS = ("rectification", "erasure", "restriction")  # GDPR Art. 19


def _request(row: tuple[object, ...]) -> SubjectRequest:
    values = list(row)
    values[8] = bool(values[8])
    values[11] = json.loads(str(values[11]))
    values[12] = json.loads(str(values[12])) if values[12] is not None else None
    return SubjectRequest(*values)  # type: ignore[arg-type]


class RequestService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    def pipl_days(self) -> int:
        return settings.read(self.conn, settings.REQUESTS_PIPL_DAYS)

    def set_pipl_days(self, days: int) -> None:
        """The shop's period for answering PIPL requests (the law leaves it to the processor; 15 days by default)."""
        self.session.require(Permission.MANAGE_POLICIES)
        if not 1 <= days <= 90:
            raise InvalidInput(_("Choose between 1 and 90 days."))
        SettingsService(self.session).set(
            settings.REQUESTS_PIPL_DAYS, days, action="policy.pipl_days", summary=f"{days} days"
        )

    def create(
        self,
        type_: str,
        jurisdiction: str,
        *,
        contact_id: int | None = None,
        requester: str = "",
        channel: str = "in person",
        received: date | None = None,
    ) -> int:
        """Register a request the moment it arrives: the clock starts at `received`. Staff at the counter may
        register one; answering it (identity check, export, completion) is for those who handle requests."""
        self.session.require(Permission.REGISTER_REQUESTS)
        if type_ not in TYPES:
            raise InvalidInput(_("Unknown request type {type}.").format(type=type_))
        if contact_id is None and not requester.strip():
            raise InvalidInput(_("Name the person making the request, or link the customer."))
        received = received or datetime.now(UTC).date()
        due = due_date(jurisdiction, received, pipl_days=self.pipl_days())
        with self.session.change() as conn:
            request_id = int(
                conn.execute(
                    "INSERT INTO subject_request(contact_id, requester, type, jurisdiction, channel, received_at, "
                    "due_at, "
                    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        contact_id,
                        requester.strip(),
                        type_,
                        jurisdiction,
                        channel,
                        received.isoformat(),
                        due.isoformat(),
                        self.session.user.id,
                    ),
                ).lastrowid
            )
            self.session.audit("request.create", "subject_request", request_id, f"{type_} {jurisdiction}")
        return request_id

    def handlers(self) -> list[str]:
        """The active users who may answer requests: whom staff who registered one should tell."""
        self.session.require(Permission.REGISTER_REQUESTS)
        roles = [role.value for role in Role if allowed(role, Permission.HANDLE_REQUESTS)]
        marks = ",".join("?" * len(roles))
        rows = self.conn.execute(
            f"SELECT name FROM user WHERE active = 1 AND removed_at IS NULL AND role IN ({marks}) "
            "ORDER BY role = 'owner' DESC, name",
            roles,
        )
        return [str(row[0]) for row in rows]

    def get(self, request_id: int) -> SubjectRequest:
        self.session.require(Permission.HANDLE_REQUESTS)
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM subject_request WHERE id = ?", (request_id,)).fetchone()
        if row is None:
            raise InvalidInput(_("There is no request with number {id}.").format(id=request_id))
        return _request(row)

    def verify_identity(self, request_id: int, method: str, contact_id: int | None = None) -> None:
        """Record how the requester proved who they are (and link the customer record once known)."""
        self.session.require(Permission.HANDLE_REQUESTS)
        if not method.strip():
            raise InvalidInput(_("Say how the identity was checked (e.g. photo ID seen at the counter)."))
        with self.session.change() as conn:
            conn.execute(
                "UPDATE subject_request SET identity_method = ?, identity_verified_by = ?, "
                "identity_verified_at = ?, contact_id = coalesce(?, contact_id) WHERE id = ?",
                (
                    method.strip(),
                    self.session.user.id,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    contact_id,
                    request_id,
                ),
            )
            self.session.audit("request.identity", "subject_request", request_id)

    def extend(self, request_id: int, reason: str) -> date:
        """Use the extension the law allows, once, with the reason the person will be told."""
        self.session.require(Permission.HANDLE_REQUESTS)
        request = self.get(request_id)
        if request.extended:
            raise InvalidInput(_("This request was already extended once."))
        if not reason.strip():
            raise InvalidInput(_("An extension needs a reason you can give the person."))
        due = due_date(
            request.jurisdiction, date.fromisoformat(request.received_at), extended=True, pipl_days=self.pipl_days()
        )
        with self.session.change() as conn:
            conn.execute(
                "UPDATE subject_request SET extended = 1, extension_reason = ?, due_at = ? WHERE id = ?",
                (reason.strip(), due.isoformat(), request_id),
            )
            self.session.audit("request.extend", "subject_request", request_id, f"due {due.isoformat()}")
        return due

    def add_file(self, request_id: int, name: str, sha256: str) -> None:
        """Remember what was handed over by its hash, never its content."""
        self.session.require(Permission.HANDLE_REQUESTS)
        files = self.get(request_id).files + [{"name": name, "sha256": sha256}]
        with self.session.change() as conn:
            conn.execute("UPDATE subject_request SET files = ? WHERE id = ?", (json.dumps(files), request_id))
            self.session.audit("request.file", "subject_request", request_id, f"sha256 {sha256[:16]}")

    def complete(self, request_id: int, response: str = "") -> None:
        """Close the request, doing what it asks: an erasure runs the erasure engine on the linked customer, a
        restriction restricts their processing, an objection withdraws every marketing purpose. After a
        correction, erasure or restriction the recipients to tell (Art. 19) are kept on the request, listed
        before the erasure, while the person's purposes are still known."""
        self.session.require(Permission.HANDLE_REQUESTS)
        request = self.get(request_id)
        if request.status != "open":
            raise InvalidInput(_("This request is already closed."))
        if request.identity_method is None:
            raise InvalidInput(_("Check and record the requester's identity before completing the request."))
        if request.type in ("restriction", "objection") and request.contact_id is None:
            raise InvalidInput(_("Link the customer this request is about before completing it."))
        if request.type in TELL_RECIPIENTS and request.contact_id is not None:
            recipients = recipients_for(self.session, request.contact_id)
            with self.session.change() as conn:
                conn.execute(
                    "UPDATE subject_request SET recipients = ? WHERE id = ?",
                    (json.dumps(recipients, ensure_ascii=False), request_id),
                )
                self.session.audit("request.recipients", "subject_request", request_id, f"{len(recipients)} recipients")
        if request.type == "restriction" and request.contact_id is not None:
            if not is_restricted(self.conn, request.contact_id):  # restricted already: that one stands
                RestrictionService(self.session).restrict(
                    request.contact_id, response.strip() or f"request {request_id}", request_id
                )
        elif request.type == "objection" and request.contact_id is not None:
            object_to_marketing(self.session, request.contact_id, request_id=request_id, method="request")
        if request.type == "erasure":
            if request.contact_id is None:
                raise InvalidInput(_("Link the customer to erase before completing the request."))

            erase(self.session, request.contact_id, reason=f"request {request_id}")
        elif request.type in ("opt_out_sale_sharing", "limit_sensitive") and request.contact_id is not None:
            flag = "opt_out_sale_sharing" if request.type == "opt_out_sale_sharing" else "limit_sensitive"
            ConsentService(self.session).set_flag(request.contact_id, flag, True, method="request")
        self._close(request_id, "completed", response=response)

    def refuse(self, request_id: int, reason: str) -> None:
        self.session.require(Permission.HANDLE_REQUESTS)
        if not reason.strip():
            raise InvalidInput(_("A refusal needs its reason; the person must be told why."))
        self._close(request_id, "refused", refusal=reason.strip())

    def _close(self, request_id: int, status: str, response: str = "", refusal: str | None = None) -> None:
        with self.session.change() as conn:
            conn.execute(
                "UPDATE subject_request SET status = ?, response = ?, refusal_reason = ?, completed_at = ? "
                "WHERE id = ?",
                (status, response, refusal, datetime.now(UTC).isoformat(timespec="seconds"), request_id),
            )
            self.session.audit("request." + status, "subject_request", request_id)

    def open_requests(self, *, overdue_only: bool = False, today: date | None = None) -> list[SubjectRequest]:
        """Open requests, soonest deadline first (what the Requests screen and the unlock reminder show)."""
        self.session.require(Permission.HANDLE_REQUESTS)
        today = today or datetime.now(UTC).date()
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM subject_request WHERE status = 'open' "
            + ("AND due_at < ? " if overdue_only else "AND ? IS NOT NULL ")
            + "ORDER BY due_at, id",
            (today.isoformat(),),
        )
        return [_request(r) for r in rows]

    def all_requests(self, limit: int = 500) -> list[SubjectRequest]:
        self.session.require(Permission.HANDLE_REQUESTS)
        return [
            _request(r)
            for r in self.conn.execute(f"SELECT {_COLUMNS} FROM subject_request ORDER BY id DESC LIMIT ?", (limit,))
        ]
