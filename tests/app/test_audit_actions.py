"""Every action the app records has words for the audit table (app/privacy/audit_actions.py)."""

from __future__ import annotations

import re
from pathlib import Path

from app.locale import i18n
from app.privacy.audit_actions import action_text, known_actions

APP = Path(__file__).parents[1].parent / "app"
# Literal actions handed to Session.audit/record or audit.append, including both arms of a conditional.
_CALL = re.compile(r"""\.(?:audit|record)\(\s*"([a-z_]+\.[a-z_]+)"(?:\s+if\s[^"]+\selse\s"([a-z_]+\.[a-z_]+)")?""")
_APPEND = re.compile(r"""action="([a-z_]+\.[a-z_]+)\"""")
# Actions made from a variable: session.{lock reason}, contact.{erase|anonymise}, request.{outcome}.
_MADE = {
    "session.lock",
    "session.idle_lock",
    "session.logout",
    "session.switch_user",
    "session.suspend_lock",
    "session.restore",
    "contact.erase",
    "contact.anonymise",
    "request.completed",
    "request.refused",
}


def _written() -> set[str]:
    found: set[str] = set()
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in _CALL.finditer(text):
            found.update(group for group in match.groups() if group)
        found.update(_APPEND.findall(text))
    return found


def test_every_recorded_action_has_words() -> None:
    written = _written()
    assert len(written) > 60  # the scan still finds the calls
    assert written | _MADE <= set(known_actions()), sorted((written | _MADE) - set(known_actions()))


def test_words_follow_the_language_and_an_unknown_id_shows_as_stored() -> None:
    assert action_text("session.login") == "Signed in"
    assert action_text("future.thing") == "future.thing"
    i18n.set_language("de")
    try:
        assert action_text("session.login") != "Signed in"
    finally:
        i18n.set_language("en")


def test_a_refusal_a_service_decides_reads_as_words() -> None:
    from app.privacy.audit_actions import SummaryNames, summary_text

    names = SummaryNames({}, {})
    assert summary_text("access.refused", "manage_users: last owner", names).endswith(
        ": the vault must keep an active owner"
    )
    assert summary_text("access.refused", "erase: legal hold", names).endswith(": the customer is under a legal hold")
    assert summary_text("access.refused", "backup: not owner", names).endswith(": only an owner may restore a backup")
    assert summary_text("access.refused", "backup: something else", names) == "backup: something else"  # as stored
