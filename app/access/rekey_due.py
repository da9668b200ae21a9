"""A rekey is due: why, in words, until the owner rekeys.

Every slot yields the one data key. Deleting a slot stops that login in Counterpart, but whoever held it may have
kept the data key (or a copy of the files); only a rekey makes that key useless. So disabling or removing a
login records why a rekey is due, and the app and `verify` say so until the owner rekeys.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from app.access.session import REKEY_DUE_KEY, Session, find_user
from app.locale import _
from app.locale.formatting import day
from app.store.database import Connection
from app.vault.vault import Vault

DISABLED, REMOVED = "disabled", "removed"


def mark_rekey_due(conn: Connection, user: str, event: str, when: date | None = None) -> None:
    """Record (inside the caller's transaction) that `user` was disabled or removed, so a rekey is due."""
    row = conn.execute("SELECT value FROM vault_meta WHERE key = ?", (REKEY_DUE_KEY,)).fetchone()
    reasons = json.loads(str(row[0])) if row else []
    reasons.append({"user": user, "event": event, "on": (when or datetime.now(UTC).date()).isoformat()})
    conn.execute(
        "INSERT INTO vault_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (REKEY_DUE_KEY, json.dumps(reasons)),
    )


def rekey_due_reasons(session: Session) -> list[str]:
    """Why a rekey is due, one sentence a login ("Sam was disabled on 3 May 2025"); empty when none is."""
    stored = session.vault.meta(REKEY_DUE_KEY)
    if stored is None:
        return []
    sentences = []
    for reason in json.loads(stored):
        on = day(date.fromisoformat(str(reason["on"])))
        template = (
            _("{user} was removed on {date}") if reason["event"] == REMOVED else _("{user} was disabled on {date}")
        )
        sentences.append(template.format(user=reason["user"], date=on))
    return sentences


def rekey_due_notice(session: Session) -> str:
    """The words the app and `verify` show while a rekey is due; empty when none is."""
    return rekey_due_text(rekey_due_reasons(session))


def rekey_due_text(reasons: list[str]) -> str:
    if not reasons:
        return ""
    return _(
        "A rekey is due: {reasons}. A login that was taken away gave its holder the vault's key, and that key "
        "opens the vault file until you rekey."
    ).format(reasons="; ".join(reasons))


def drop_slots_without_active_user(vault: Vault) -> list[str]:
    """Delete every slot whose user is not an active user of the database (disabled before slots were deleted
    at once, or left behind by an interrupted change). Returns the names dropped."""
    stale = [name for name in vault.keyfile.users() if (user := find_user(vault.db, name)) is None or not user.active]
    vault.remove_slots(stale)
    return stale
