"""Whom to tell after a correction, erasure or restriction (GDPR Art. 19): the recipients the records of
processing name.

The record of processing names the shop's recipients (`ropa.recipients`, everyone's data may reach them) and,
optionally, recipients per purpose (`ropa.recipients.<purpose key>`, e.g. the mailing house for postal mail),
which count only for people with a current basis for that purpose.
"""

from __future__ import annotations

import re

from app.access.roles import Permission
from app.access.session import Session
from app.access.settings import SettingsService
from app.consent.ledger import ConsentService
from app.errors import InvalidInput
from app.locale import _
from app.store import settings

GENERAL = settings.ROPA_RECIPIENTS.key


def _names(text: str) -> list[str]:
    """One recipient a line or between semicolons; a single line without them may list them with commas (as the
    record of processing's example does), but "Stripe Payments Europe, Ltd; Kanzlei Weber" stays two."""
    parts = [part.strip() for part in re.split(r"[\n;]+", text) if part.strip()]
    return [part.strip() for part in parts[0].split(",") if part.strip()] if len(parts) == 1 else parts


def set_purpose_recipients(session: Session, purpose_key: str, text: str) -> None:
    """The recipients of one purpose's data, as the record of processing names them. Audited."""
    session.require(Permission.MANAGE_POLICIES)
    ConsentService(session).purpose(purpose_key)  # an unknown key is refused with the known ones
    setting = settings.ROPA_PURPOSE_RECIPIENTS
    SettingsService(session).set(
        setting, text.strip(), suffix=purpose_key, action="ropa.change", entity_id=setting.key + purpose_key, summary=""
    )


def recipients_for(session: Session, contact_id: int) -> list[str]:
    """The recipients to tell about a change to this person's data: the shop's, then each purpose's for which
    the person has a current basis, each named once."""
    session.require(Permission.VIEW_CUSTOMERS)
    conn = session.conn
    if conn.execute("SELECT 1 FROM contact WHERE id = ?", (contact_id,)).fetchone() is None:
        raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
    found = _names(settings.read(conn, settings.ROPA_RECIPIENTS))
    per_purpose = settings.read_family(conn, settings.ROPA_PURPOSE_RECIPIENTS)
    for state in ConsentService(session).states(contact_id):
        if state.granted:
            found += _names(per_purpose.get(state.purpose.key, ""))
    return list(dict.fromkeys(found))
