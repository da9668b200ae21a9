"""Every action the app records has words for the audit table (app/privacy/audit_actions.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.locale import i18n
from app.privacy.audit_actions import _THINGS, action_text, known_actions, record_text

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


def _entity_types_written() -> set[str]:
    """The literal entity types handed to Session.audit/record (second argument) or as entity_type=."""
    found: set[str] = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            second = node.args[1] if node.func.attr in ("audit", "record") and len(node.args) >= 2 else None
            if isinstance(second, ast.Constant) and isinstance(second.value, str):
                found.add(second.value)
            found.update(
                k.value.value
                for k in node.keywords
                if k.arg == "entity_type" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
            )
    return found


def test_every_kind_of_record_has_words_in_the_readers_language() -> None:
    """The Record column showed "contact 251" and "user 1" in a German or Chinese window."""
    written = _entity_types_written() | {"audit_event"}  # audit.head_entity: an export names the log's end
    assert len(written) > 12 and "contact" in written  # the scan still finds the calls
    assert written <= set(_THINGS), sorted(written - set(_THINGS))
    assert record_text("contact", "251") == "customer 251"
    assert record_text("future_thing", "7") == "future_thing 7" and record_text(None, None) == ""
    i18n.set_language("de")
    try:
        assert record_text("contact", "251") == "Kunde 251"
    finally:
        i18n.set_language("en")
