"""Objection to direct marketing (GDPR Art. 21(2)–(3)): an absolute right, so it ends every marketing purpose at once.

The ledger gets one withdrawal per marketing purpose the person could still be contacted for (on consent or on
legitimate interests: an objection overrides both), each naming the request (or the person's words) as its source.
A withdrawal keeps them out of every marketing list, because lists follow the ledger (`consent.eligible_sql`).
"""

from __future__ import annotations

from app.access.roles import Permission
from app.access.session import Session
from app.consent.ledger import ConsentService
from app.errors import InvalidInput
from app.locale import _

# Direct marketing, including the profiling that serves it (Art. 21(2)): the built-in purposes' fixed keys.
MARKETING_PURPOSES = ("email_marketing", "sms_marketing", "phone_calls", "postal_mail", "profiling")


def object_to_marketing(
    session: Session, contact_id: int, *, request_id: int | None = None, method: str = "verbal"
) -> list[str]:
    """Withdraw every marketing purpose for one person; returns the purpose keys withdrawn now (those already
    withdrawn are left as they are)."""
    session.require(Permission.CAPTURE_CONSENT)
    consent = ConsentService(session)
    latest = consent.latest_events(contact_id)
    keys = [p.key for p in consent.purposes(active_only=False) if p.key in MARKETING_PURPOSES]
    if not keys:
        raise InvalidInput(_("There are no marketing purposes to withdraw."))
    if request_id is not None:  # a number that names no request (or someone else's) was recorded as given
        row = session.conn.execute("SELECT contact_id FROM subject_request WHERE id = ?", (request_id,)).fetchone()
        if row is None:
            raise InvalidInput(_("There is no request with number {id}.").format(id=request_id))
        if row[0] is not None and int(row[0]) != contact_id:
            raise InvalidInput(
                _("Request no. {id} is about another customer (no. {other}).").format(id=request_id, other=row[0])
            )
    source = f"request {request_id}" if request_id is not None else "objection"
    withdrawn = []
    with session.change():
        for key in keys:
            if latest.get(key, ("", ""))[0] == "withdraw":
                continue
            consent.record(contact_id, key, False, method, source=source)
            withdrawn.append(key)
        session.audit(
            "consent.objection",
            "contact",
            contact_id,
            ",".join(withdrawn) + (f" request {request_id}" if request_id is not None else ""),
        )
    return withdrawn
