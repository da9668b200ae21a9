"""The breach register (GDPR Art. 33/34): what happened, whom it touches, and the 72-hour clock.

The authority must be told within 72 hours of discovery (or told why it was late); people must be told without
undue delay when the breach is likely to put them at high risk. Affected people are chosen by a query and
kept as ids, so the letters go to exactly the right people and an erasure later removes them from the list too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.access.roles import Permission
from app.access.session import Session
from app.access.shop import ShopProfile, read_profile
from app.consent.jurisdiction import pipl_people_sql
from app.consent.ledger import ConsentService, eligible_sql
from app.crm.contacts import ContactService
from app.errors import InvalidInput
from app.locale import _
from app.locale.i18n import current_language, document_language
from app.privacy.ropa import RopaService
from app.store.database import Connection

AUTHORITY_DEADLINE = timedelta(hours=72)


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidInput(_("Give the time with its time zone."))
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Breach:
    id: int
    discovered_at: datetime
    occurred_at: str | None
    nature: str
    data_categories: list[str]
    people_categories: list[str]
    approx_affected: int
    consequences: str
    measures: str
    high_risk: bool
    authority_notified_at: str | None
    authority_reference: str | None
    delay_reason: str | None
    people_notified_at: str | None
    status: str
    selected: int  # affected people chosen by query (ids kept in breach_person)

    @property
    def authority_deadline(self) -> datetime:
        return self.discovered_at + AUTHORITY_DEADLINE

    def hours_left(self, now: datetime) -> float:
        """Until the authority must be told; negative when late. Irrelevant once notified."""
        return (self.authority_deadline - now).total_seconds() / 3600

    def authority_overdue(self, now: datetime) -> bool:
        return self.authority_notified_at is None and now > self.authority_deadline

    @property
    def people_must_be_told(self) -> bool:
        return self.high_risk


_COLUMNS = ", ".join(
    [
        "b.id",
        "b.discovered_at",
        "b.occurred_at",
        "b.nature",
        "b.data_categories",
        "b.people_categories",
        "b.approx_affected",
        "b.consequences",
        "b.measures",
        "b.high_risk",
        "b.authority_notified_at",
        "b.authority_reference",
        "b.delay_reason",
        "b.people_notified_at",
        "b.status",
        "(SELECT count(*) FROM breach_person p WHERE p.breach_id = b.id)",
    ]
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _breach(row: Any) -> Breach:
    return Breach(
        id=int(row[0]),
        discovered_at=datetime.fromisoformat(str(row[1])),
        occurred_at=_text(row[2]),
        nature=str(row[3]),
        data_categories=json.loads(row[4]),
        people_categories=json.loads(row[5]),
        approx_affected=int(row[6]),
        consequences=str(row[7]),
        measures=str(row[8]),
        high_risk=bool(row[9]),
        authority_notified_at=_text(row[10]),
        authority_reference=_text(row[11]),
        delay_reason=_text(row[12]),
        people_notified_at=_text(row[13]),
        status=str(row[14]),
        selected=int(row[15]),
    )


class BreachService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    def record(
        self,
        *,
        discovered_at: datetime,
        nature: str,
        data_categories: list[str] | None = None,
        people_categories: list[str] | None = None,
        approx_affected: int = 0,
        consequences: str = "",
        measures: str = "",
        high_risk: bool = False,
        occurred_at: datetime | None = None,
    ) -> int:
        self.session.require(Permission.MANAGE_BREACHES)
        if not nature.strip():
            raise InvalidInput(_("Describe what happened."))
        if approx_affected < 0:
            raise InvalidInput(_("The number of people affected cannot be negative."))
        with self.session.change() as conn:
            breach_id = int(
                conn.execute(
                    "INSERT INTO breach(discovered_at, occurred_at, nature, data_categories, people_categories, "
                    "approx_affected, consequences, measures, high_risk, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        _stamp(discovered_at),
                        _stamp(occurred_at) if occurred_at else None,
                        nature.strip(),
                        json.dumps(data_categories or []),
                        json.dumps(people_categories or []),
                        approx_affected,
                        consequences.strip(),
                        measures.strip(),
                        int(high_risk),
                        self.session.user.id,
                        _stamp(datetime.now(UTC)),
                    ),
                ).lastrowid
            )
            self.session.audit("breach.record", "breach", breach_id, "high risk" if high_risk else "")
        return breach_id

    def get(self, breach_id: int) -> Breach:
        self.session.require(Permission.MANAGE_BREACHES)
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM breach b WHERE b.id = ?", (breach_id,)).fetchone()
        if row is None:
            raise InvalidInput(_("There is no breach number {id}.").format(id=breach_id))
        return _breach(row)

    def all(self) -> list[Breach]:
        self.session.require(Permission.MANAGE_BREACHES)
        return [_breach(r) for r in self.conn.execute(f"SELECT {_COLUMNS} FROM breach b ORDER BY b.id DESC")]

    def select_affected(
        self,
        breach_id: int,
        *,
        purpose: str | None = None,
        created_before: datetime | None = None,
        tag: str | None = None,
        everyone: bool = False,
    ) -> int:
        """Choose the affected people by a query (replacing an earlier choice); returns how many."""
        self.session.require(Permission.MANAGE_BREACHES)
        self.get(breach_id)
        clauses: list[str] = ["c.deleted_at IS NULL", "c.anonymised_at IS NULL"]
        args: list[object] = []
        if purpose is not None:
            sql, purpose_args = eligible_sql(
                ConsentService(self.session).purpose(purpose), datetime.now(UTC), pipl_people=pipl_people_sql(self.conn)
            )
            clauses.append(f"c.id IN ({sql})")
            args += purpose_args
        if created_before is not None:
            clauses.append("c.created_at < ?")
            args.append(_stamp(created_before))
        if tag is not None:
            clauses.append(
                "c.id IN (SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
                "WHERE t.name_key = lower(?))"
            )
            args.append(tag)
        if len(clauses) == 2 and not everyone:
            raise InvalidInput(_("Choose who is affected: a purpose, a creation date, a tag, or everyone."))
        with self.session.change() as conn:
            conn.execute("DELETE FROM breach_person WHERE breach_id = ?", (breach_id,))
            count = conn.execute(
                f"INSERT INTO breach_person(breach_id, contact_id) SELECT ?, c.id FROM contact c "
                f"WHERE {' AND '.join(clauses)}",
                [breach_id, *args],
            ).rowcount
            conn.execute("UPDATE breach SET approx_affected = max(approx_affected, ?) WHERE id = ?", (count, breach_id))
            self.session.audit("breach.select", "breach", breach_id, f"{count} people")
        return int(count)

    def affected_ids(self, breach_id: int) -> list[int]:
        self.session.require(Permission.MANAGE_BREACHES)
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT contact_id FROM breach_person WHERE breach_id = ? ORDER BY contact_id", (breach_id,)
            )
        ]

    def authority_notified(
        self, breach_id: int, reference: str, at: datetime | None = None, delay_reason: str = ""
    ) -> None:
        """Record the notification to the supervisory authority; a late one must say why (Art. 33(1))."""
        self.session.require(Permission.MANAGE_BREACHES)
        breach, at = self.get(breach_id), at or datetime.now(UTC)
        if at > breach.authority_deadline and not delay_reason.strip():
            raise InvalidInput(
                _("The authority was told more than 72 hours after discovery: record the reason for the delay.")
            )
        with self.session.change() as conn:
            conn.execute(
                "UPDATE breach SET authority_notified_at = ?, authority_reference = ?, delay_reason = ? WHERE id = ?",
                (_stamp(at), reference.strip(), delay_reason.strip() or None, breach_id),
            )
            self.session.audit("breach.authority_notified", "breach", breach_id)

    def people_notified(self, breach_id: int, at: datetime | None = None) -> None:
        self.session.require(Permission.MANAGE_BREACHES)
        with self.session.change() as conn:
            conn.execute(
                "UPDATE breach SET people_notified_at = ? WHERE id = ?", (_stamp(at or datetime.now(UTC)), breach_id)
            )
            self.session.audit("breach.people_notified", "breach", breach_id)

    def close(self, breach_id: int) -> None:
        self.session.require(Permission.MANAGE_BREACHES)
        with self.session.change() as conn:
            conn.execute("UPDATE breach SET status = 'closed' WHERE id = ?", (breach_id,))
            self.session.audit("breach.close", "breach", breach_id)


# --- what the letters and the authority's report say (app/documents/breach_letters.py renders them) ----------


@dataclass(frozen=True)
class RegulatorReport:
    breach: Breach
    facts: dict[str, str]  # the record of processing's facts about the shop (RopaService.facts)


@dataclass(frozen=True)
class LetterTo:
    contact_id: int
    name: str
    language: str  # the person's own, else the shop's, else the user's


@dataclass(frozen=True)
class Letters:
    breach: Breach
    shop_name: str
    shop_contact: str  # whom to contact, with the shop's address
    people: list[LetterTo]


def regulator_report(session: Session, breach_id: int) -> RegulatorReport:
    return RegulatorReport(BreachService(session).get(breach_id), RopaService(session).facts())


def letters(session: Session, breach_id: int) -> Letters:
    """Who gets a letter and in which language; each person's record is read through ContactService, which
    audits the read."""
    breaches = BreachService(session)
    breach = breaches.get(breach_id)
    ids = breaches.affected_ids(breach_id)
    if not ids:
        raise InvalidInput(_("No one is chosen as affected by this breach yet: choose the affected people first."))
    shop = read_profile(session.conn)
    shop_name, contact = _shop(shop)
    contacts = ContactService(session)
    people = [
        LetterTo(
            contact_id,
            contacts.get(contact_id).display_name,
            document_language(None, contacts.language_of(contact_id), shop.language, current_language()),
        )
        for contact_id in ids
    ]
    return Letters(breach, shop_name, contact, people)


def _shop(shop: ShopProfile) -> tuple[str, str]:
    """The shop's name and its contact point for the letters (from the shop profile); a letter without a contact
    is not allowed."""
    contact = shop.privacy_contact.strip() or shop.dpo.strip()
    if not contact:
        raise InvalidInput(
            _(
                "The letters must say whom to contact: enter the shop's privacy contact first (Settings › Shop, "
                "or counterpart-admin shop --privacy-contact)."
            )
        )
    address = shop.address.strip()
    return shop.name, f"{contact}\n{address}" if address and address not in contact else contact
